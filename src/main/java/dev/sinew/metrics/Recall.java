package dev.sinew.metrics;

/**
 * {@code recall}: true positives / (true positives + false negatives) over everything seen, an
 * output counting as positive when it is above the threshold (Keras's default 0.5). Options as
 * Keras's {@code Recall}: {@code thresholds} (one value here), {@code top_k}, {@code class_id};
 * see {@link Confusion} for how outputs are counted.
 */
public final class Recall extends ConfusionMetric {

    public Recall() {
        this(null, null, null);
    }

    /** Keras's {@code Recall(thresholds, top_k, class_id)}; null leaves an option at its default. */
    public Recall(Float thresholds, Integer topK, Integer classId) {
        this("recall", thresholds, topK, classId);
    }

    Recall(String name, Float thresholds, Integer topK, Integer classId) {
        super(name, thresholds, topK, classId);
    }

    @Override
    double result(Confusion.Counts s) {
        return Confusion.ratio(s.tp, s.tp + s.fn);
    }
}
