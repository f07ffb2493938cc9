package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;
import java.util.Map;

/**
 * The top-k accuracies: the fraction of rows whose true class is among the {@code k} largest
 * predictions (Keras's default k = 5). As Keras's {@code in_top_k}, ties at the k-th value count
 * in: the class is in the top k when fewer than k classes score strictly higher.
 */
abstract class TopK implements Metric {
    private final String name;
    private final int k;

    TopK(String name, int k) {
        if (k < 1) throw new IllegalArgumentException(name + ": k must be at least 1, got " + k);
        this.name = name;
        this.k = k;
    }

    /** The true class of {@code row}, or -1 when its target names none. */
    abstract int label(Tensor target, int row, int c);

    public int k() {
        return k;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c) {
        int hits = 0;
        for (int row = 0; row < n; row++) {
            int label = label(target, row, c);
            if (label >= 0 && inTopK(pred, (long) row * c, c, label)) hits++;
        }
        return hits / (double) n;
    }

    private boolean inTopK(Tensor pred, long at, int c, int label) {
        float v = pred.get(at + label);
        if (Float.isNaN(v)) return false;
        int higher = 0;
        for (int j = 0; j < c; j++) if (pred.get(at + j) > v) higher++;
        return higher < k;
    }

    @Override
    public Map<String, Object> getConfig() {
        return k == 5 ? Map.of() : Map.of("k", (long) k);
    }
}
