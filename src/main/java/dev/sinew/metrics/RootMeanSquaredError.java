package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * {@code root_mean_squared_error}: the square root of the mean squared error over everything
 * seen, as Keras's {@code RootMeanSquaredError} (a root of the epoch's mean, not a mean of
 * per-batch roots).
 */
public final class RootMeanSquaredError extends StatefulMetric {
    private final String name;

    public RootMeanSquaredError() {
        this("root_mean_squared_error");
    }

    RootMeanSquaredError(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MetricState newState() {
        return new MetricState() {
            private double squares;
            private long count;

            @Override
            public void update(Backend backend, Tensor pred, Tensor target, int n, int c) {
                long values = (long) n * c;
                for (long i = 0; i < values; i++) {
                    double d = (double) pred.get(i) - target.get(i);
                    squares += d * d;
                }
                count += values;
            }

            @Override
            public double result() {
                return count == 0 ? 0 : Math.sqrt(squares / count);
            }

            @Override
            public void reset() {
                squares = 0;
                count = 0;
            }
        };
    }
}
