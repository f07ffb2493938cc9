package dev.sinew.losses;

import dev.sinew.backend.PointwiseLoss;

/**
 * {@code mean_squared_logarithmic_error}: L = mean over rows of mean_c (log(max(pred, 1e-7) + 1) - log(max(target, 1e-7) + 1))^2
 * (Keras alias {@code msle}).
 */
public final class MeanSquaredLogarithmicError extends PointwiseMeanLoss {
    public MeanSquaredLogarithmicError() {
        super(PointwiseLoss.MSLE, false);
    }

    @Override
    public String name() {
        return "mean_squared_logarithmic_error";
    }
}
