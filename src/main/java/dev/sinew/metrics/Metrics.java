package dev.sinew.metrics;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Metrics by their Keras names, and the confusion matrix. */
public final class Metrics {
    private Metrics() {}

    public static final String ACCURACY = "accuracy";
    public static final String CATEGORICAL_ACCURACY = "categorical_accuracy";

    private static final String KNOWN = "accuracy (acc), categorical_accuracy, sparse_categorical_accuracy, binary_accuracy,"
            + " top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_absolute_error (mae),"
            + " mean_squared_error (mse), root_mean_squared_error, precision, recall, auc, f1_score";

    /**
     * The metric named {@code name}, with Keras's defaults. As in Keras, it reports under the name
     * given: {@code "mae"} is logged as {@code mae}, {@code "mean_absolute_error"} as itself.
     */
    public static Metric of(String name) {
        if (name == null) throw new IllegalArgumentException("metric name is null");
        String given = name.trim();
        return switch (given.toLowerCase(Locale.ROOT)) {
            case "accuracy", "acc" -> new Accuracy();
            case "categorical_accuracy" -> new CategoricalAccuracy();
            case "sparse_categorical_accuracy" -> new SparseCategoricalAccuracy();
            case "binary_accuracy" -> new BinaryAccuracy(given, 0.5f);
            case "top_k_categorical_accuracy" -> new TopKCategoricalAccuracy(given, 5);
            case "sparse_top_k_categorical_accuracy" -> new SparseTopKCategoricalAccuracy(given, 5);
            case "mean_absolute_error", "mae" -> new MeanAbsoluteError(given);
            case "mean_squared_error", "mse" -> new MeanSquaredError(given);
            case "root_mean_squared_error" -> new RootMeanSquaredError(given);
            case "precision" -> new Precision(given, null, null, null);
            case "recall" -> new Recall(given, null, null, null);
            case "auc" -> AUC.fromConfig(given, Map.of());
            case "f1_score" -> new F1Score(given, "macro", null);
            default -> throw new IllegalArgumentException("Unknown metric '" + name + "'. Known: " + KNOWN);
        };
    }

    /**
     * The metric a model file describes as Keras does: its class name ({@code "AUC"}) and a config
     * holding its {@code name} and the options of {@link Metric#getConfig}. Unknown options are an
     * error, so a file from a newer Sinew is not read wrongly.
     */
    public static Metric fromConfig(String className, Map<String, Object> config) {
        if (className == null) throw new IllegalArgumentException("metric class_name is null");
        if (config == null) config = Map.of();
        Set<String> options = switch (className) {
            case "BinaryAccuracy" -> Set.of("threshold");
            case "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy" -> Set.of("k");
            case "Precision", "Recall" -> Set.of("thresholds", "top_k", "class_id");
            case "AUC" -> Set.of("num_thresholds", "curve", "summation_method", "multi_label", "from_logits");
            case "F1Score" -> Set.of("average", "threshold");
            default -> Set.of();
        };
        for (String key : config.keySet()) {
            if (!key.equals("name") && !options.contains(key)) {
                throw new IllegalArgumentException("metric " + className + " has no option \"" + key + "\"");
            }
        }
        String name = config.get("name") instanceof String s ? s : null;
        return switch (className) {
            case "BinaryAccuracy" -> new BinaryAccuracy(or(name, "binary_accuracy"), number(config, "threshold", 0.5).floatValue());
            case "TopKCategoricalAccuracy" -> new TopKCategoricalAccuracy(or(name, "top_k_categorical_accuracy"),
                    integer(config, "k", 5));
            case "SparseTopKCategoricalAccuracy" -> new SparseTopKCategoricalAccuracy(
                    or(name, "sparse_top_k_categorical_accuracy"), integer(config, "k", 5));
            case "Precision" -> new Precision(or(name, "precision"), optionalFloat(config, "thresholds"),
                    optionalInt(config, "top_k"), optionalInt(config, "class_id"));
            case "Recall" -> new Recall(or(name, "recall"), optionalFloat(config, "thresholds"),
                    optionalInt(config, "top_k"), optionalInt(config, "class_id"));
            case "AUC" -> AUC.fromConfig(or(name, "auc"), config);
            case "F1Score" -> new F1Score(or(name, "f1_score"), config.get("average") instanceof String a ? a : "macro",
                    optionalFloat(config, "threshold"));
            default -> of(name != null ? name : className);
        };
    }

    private static String or(String a, String b) {
        return a != null ? a : b;
    }

    private static Number number(Map<String, Object> c, String key, double dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (v instanceof Number n) return n;
        throw new IllegalArgumentException("metric option \"" + key + "\" must be a number, got " + v);
    }

    private static int integer(Map<String, Object> c, String key, int dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (v instanceof Long l && l == (int) (long) l) return (int) (long) l;
        throw new IllegalArgumentException("metric option \"" + key + "\" must be an integer, got " + v);
    }

    private static Float optionalFloat(Map<String, Object> c, String key) {
        return c.get(key) == null ? null : number(c, key, 0).floatValue();
    }

    private static Integer optionalInt(Map<String, Object> c, String key) {
        return c.get(key) == null ? null : integer(c, key, 0);
    }

    /**
     * The confusion matrix of class predictions, as Keras's {@code confusion_matrix}: entry
     * [i][j] counts the samples of true class i predicted as class j (rows are the truth). With
     * {@code Datasets.argmax(model.predict(x))} as {@code predicted}.
     */
    public static int[][] confusionMatrix(int[] labels, int[] predicted, int classes) {
        if (labels == null || predicted == null) throw new IllegalArgumentException("confusionMatrix: labels or predictions are null");
        if (labels.length != predicted.length) {
            throw new IllegalArgumentException("confusionMatrix: " + labels.length + " labels but " + predicted.length
                    + " predictions");
        }
        if (classes < 1) throw new IllegalArgumentException("confusionMatrix: classes must be at least 1, got " + classes);
        int[][] m = new int[classes][classes];
        for (int i = 0; i < labels.length; i++) {
            check(labels[i], classes, "label", i);
            check(predicted[i], classes, "prediction", i);
            m[labels[i]][predicted[i]]++;
        }
        return m;
    }

    /** {@link #confusionMatrix(int[], int[], int)} with as many classes as the largest index seen + 1. */
    public static int[][] confusionMatrix(int[] labels, int[] predicted) {
        if (labels == null || predicted == null) throw new IllegalArgumentException("confusionMatrix: labels or predictions are null");
        int max = 0;
        for (int v : labels) max = Math.max(max, v);
        for (int v : predicted) max = Math.max(max, v);
        return confusionMatrix(labels, predicted, max + 1);
    }

    private static void check(int v, int classes, String what, int i) {
        if (v < 0 || v >= classes) {
            throw new IllegalArgumentException("confusionMatrix: " + what + " " + v + " at " + i + " is not a class index in [0, "
                    + classes + ")");
        }
    }
}
