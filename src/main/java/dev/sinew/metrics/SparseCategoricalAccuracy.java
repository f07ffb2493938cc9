package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * {@code sparse_categorical_accuracy}: the fraction of rows whose argmax(pred) equals the row's
 * class index. What {@code "accuracy"} means, as in Keras, when the loss takes class indices
 * (then it reports under the name "accuracy").
 */
public final class SparseCategoricalAccuracy implements Metric {
    private final String name;

    public SparseCategoricalAccuracy() {
        this("sparse_categorical_accuracy");
    }

    SparseCategoricalAccuracy(String name) {
        this.name = name;
    }

    /** "accuracy" resolved for class-index targets: reported as "accuracy", as Keras does. */
    public static SparseCategoricalAccuracy asAccuracy() {
        return new SparseCategoricalAccuracy("accuracy");
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
        return backend.countSparseMatches(pred, target, n, c) / (double) n;
    }
}
