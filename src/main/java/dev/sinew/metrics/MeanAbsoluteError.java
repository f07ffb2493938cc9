package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * The {@code mean_absolute_error} metric (alias {@code mae}): mean over rows of
 * mean_c |pred - target|, computed by the loss of the same name without its gradient.
 */
public final class MeanAbsoluteError implements Metric {
    private static final dev.sinew.losses.MeanAbsoluteError LOSS = new dev.sinew.losses.MeanAbsoluteError();
    private final String name;

    public MeanAbsoluteError() {
        this("mean_absolute_error");
    }

    MeanAbsoluteError(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c) {
        return LOSS.compute(backend, pred, target, n, c, null, false);
    }
}
