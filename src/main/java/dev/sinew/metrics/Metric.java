package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;
import java.util.Map;

/**
 * A number reported during training that is not optimised, e.g. accuracy.
 *
 * <p>As in Keras, a metric accumulates over an epoch in a {@link MetricState} ({@link #newState}):
 * most metrics are means of per-sample values, whose state is a sum and a count; precision,
 * recall, AUC and F1 keep confusion counts instead, because a mean of per-batch precisions is not
 * the precision of the epoch. A metric object itself holds no state, so one instance may serve
 * several models and threads.
 */
public interface Metric {

    /** The name under which results are reported, e.g. {@code "accuracy"}. */
    String name();

    /** Values per target row it reads (1 for class indices), as {@link dev.sinew.losses.Loss#targetWidth}. */
    default int targetWidth(int outputWidth) {
        return outputWidth;
    }

    /** The metric over one batch of {@code n} rows of {@code c} columns alone. */
    double compute(Backend backend, Tensor pred, Tensor target, int n, int c);

    /**
     * An empty accumulator (Keras's {@code reset_state}ed metric). By default the sample-weighted
     * mean of {@link #compute} over the batches, which is exact for metrics that are means of a
     * per-sample value.
     */
    default MetricState newState() {
        return new MeanState(this);
    }

    /**
     * The options that distinguish this metric from {@code Metrics.of(name())}, by their Keras
     * names (e.g. {@code threshold}, {@code k}); empty when there are none. What a model file
     * saves beside the class name ({@link #className()}).
     */
    default Map<String, Object> getConfig() {
        return Map.of();
    }

    /** The Keras class name, e.g. {@code "AUC"}: how a model file with a config names the metric. */
    default String className() {
        return getClass().getSimpleName();
    }
}
