package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/** {@code categorical_accuracy}: the fraction of rows where argmax(pred) equals argmax(target). */
public final class CategoricalAccuracy implements Metric {
    @Override
    public String name() {
        return "categorical_accuracy";
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c) {
        return backend.countArgmaxMatches(pred, target, n, c) / (double) n;
    }
}
