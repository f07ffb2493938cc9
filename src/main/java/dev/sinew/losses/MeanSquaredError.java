package dev.sinew.losses;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * {@code mean_squared_error}: L = mean over rows and columns of (pred - target)^2, as Keras
 * (mean over the last axis, then over the batch). dL/dpred = 2 (pred - target) / (n c).
 */
public final class MeanSquaredError implements Loss {
    @Override
    public String name() {
        return "mean_squared_error";
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c, Tensor grad, boolean fused) {
        float scale = 1f / ((float) n * c);
        return backend.squaredError(grad, pred, target, n, c, scale) / ((double) n * c);
    }
}
