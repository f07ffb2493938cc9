package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;
import java.util.Map;

/**
 * {@code sparse_top_k_categorical_accuracy}: as {@link TopKCategoricalAccuracy}, with each
 * target a class index (Keras's default k = 5).
 */
public final class SparseTopKCategoricalAccuracy implements Metric {
    private final String name;
    private final int k;

    public SparseTopKCategoricalAccuracy() {
        this(5);
    }

    public SparseTopKCategoricalAccuracy(int k) {
        this("sparse_top_k_categorical_accuracy", k);
    }

    SparseTopKCategoricalAccuracy(String name, int k) {
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
    public int targetWidth(int outputWidth) {
        return 1;
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c) {
        int hits = 0;
        for (int row = 0; row < n; row++) {
            float label = target.get(row);
            // Labels were checked against the loss's classes before training; a stray one scores as a miss.
            if (label >= 0 && label < c && label == (int) label
                    && TopKCategoricalAccuracy.inTopK(pred, (long) row * c, c, (int) label, k)) {
                hits++;
            }
        }
        return hits / (double) n;
    }

    @Override
    public Map<String, Object> getConfig() {
        return k == 5 ? Map.of() : Map.of("k", (long) k);
    }
}
