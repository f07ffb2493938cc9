package dev.sinew.metrics;

/** The {@code mean_squared_error} metric (alias {@code mse}): mean over rows of mean_c (pred - target)². */
public final class MeanSquaredError extends LossMetric {
    public MeanSquaredError() {
        this("mean_squared_error");
    }

    MeanSquaredError(String name) {
        super(name, new dev.sinew.losses.MeanSquaredError());
    }
}
