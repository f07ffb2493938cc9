package dev.sinew.losses;

import dev.sinew.backend.PointwiseLoss;

/**
 * {@code log_cosh}: L = mean over rows of mean_c log(cosh(pred - target)), computed as
 * x + softplus(-2x) - log 2 so that it cannot overflow (Keras alias {@code logcosh}).
 */
public final class LogCosh extends PointwiseMeanLoss {
    public LogCosh() {
        super(PointwiseLoss.LOG_COSH, false);
    }

    @Override
    public String name() {
        return "log_cosh";
    }
}
