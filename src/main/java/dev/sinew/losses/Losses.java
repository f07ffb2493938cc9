package dev.sinew.losses;

import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** Losses by their Keras names and aliases, with Keras's default arguments. */
public final class Losses {
    private Losses() {}

    public static final String MEAN_SQUARED_ERROR = "mean_squared_error";
    public static final String CATEGORICAL_CROSSENTROPY = "categorical_crossentropy";
    public static final String SPARSE_CATEGORICAL_CROSSENTROPY = "sparse_categorical_crossentropy";

    private record Entry(String name, String aliases, Supplier<Loss> make) {}

    private static final Entry[] ENTRIES = {
        new Entry("mean_squared_error", "mse", MeanSquaredError::new),
        new Entry("mean_absolute_error", "mae", MeanAbsoluteError::new),
        new Entry("mean_absolute_percentage_error", "mape", MeanAbsolutePercentageError::new),
        new Entry("mean_squared_logarithmic_error", "msle", MeanSquaredLogarithmicError::new),
        new Entry("huber", "", Huber::new),
        new Entry("log_cosh", "logcosh", LogCosh::new),
        new Entry("binary_crossentropy", "", BinaryCrossentropy::new),
        new Entry("categorical_crossentropy", "", CategoricalCrossentropy::new),
        new Entry("sparse_categorical_crossentropy", "", SparseCategoricalCrossentropy::new),
        new Entry("kl_divergence", "kld kullback_leibler_divergence", KLDivergence::new),
        new Entry("poisson", "", Poisson::new),
        new Entry("hinge", "", Hinge::new),
        new Entry("squared_hinge", "", SquaredHinge::new),
        new Entry("categorical_hinge", "", CategoricalHinge::new),
        new Entry("cosine_similarity", "", CosineSimilarity::new),
    };

    /**
     * The loss named {@code name} (a Keras name or alias, any case), with Keras's default
     * arguments; an unknown name throws, listing the known ones.
     */
    public static Loss of(String name) {
        if (name == null) throw new IllegalArgumentException("loss name is null");
        String key = name.trim().toLowerCase(Locale.ROOT);
        for (Entry e : ENTRIES) {
            if (e.name.equals(key)) return e.make.get();
            for (String a : e.aliases.split(" ")) if (!a.isEmpty() && a.equals(key)) return e.make.get();
        }
        throw new IllegalArgumentException("Unknown loss '" + name + "'. Known: " + known());
    }

    /**
     * The loss named {@code name} with the options {@code config} (as {@link Loss#getConfig()}
     * returns them: {@code from_logits} and {@code label_smoothing} for the cross-entropies,
     * {@code delta} for huber); what a model file needs to rebuild a loss. An option the loss
     * does not have, or a value of the wrong type, throws.
     */
    public static Loss of(String name, Map<String, ?> config) {
        Loss loss = of(name);
        if (config == null || config.isEmpty()) return loss;
        for (String key : config.keySet())
            if (!loss.getConfig().containsKey(key))
                throw new IllegalArgumentException("loss " + loss.name() + " has no option '" + key + "'. Options: "
                        + (loss.getConfig().isEmpty() ? "none" : String.join(", ", loss.getConfig().keySet())));
        return switch (loss) {
            case Huber h -> new Huber(number(config, "delta", h.delta()));
            case BinaryCrossentropy b -> new BinaryCrossentropy(bool(config, "from_logits", b.fromLogits()),
                    number(config, "label_smoothing", b.labelSmoothing()));
            case CategoricalCrossentropy c -> new CategoricalCrossentropy(bool(config, "from_logits", c.fromLogits()),
                    number(config, "label_smoothing", c.labelSmoothing()));
            default -> loss;
        };
    }

    private static float number(Map<String, ?> config, String key, float fallback) {
        Object v = config.get(key);
        if (v == null) return fallback;
        if (v instanceof Number n) return n.floatValue();
        throw new IllegalArgumentException("loss option " + key + " must be a number. Received: " + key + "=" + v);
    }

    private static boolean bool(Map<String, ?> config, String key, boolean fallback) {
        Object v = config.get(key);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        throw new IllegalArgumentException("loss option " + key + " must be true or false. Received: " + key + "=" + v);
    }

    /** "mean_squared_error (mse), mean_absolute_error (mae), ..." */
    public static String known() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : ENTRIES) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(e.name);
            if (!e.aliases.isEmpty()) sb.append(" (").append(e.aliases.replace(" ", ", ")).append(')');
        }
        return sb.toString();
    }
}
