package dev.sinew.metrics;

import java.util.Locale;

/** Metrics by their Keras names. */
public final class Metrics {
    private Metrics() {}

    public static final String ACCURACY = "accuracy";
    public static final String CATEGORICAL_ACCURACY = "categorical_accuracy";

    /** The metric named {@code name}: {@code accuracy} (or {@code acc}), {@code categorical_accuracy}. */
    public static Metric of(String name) {
        if (name == null) throw new IllegalArgumentException("metric name is null");
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "accuracy", "acc" -> new Accuracy();
            case "categorical_accuracy" -> new CategoricalAccuracy();
            case "sparse_categorical_accuracy" -> new SparseCategoricalAccuracy();
            default -> throw new IllegalArgumentException("Unknown metric '" + name
                    + "'. Known: accuracy (acc), categorical_accuracy, sparse_categorical_accuracy");
        };
    }
}
