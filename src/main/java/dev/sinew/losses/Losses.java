package dev.sinew.losses;

import java.util.Locale;
import java.util.function.Supplier;

/** Losses by their Keras names and aliases, with Keras's default arguments. */
public final class Losses {
    private Losses() {}

    public static final String MEAN_SQUARED_ERROR = "mean_squared_error";
    public static final String CATEGORICAL_CROSSENTROPY = "categorical_crossentropy";

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
