package dev.sinew.losses;

import dev.sinew.backend.PointwiseLoss;

/**
 * {@code mean_absolute_error}: L = mean over rows of mean_c |pred - target| (Keras alias {@code mae}).
 */
public final class MeanAbsoluteError extends PointwiseMeanLoss {
    public MeanAbsoluteError() {
        super(PointwiseLoss.MAE, false);
    }

    @Override
    public String name() {
        return "mean_absolute_error";
    }
}
