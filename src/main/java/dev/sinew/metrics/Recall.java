package dev.sinew.metrics;

import java.util.Map;

/**
 * {@code recall}: true positives / (true positives + false negatives) over everything seen,
 * an output counting as positive when it is above the threshold (Keras's default 0.5). Options as
 * Keras's {@code Recall}: {@code thresholds} (one value here), {@code top_k}, {@code class_id};
 * see {@link Confusion} for how outputs are counted.
 */
public final class Recall extends StatefulMetric {
    private final String name;
    private final Confusion confusion;

    public Recall() {
        this(null, null, null);
    }

    /** Keras's {@code Recall(thresholds, top_k, class_id)}; null leaves an option at its default. */
    public Recall(Float thresholds, Integer topK, Integer classId) {
        this("recall", thresholds, topK, classId);
    }

    Recall(String name, Float thresholds, Integer topK, Integer classId) {
        this.name = name;
        this.confusion = new Confusion(name, thresholds, topK, classId);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MetricState newState() {
        return confusion.newState(name, s -> Confusion.ratio(s.tp, s.tp + s.fn));
    }

    @Override
    public Map<String, Object> getConfig() {
        return confusion.config();
    }
}
