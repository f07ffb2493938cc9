package dev.sinew.activations;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The activation functions, by their Keras names. Each derivative is written in terms of the
 * activation's output {@code y}, so layers keep only {@code y} for the backward pass:
 * <ul>
 *   <li>{@code linear}: y = z; dy/dz = 1</li>
 *   <li>{@code relu}: y = max(z, 0); dy/dz = [y &gt; 0]</li>
 *   <li>{@code sigmoid}: y = 1 / (1 + e^-z); dy/dz = y (1 - y)</li>
 *   <li>{@code tanh}: y = tanh z; dy/dz = 1 - y^2</li>
 *   <li>{@code softmax} (per row): y_i = e^z_i / sum_j e^z_j; dz_i = y_i (g_i - sum_j g_j y_j)
 *       for an upstream gradient g</li>
 * </ul>
 */
public enum Activation {
    LINEAR("linear", 0),
    RELU("relu", 1),
    SIGMOID("sigmoid", 2),
    TANH("tanh", 3),
    SOFTMAX("softmax", 4);

    private final String kerasName;
    private final int code;

    Activation(String kerasName, int code) {
        this.kerasName = kerasName;
        this.code = code;
    }

    /** The Keras identifier, e.g. {@code "relu"}. */
    public String kerasName() {
        return kerasName;
    }

    /** The code libsinew uses (enum sinew_activation in sinew.h). */
    public int code() {
        return code;
    }

    /** The activation named {@code name} (Keras spelling); {@code null} means linear, as in Keras. */
    public static Activation of(String name) {
        if (name == null) return LINEAR;
        String key = name.trim().toLowerCase(Locale.ROOT);
        for (Activation a : values()) {
            if (a.kerasName.equals(key)) return a;
        }
        throw new IllegalArgumentException("Unknown activation '" + name + "'. Known: "
                + Arrays.stream(values()).map(Activation::kerasName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return kerasName;
    }
}
