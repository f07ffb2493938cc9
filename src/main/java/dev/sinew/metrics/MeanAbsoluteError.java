package dev.sinew.metrics;

/** The {@code mean_absolute_error} metric (alias {@code mae}): mean over rows of mean_c |pred - target|. */
public final class MeanAbsoluteError extends LossMetric {
    public MeanAbsoluteError() {
        this("mean_absolute_error");
    }

    MeanAbsoluteError(String name) {
        super(name, new dev.sinew.losses.MeanAbsoluteError());
    }
}
