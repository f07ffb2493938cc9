package dev.sinew.models;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.losses.BinaryCrossentropy;
import dev.sinew.losses.CategoricalCrossentropy;
import dev.sinew.losses.Loss;
import dev.sinew.losses.Losses;
import dev.sinew.optimizers.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Losses end to end: finite differences of the model's loss against {@code computeGradients},
 * on the reference backend, for every (loss, output activation) pair, softmax + cross-entropy
 * (fused) included.
 */
class ModelGradientCheckTest {
    static final double EPS = 1e-3;
    static final double TOL = 1e-2;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("mean_squared_error", "linear"),
                Arguments.of("mean_squared_error", "relu"),
                Arguments.of("mean_squared_error", "sigmoid"),
                Arguments.of("mean_squared_error", "tanh"),
                Arguments.of("mean_squared_error", "softmax"),
                Arguments.of("categorical_crossentropy", "softmax"),   // fused: dz = p - y
                Arguments.of("categorical_crossentropy", "sigmoid"),   // unfused: dp = -y / p
                Arguments.of("categorical_crossentropy(label_smoothing=0.1)", "softmax"),
                Arguments.of("categorical_crossentropy(from_logits)", "linear"),
                Arguments.of("mean_absolute_error", "linear"),
                Arguments.of("mean_absolute_percentage_error", "tanh"),
                Arguments.of("mean_squared_logarithmic_error", "sigmoid"),
                Arguments.of("huber", "linear"),
                Arguments.of("log_cosh", "tanh"),
                Arguments.of("binary_crossentropy", "sigmoid"),        // fused: dz = p - y
                Arguments.of("binary_crossentropy", "softmax"),        // unfused: probabilities from another activation
                Arguments.of("binary_crossentropy(from_logits)", "linear"),
                Arguments.of("kl_divergence", "softmax"),
                Arguments.of("poisson", "sigmoid"),
                Arguments.of("hinge", "tanh"),
                Arguments.of("squared_hinge", "tanh"),
                Arguments.of("categorical_hinge", "linear"),
                Arguments.of("cosine_similarity", "linear"));
    }

    /** A Keras name, or one of the option variants above. */
    static Loss lossOf(String spec) {
        return switch (spec) {
            case "categorical_crossentropy(label_smoothing=0.1)" -> new CategoricalCrossentropy(false, 0.1f);
            case "categorical_crossentropy(from_logits)" -> new CategoricalCrossentropy(true, 0f);
            case "binary_crossentropy(from_logits)" -> new BinaryCrossentropy(true, 0.1f);
            default -> Losses.of(spec);
        };
    }

    static Sequential model(Backend b, String loss, String outAct, long seed) {
        Sequential net = new Sequential(b, seed);
        net.add(new Input(3));
        net.add(new Dense(4, "tanh"));
        net.add(new Dense(3, outAct));
        net.compile(lossOf(loss), new SGD(0.1));
        // Non-zero biases, so their gradients are exercised too.
        List<float[]> w = net.getWeights();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 1; i < w.size(); i += 2) w.set(i, TestUtil.uniform(rng, w.get(i).length, -0.5, 0.5));
        net.setWeights(w);
        return net;
    }

    @ParameterizedTest(name = "{0} after {1}")
    @MethodSource("cases")
    void finiteDifferencesMatchBackward(String loss, String outAct) {
        SplittableRandom rng = new SplittableRandom(5);
        float[][] x = TestUtil.uniform(rng, 4, 3, -1, 1);
        float[][] y = loss.startsWith("categorical") || loss.contains("hinge") ? TestUtil.oneHot(rng, 4, 3) : TestUtil.uniform(rng, 4, 3, 0, 1);
        try (Sequential net = model(Backends.reference(), loss, outAct, 9)) {
            net.computeGradients(x, y);
            List<float[]> analytic = net.getGradients();
            List<float[]> w = net.getWeights();
            for (int t = 0; t < w.size(); t++) {
                float[] numeric = new float[w.get(t).length];
                for (int i = 0; i < numeric.length; i++) {
                    List<float[]> plus = copy(w), minus = copy(w);
                    plus.get(t)[i] += (float) EPS;
                    minus.get(t)[i] -= (float) EPS;
                    net.setWeights(plus);
                    double lp = net.computeGradients(x, y);
                    net.setWeights(minus);
                    double lm = net.computeGradients(x, y);
                    // The step actually taken in float32, not the nominal EPS.
                    double step = (double) plus.get(t)[i] - minus.get(t)[i];
                    numeric[i] = (float) ((lp - lm) / step);
                }
                net.setWeights(w);
                double e = relativeError(analytic.get(t), numeric, 1e-3);
                System.out.printf("finite differences  %-45s after %-8s weight %d  max rel err %.2e%n", loss, outAct, t, e);
                assertTrue(e < TOL, loss + "/" + outAct + " weight " + t + ": relative error " + e);
            }
        }
    }

    static List<float[]> copy(List<float[]> w) {
        List<float[]> c = new ArrayList<>();
        for (float[] a : w) c.add(a.clone());
        return c;
    }
}
