package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.losses.Loss;
import dev.sinew.tensor.Tensor;

/** A metric that is a loss's mean value, computed by the loss's kernel without its gradient. */
abstract class LossMetric implements Metric {
    private final String name;
    private final Loss loss;

    LossMetric(String name, Loss loss) {
        this.name = name;
        this.loss = loss;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c) {
        return loss.compute(backend, pred, target, n, c, null, false);
    }
}
