package dev.sinew.losses;

import dev.sinew.backend.PointwiseLoss;

/**
 * {@code mean_absolute_percentage_error}: L = mean over rows of 100 mean_c |target - pred| / max(|target|, 1e-7)
 * (Keras alias {@code mape}).
 */
public final class MeanAbsolutePercentageError extends PointwiseMeanLoss {
    public MeanAbsolutePercentageError() {
        super(PointwiseLoss.MAPE, false);
    }

    @Override
    public String name() {
        return "mean_absolute_percentage_error";
    }
}
