package dev.sinew.losses;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * {@code categorical_hinge}: per row, max(neg - pos + 1, 0) with pos = sum_c target_c pred_c and
 * neg = max_c (1 - target_c) pred_c; L = mean over rows. Targets one-hot (or -1/1).
 */
public final class CategoricalHinge implements Loss {
    @Override
    public String name() {
        return "categorical_hinge";
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c, Tensor grad, boolean fused) {
        return backend.categoricalHinge(grad, pred, target, n, c, 1f / n) / n;
    }
}
