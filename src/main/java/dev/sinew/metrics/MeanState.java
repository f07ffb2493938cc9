package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * The state of a metric that is a mean over samples (accuracy, mae, ...): Keras's
 * {@code MeanMetricWrapper}, a total and a count. Each batch adds its mean times its rows.
 */
final class MeanState implements MetricState {
    private final Metric metric;
    private double total;
    private long count;

    MeanState(Metric metric) {
        this.metric = metric;
    }

    @Override
    public void update(Backend backend, Tensor pred, Tensor target, int n, int c) {
        total += metric.compute(backend, pred, target, n, c) * n;
        count += n;
    }

    @Override
    public double result() {
        return count == 0 ? 0 : total / count;
    }

    @Override
    public void reset() {
        total = 0;
        count = 0;
    }
}
