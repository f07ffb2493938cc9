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
 *   <li>{@code leaky_relu}: y = z &gt; 0 ? z : a z (a = negative_slope, Keras default 0.2);
 *       dy/dz = y &gt; 0 ? 1 : a</li>
 *   <li>{@code elu}: y = z &gt; 0 ? z : a (e^z - 1) (a = alpha, default 1); dy/dz = y &gt; 0 ? 1 : y + a</li>
 *   <li>{@code selu}: y = s elu(z, a), s = 1.05070098, a = 1.67326324; dy/dz = y &gt; 0 ? s : y + s a</li>
 *   <li>{@code softplus}: y = log(1 + e^z); dy/dz = sigmoid(z) = 1 - e^-y</li>
 *   <li>{@code softsign}: y = z / (1 + |z|); dy/dz = (1 - |y|)^2</li>
 *   <li>{@code hard_sigmoid}: y = relu6(z + 3) / 6 (Keras 3); dy/dz = 0 &lt; y &lt; 1 ? 1/6 : 0</li>
 *   <li>{@code relu6}: y = min(max(z, 0), 6); dy/dz = 0 &lt; y &lt; 6 ? 1 : 0</li>
 *   <li>{@code exponential}: y = e^z; dy/dz = y</li>
 *   <li>{@code log_softmax} (per row): y_i = z_i - log sum_j e^z_j; dz_i = g_i - e^y_i sum_j g_j</li>
 * </ul>
 * Four are not monotone, so their derivative is no function of y; layers keep the pre-activation
 * z for these ({@link #needsInput()}) and the backward reads it:
 * <ul>
 *   <li>{@code gelu}: y = z &Phi;(z) = 0.5 z (1 + erf(z / &radic;2)), the exact form Keras's
 *       {@code "gelu"} uses; dy/dz = &Phi;(z) + z &phi;(z). {@code gelu_tanh} is the tanh
 *       approximation (Keras's {@code gelu(x, approximate=True)}):
 *       y = 0.5 z (1 + tanh(&radic;(2/&pi;) (z + 0.044715 z^3)))</li>
 *   <li>{@code silu} (alias {@code swish}): y = z sigmoid(z); dy/dz = s (1 + z (1 - s))</li>
 *   <li>{@code hard_silu} (alias {@code hard_swish}): y = z relu6(z + 3) / 6;
 *       dy/dz = z &lt; -3 ? 0 : z &gt; 3 ? 1 : (2z + 3) / 6</li>
 *   <li>{@code mish}: y = z tanh(softplus(z)); dy/dz = t + z (1 - t^2) sigmoid(z), t = tanh(softplus(z))</li>
 * </ul>
 */
public enum Activation {
    LINEAR("linear", 0),
    RELU("relu", 1),
    SIGMOID("sigmoid", 2),
    TANH("tanh", 3),
    SOFTMAX("softmax", 4),
    LEAKY_RELU("leaky_relu", 5, 0.2f, false),
    ELU("elu", 6, 1f, false),
    SELU("selu", 7),
    GELU("gelu", 8, 0f, true),
    GELU_TANH("gelu_tanh", 9, 0f, true),
    SILU("silu", 10, 0f, true),
    SOFTPLUS("softplus", 11),
    SOFTSIGN("softsign", 12),
    HARD_SIGMOID("hard_sigmoid", 13),
    HARD_SILU("hard_silu", 14, 0f, true),
    RELU6("relu6", 15),
    EXPONENTIAL("exponential", 16),
    MISH("mish", 17, 0f, true),
    LOG_SOFTMAX("log_softmax", 18);

    /** SELU's fixed constants (Klambauer et al. 2017, as Keras). */
    public static final double SELU_ALPHA = 1.67326324, SELU_SCALE = 1.05070098;

    private final String kerasName;
    private final int code;
    private final float defaultAlpha;
    private final boolean needsInput;

    Activation(String kerasName, int code) {
        this(kerasName, code, 0f, false);
    }

    Activation(String kerasName, int code, float defaultAlpha, boolean needsInput) {
        this.kerasName = kerasName;
        this.code = code;
        this.defaultAlpha = defaultAlpha;
        this.needsInput = needsInput;
    }

    /**
     * The activation's parameter when named by string, as Keras's defaults: leaky_relu's
     * {@code negative_slope} 0.2, elu's {@code alpha} 1; 0 (unused) for the others.
     */
    public float defaultAlpha() {
        return defaultAlpha;
    }

    /**
     * Whether the backward pass needs the pre-activation z (gelu, gelu_tanh, silu, hard_silu,
     * mish: not monotone, so z is no function of y); the others differentiate from the output y.
     */
    public boolean needsInput() {
        return needsInput;
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
        String key = switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "swish" -> "silu";           // Keras's aliases
            case "hard_swish" -> "hard_silu";
            case String k -> k;
        };
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
