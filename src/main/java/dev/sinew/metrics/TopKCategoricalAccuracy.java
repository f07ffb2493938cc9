package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;
import java.util.Map;

/**
 * {@code top_k_categorical_accuracy}: the fraction of rows whose true class (the argmax of the
 * one-hot target) is among the {@code k} largest predictions (Keras's default k = 5). As Keras's
 * {@code in_top_k}, ties at the k-th value count in: the class is in the top k when fewer than k
 * classes score strictly higher.
 */
public final class TopKCategoricalAccuracy implements Metric {
    private final String name;
    private final int k;

    public TopKCategoricalAccuracy() {
        this(5);
    }

    public TopKCategoricalAccuracy(int k) {
        this("top_k_categorical_accuracy", k);
    }

    TopKCategoricalAccuracy(String name, int k) {
        if (k < 1) throw new IllegalArgumentException(name + ": k must be at least 1, got " + k);
        this.name = name;
        this.k = k;
    }

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
            long at = (long) row * c;
            int label = 0;
            for (int j = 1; j < c; j++) if (target.get(at + j) > target.get(at + label)) label = j;
            if (inTopK(pred, at, c, label, k)) hits++;
        }
        return hits / (double) n;
    }

    /** Whether column {@code label} of the row at {@code at} is among its k largest (ties in). */
    static boolean inTopK(Tensor pred, long at, int c, int label, int k) {
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
