package dev.sinew.losses;

import java.util.Locale;

/** Losses by their Keras names. */
public final class Losses {
    private Losses() {}

    public static final String MEAN_SQUARED_ERROR = "mean_squared_error";
    public static final String CATEGORICAL_CROSSENTROPY = "categorical_crossentropy";
    public static final String SPARSE_CATEGORICAL_CROSSENTROPY = "sparse_categorical_crossentropy";

    /** The loss named {@code name}: {@code mean_squared_error} (or {@code mse}), {@code categorical_crossentropy}. */
    public static Loss of(String name) {
        if (name == null) throw new IllegalArgumentException("loss name is null");
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "mean_squared_error", "mse" -> new MeanSquaredError();
            case "categorical_crossentropy" -> new CategoricalCrossentropy();
            case "sparse_categorical_crossentropy" -> new SparseCategoricalCrossentropy();
            default -> throw new IllegalArgumentException("Unknown loss '" + name
                    + "'. Known: mean_squared_error (mse), categorical_crossentropy, sparse_categorical_crossentropy");
        };
    }
}
