package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * A metric that is not a mean of per-sample values (precision, recall, AUC, F1, RMSE): its state
 * is what it counts, and a batch's value is that of a state that saw only the batch.
 */
abstract class StatefulMetric implements Metric {

    @Override
    public abstract MetricState newState();

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c) {
        MetricState s = newState();
        s.update(backend, pred, target, n, c);
        return s.result();
    }
}
