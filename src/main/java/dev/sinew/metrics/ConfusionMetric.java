package dev.sinew.metrics;

import java.util.Map;

/** What {@link Precision} and {@link Recall} share: a name, Keras's three options, the counts. */
abstract class ConfusionMetric extends StatefulMetric {
    private final String name;
    private final Confusion confusion;

    ConfusionMetric(String name, Float thresholds, Integer topK, Integer classId) {
        this.name = name;
        this.confusion = new Confusion(name, thresholds, topK, classId);
    }

    /** The metric from the counts. */
    abstract double result(Confusion.Counts counts);

    @Override
    public String name() {
        return name;
    }

    @Override
    public MetricState newState() {
        return confusion.newState(name, this::result);
    }

    @Override
    public Map<String, Object> getConfig() {
        return confusion.config();
    }
}
