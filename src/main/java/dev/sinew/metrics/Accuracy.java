package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * {@code accuracy} as Keras resolves it from the output width: with one output column it is
 * binary accuracy (a prediction above 0.5 counts as 1, compared with the target); with several
 * it is categorical accuracy (argmax of prediction equals argmax of target).
 */
public final class Accuracy implements Metric {
    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c) {
        if (c == 1) {
            return backend.countThresholdMatches(pred, target, n, 0.5f) / (double) n;
        }
        return backend.countArgmaxMatches(pred, target, n, c) / (double) n;
    }
}
