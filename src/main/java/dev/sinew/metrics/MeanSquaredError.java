package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * The {@code mean_squared_error} metric (alias {@code mse}): mean over rows of
 * mean_c (pred - target)², computed by the loss of the same name without its gradient.
 */
public final class MeanSquaredError implements Metric {
    private static final dev.sinew.losses.MeanSquaredError LOSS = new dev.sinew.losses.MeanSquaredError();
    private final String name;

    public MeanSquaredError() {
        this("mean_squared_error");
    }

    MeanSquaredError(String name) {
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
