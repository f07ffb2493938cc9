package dev.sinew.metrics;

import dev.sinew.tensor.Tensor;

/**
 * {@code top_k_categorical_accuracy}: whether the true class (the argmax of the one-hot target)
 * is among the k largest predictions, as a fraction of rows (see {@link TopK}; Keras's default k = 5).
 */
public final class TopKCategoricalAccuracy extends TopK {

    public TopKCategoricalAccuracy() {
        this(5);
    }

    public TopKCategoricalAccuracy(int k) {
        this("top_k_categorical_accuracy", k);
    }

    TopKCategoricalAccuracy(String name, int k) {
        super(name, k);
    }

    @Override
    int label(Tensor target, int row, int c) {
        long at = (long) row * c;
        int label = 0;
        for (int j = 1; j < c; j++) if (target.get(at + j) > target.get(at + label)) label = j;
        return label;
    }
}
