package dev.sinew.metrics;

import dev.sinew.tensor.Tensor;

/**
 * {@code sparse_top_k_categorical_accuracy}: as {@link TopKCategoricalAccuracy}, with each
 * target a class index (Keras's default k = 5).
 */
public final class SparseTopKCategoricalAccuracy extends TopK {

    public SparseTopKCategoricalAccuracy() {
        this(5);
    }

    public SparseTopKCategoricalAccuracy(int k) {
        this("sparse_top_k_categorical_accuracy", k);
    }

    SparseTopKCategoricalAccuracy(String name, int k) {
        super(name, k);
    }

    @Override
    public int targetWidth(int outputWidth) {
        return 1;
    }

    @Override
    int label(Tensor target, int row, int c) {
        // Labels were checked against the loss's classes before training; a stray one scores as a miss.
        float label = target.get(row);
        return label >= 0 && label < c && label == (int) label ? (int) label : -1;
    }
}
