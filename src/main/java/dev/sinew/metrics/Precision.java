package dev.sinew.metrics;

/**
 * {@code precision}: true positives / (true positives + false positives) over everything seen,
 * an output counting as positive when it is above the threshold (Keras's default 0.5). Options as
 * Keras's {@code Precision}: {@code thresholds} (one value here), {@code top_k}, {@code class_id};
 * see {@link Confusion} for how outputs are counted.
 */
public final class Precision extends ConfusionMetric {

    public Precision() {
        this(null, null, null);
    }

    /** Keras's {@code Precision(thresholds, top_k, class_id)}; null leaves an option at its default. */
    public Precision(Float thresholds, Integer topK, Integer classId) {
        this("precision", thresholds, topK, classId);
    }

    Precision(String name, Float thresholds, Integer topK, Integer classId) {
        super(name, thresholds, topK, classId);
    }

    @Override
    double result(Confusion.Counts s) {
        return Confusion.ratio(s.tp, s.tp + s.fp);
    }
}
