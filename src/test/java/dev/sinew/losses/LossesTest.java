package dev.sinew.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.tensor.Tensor;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keras's losses: values computed by hand (several are Keras's own docstring examples), the
 * names and aliases, and each gradient against central finite differences on the reference
 * backend, with respect to the predictions or, for the fused forms, to the last activation's input.
 */
class LossesTest {
    static final Backend REF = Backends.reference();
    static double worstFd;

    /** The mean loss of Keras's {@code loss(y_true, y_pred)} on the reference backend. */
    static double value(Loss loss, float[][] yTrue, float[][] yPred) {
        int n = yTrue.length, c = yTrue[0].length;
        try (Tensor p = Tensor.of(TestUtil.flatten(yPred), n * c); Tensor t = Tensor.of(TestUtil.flatten(yTrue), n * c)) {
            double ref = loss.compute(REF, p, t, n, c, null, false);
            double nat = loss.compute(Backends.nativeBackend(), p, t, n, c, null, false);
            assertEquals(ref, nat, 1e-6 * Math.max(1, Math.abs(ref)), loss.name() + ": native = reference");
            return ref;
        }
    }

    static void near(double want, double got) {
        assertEquals(want, got, 1e-5 * Math.max(1, Math.abs(want)));
    }

    @Test
    void handComputedValues() {
        float[][] t2 = {{0, 1}, {0, 0}}, p2 = {{0.6f, 0.4f}, {0.4f, 0.6f}};
        // |e| = .6 .6 / .4 .6: row means .6 and .5
        near(0.55, value(Losses.of("mae"), t2, p2));
        // Keras's docstring: 0.155 (0.18 and 0.13 per row)
        near(0.155, value(Losses.of("huber"), t2, p2));
        // delta 0.5: .6 -> .5*.6 - .125 = .175; .4 -> .08; rows (.175+.175)/2, (.08+.175)/2
        near((0.175 + 0.1275) / 2, value(new Huber(0.5f), t2, p2));
        // Keras's docstring: log_cosh([[0,1],[0,0]], [[1,1],[0,0]]) = 0.108 (log cosh 1 / 4)
        near(Math.log(Math.cosh(1)) / 4, value(Losses.of("logcosh"), t2, new float[][] {{1, 1}, {0, 0}}));
        // 100 * mean(|1 / 2|, |-1 / -4|) = 37.5; a zero target divides by 1e-7 instead
        near(37.5, value(Losses.of("mape"), new float[][] {{2, -4}}, new float[][] {{1, -5}}));
        near(0.5 / 1e-7 * 100, value(Losses.of("mean_absolute_percentage_error"), new float[][] {{0}}, new float[][] {{0.5f}}));
        // (log(e^2) - log(e))^2 = 1; a negative prediction counts as 1e-7
        near(1, value(Losses.of("msle"), new float[][] {{(float) (Math.E - 1)}}, new float[][] {{(float) (Math.E * Math.E - 1)}}));
        near(Math.pow(Math.log(1e-7 + 1) - Math.log(2), 2), value(Losses.of("msle"), new float[][] {{1}}, new float[][] {{-3}}));
        // poisson: mean(1 - log(1 + 1e-7), e - 2 log(e + 1e-7))
        near((1 - Math.log(1 + 1e-7) + Math.E - 2 * Math.log(Math.E + 1e-7)) / 2,
                value(Losses.of("poisson"), new float[][] {{1, 2}}, new float[][] {{1, (float) Math.E}}));
        // KL: .5 log(.5/.25) + .5 log(.5/.75), summed (not averaged) over the row
        near(0.5 * Math.log(2) + 0.5 * Math.log(2.0 / 3), value(Losses.of("kld"), new float[][] {{0.5f, 0.5f}}, new float[][] {{0.25f, 0.75f}}));
        // hinge, 0/1 labels become -1/1: max(1 + .3, 0) = 1.3, max(1 - .4, 0) = .6
        float[][] tb = {{0, 1}}, pb = {{0.3f, 0.4f}};
        near(0.95, value(Losses.of("hinge"), tb, pb));
        near((1.69 + 0.36) / 2, value(Losses.of("squared_hinge"), tb, pb));
        // labels not all 0/1 stay as they are: 1 + .3, 1 - .5 * .4
        near((1.3 + 0.8) / 2, value(Losses.of("hinge"), new float[][] {{-1, 0.5f}}, pb));
        // pos = .5, neg = max(.2, 0, .7) = .7: .7 - .5 + 1
        near(1.2, value(Losses.of("categorical_hinge"), new float[][] {{0, 1, 0}}, new float[][] {{0.2f, 0.5f, 0.7f}}));
        // Keras's docstring: per row [-0, -1, 1]; a zero vector gives 0
        near(0, value(Losses.of("cosine_similarity"), new float[][] {{0, 1}, {1, 1}, {1, 1}}, new float[][] {{1, 0}, {1, 1}, {-1, -1}}));
        near(-1, value(Losses.of("cosine_similarity"), new float[][] {{1, 2}}, new float[][] {{2, 4}}));
        near(0, value(Losses.of("cosine_similarity"), new float[][] {{1, 2}}, new float[][] {{0, 0}}));
        // Keras's docstring: binary_crossentropy([[0,1],[0,0]], [[.6,.4],[.4,.6]]) = [0.916, 0.714], mean 0.815
        near((-Math.log(0.4) * 2 - Math.log(0.6) - Math.log(0.4)) / 4, value(Losses.of("binary_crossentropy"), t2, p2));
        // label smoothing .2: targets 0 -> .1 and 1 -> .9
        double ls = -(0.1 * Math.log(0.6) + 0.9 * Math.log(0.4)) - (0.9 * Math.log(0.4) + 0.1 * Math.log(0.6));
        near(ls / 2, value(new BinaryCrossentropy(false, 0.2f), new float[][] {{0, 0}}, new float[][] {{0.6f, 0.6f}}));
        // from logits: z = 0 -> log 2 whatever the label; z = ln 3 and label 1 -> -log .75
        near((Math.log(2) - Math.log(0.75)) / 2, value(new BinaryCrossentropy(true, 0), new float[][] {{1, 1}}, new float[][] {{0, (float) Math.log(3)}}));
        // clipping at 1e-7: a certain wrong answer costs -log(1e-7)
        near(-Math.log(1e-7), value(Losses.of("binary_crossentropy"), new float[][] {{1}}, new float[][] {{0}}));
        // Keras's docstring: categorical_crossentropy = [0.0513, 2.303], mean 1.177
        float[][] t3 = {{0, 1, 0}, {0, 0, 1}}, p3 = {{0.05f, 0.95f, 0}, {0.1f, 0.8f, 0.1f}};
        near((-Math.log(0.95) - Math.log(0.1)) / 2, value(Losses.of("categorical_crossentropy"), t3, p3));
        // smoothing .3 over 3 classes: targets .1 .8 .1
        double cls = -(0.1 * Math.log(0.05) + 0.8 * Math.log(0.95) + 0.1 * Math.log(1e-7))
                - (0.1 * Math.log(0.1) + 0.1 * Math.log(0.8) + 0.8 * Math.log(0.1));
        near(cls / 2, value(new CategoricalCrossentropy(false, 0.3f), t3, p3));
        // logits (0, ln 3): softmax (.25, .75)
        near(-Math.log(0.75), value(new CategoricalCrossentropy(true, 0), new float[][] {{0, 1}}, new float[][] {{0, (float) Math.log(3)}}));
    }

    @Test
    void namesAliasesAndDefaults() {
        for (String[] alias : new String[][] {{"mse", "mean_squared_error"}, {"mae", "mean_absolute_error"},
                {"mape", "mean_absolute_percentage_error"}, {"msle", "mean_squared_logarithmic_error"},
                {"logcosh", "log_cosh"}, {"kld", "kl_divergence"}, {"kullback_leibler_divergence", "kl_divergence"},
                {"Huber", "huber"}, {"poisson", "poisson"}, {"hinge", "hinge"}, {"squared_hinge", "squared_hinge"},
                {"categorical_hinge", "categorical_hinge"}, {"cosine_similarity", "cosine_similarity"},
                {"binary_crossentropy", "binary_crossentropy"}, {"categorical_crossentropy", "categorical_crossentropy"}})
            assertEquals(alias[1], Losses.of(alias[0]).name(), alias[0]);
        assertEquals(1.0f, assertInstanceOf(Huber.class, Losses.of("huber")).delta());
        BinaryCrossentropy bce = assertInstanceOf(BinaryCrossentropy.class, Losses.of("binary_crossentropy"));
        assertEquals(Map.of("from_logits", false, "label_smoothing", 0.0), bce.getConfig());
        assertEquals(Map.of("from_logits", true, "label_smoothing", 0.25), new CategoricalCrossentropy(true, 0.25f).getConfig());
        assertEquals(Map.of(), Losses.of("mae").getConfig());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.of("sparse_categorical_crosentropy"));
        assertTrue(e.getMessage().contains("Unknown loss 'sparse_categorical_crosentropy'"), e.getMessage());
        assertTrue(e.getMessage().contains("mean_absolute_error (mae)") && e.getMessage().contains("cosine_similarity"), e.getMessage());
        // Rebuilt from name + getConfig(), as a model file would
        for (Loss l : new Loss[] {new Huber(0.25f), new BinaryCrossentropy(true, 0.1f), new CategoricalCrossentropy(false, 0.2f),
                Losses.of("mae")}) {
            Loss back = Losses.of(l.name(), l.getConfig());
            assertEquals(l.getClass(), back.getClass());
            assertEquals(l.getConfig(), back.getConfig());
        }
        e = assertThrows(IllegalArgumentException.class, () -> Losses.of("huber", Map.of("from_logits", true)));
        assertTrue(e.getMessage().contains("huber has no option 'from_logits'. Options: delta"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.of("binary_crossentropy", Map.of("from_logits", "yes")));
        assertTrue(e.getMessage().contains("from_logits=yes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Huber(-1));
        assertTrue(e.getMessage().contains("delta=-1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BinaryCrossentropy(false, 1.5f));
        assertTrue(e.getMessage().contains("label_smoothing=1.5"), e.getMessage());
    }

    @Test
    void aNaNPredictionGivesANaNLossOnBothBackends() {
        // A diverged model must show NaN, not a loss made finite by a clip or a max.
        Loss[] losses = {Losses.of("mse"), Losses.of("mae"), Losses.of("mape"), Losses.of("msle"), Losses.of("huber"),
                Losses.of("log_cosh"), Losses.of("binary_crossentropy"), new BinaryCrossentropy(true, 0.1f),
                Losses.of("categorical_crossentropy"), new CategoricalCrossentropy(false, 0.1f), new CategoricalCrossentropy(true, 0),
                Losses.of("kld"), Losses.of("poisson"), Losses.of("hinge"), Losses.of("squared_hinge"),
                Losses.of("categorical_hinge"), Losses.of("cosine_similarity")};
        for (Loss loss : losses)
            for (Backend b : new Backend[] {REF, Backends.nativeBackend()})
                for (boolean fused : new boolean[] {false, true}) {
                    try (Tensor p = Tensor.of(new float[] {0.2f, Float.NaN, 0.3f}, 3); Tensor t = Tensor.of(new float[] {0, 1, 0}, 3)) {
                        double v = loss.compute(b, p, t, 1, 3, null, fused && loss.fusesWith(
                                loss instanceof BinaryCrossentropy ? dev.sinew.activations.Activation.SIGMOID : dev.sinew.activations.Activation.SOFTMAX));
                        assertTrue(Double.isNaN(v), loss.name() + " " + loss.getConfig() + " on " + b + ": " + v);
                    }
                }
    }

    enum Last { NONE, SIGMOID, SOFTMAX }

    /** p from z through the last activation (the fused forms take the gradient w.r.t. z). */
    static float[] activate(Last last, float[] z, int n, int c) {
        float[] p = z.clone();
        if (last == Last.SIGMOID) for (int i = 0; i < p.length; i++) p[i] = (float) (1 / (1 + Math.exp(-z[i])));
        if (last == Last.SOFTMAX)
            for (int r = 0; r < n; r++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < c; j++) max = Math.max(max, z[r * c + j]);
                for (int j = 0; j < c; j++) sum += Math.exp(z[r * c + j] - max);
                for (int j = 0; j < c; j++) p[r * c + j] = (float) (Math.exp(z[r * c + j] - max) / sum);
            }
        return p;
    }

    static Stream<Arguments> gradientCases() {
        // name, loss, activation before it (fused when not NONE), prediction range, one-hot targets
        return Stream.of(
                Arguments.of("mean_squared_error", (Supplier<Loss>) MeanSquaredError::new, Last.NONE, -1.0, 1.0, false),
                Arguments.of("mean_absolute_error", (Supplier<Loss>) MeanAbsoluteError::new, Last.NONE, -1.0, 1.0, false),
                Arguments.of("mean_absolute_percentage_error", (Supplier<Loss>) MeanAbsolutePercentageError::new, Last.NONE, -1.0, 1.0, false),
                Arguments.of("mean_squared_logarithmic_error", (Supplier<Loss>) MeanSquaredLogarithmicError::new, Last.NONE, 0.05, 2.0, false),
                Arguments.of("huber", (Supplier<Loss>) Huber::new, Last.NONE, -2.0, 3.0, false),
                Arguments.of("huber delta 0.2", (Supplier<Loss>) () -> new Huber(0.2f), Last.NONE, -1.0, 1.0, false),
                Arguments.of("log_cosh", (Supplier<Loss>) LogCosh::new, Last.NONE, -3.0, 3.0, false),
                Arguments.of("binary_crossentropy", (Supplier<Loss>) BinaryCrossentropy::new, Last.NONE, 0.05, 0.95, false),
                Arguments.of("binary_crossentropy ls 0.1", (Supplier<Loss>) () -> new BinaryCrossentropy(false, 0.1f), Last.NONE, 0.05, 0.95, true),
                Arguments.of("binary_crossentropy after sigmoid", (Supplier<Loss>) () -> new BinaryCrossentropy(false, 0.1f), Last.SIGMOID, -3.0, 3.0, true),
                Arguments.of("binary_crossentropy from_logits", (Supplier<Loss>) () -> new BinaryCrossentropy(true, 0.2f), Last.NONE, -5.0, 5.0, false),
                Arguments.of("categorical_crossentropy ls 0.1", (Supplier<Loss>) () -> new CategoricalCrossentropy(false, 0.1f), Last.NONE, 0.05, 0.95, true),
                Arguments.of("categorical_crossentropy after softmax", (Supplier<Loss>) CategoricalCrossentropy::new, Last.SOFTMAX, -3.0, 3.0, true),
                Arguments.of("categorical_crossentropy ls after softmax", (Supplier<Loss>) () -> new CategoricalCrossentropy(false, 0.2f), Last.SOFTMAX, -3.0, 3.0, true),
                Arguments.of("categorical_crossentropy from_logits", (Supplier<Loss>) () -> new CategoricalCrossentropy(true, 0.1f), Last.NONE, -5.0, 5.0, true),
                Arguments.of("kl_divergence", (Supplier<Loss>) KLDivergence::new, Last.NONE, 0.05, 0.95, false),
                Arguments.of("poisson", (Supplier<Loss>) Poisson::new, Last.NONE, 0.05, 3.0, false),
                Arguments.of("hinge", (Supplier<Loss>) Hinge::new, Last.NONE, -2.0, 2.0, true),
                Arguments.of("squared_hinge", (Supplier<Loss>) SquaredHinge::new, Last.NONE, -2.0, 2.0, true),
                Arguments.of("hinge soft labels", (Supplier<Loss>) Hinge::new, Last.NONE, -2.0, 2.0, false),
                Arguments.of("categorical_hinge", (Supplier<Loss>) CategoricalHinge::new, Last.NONE, -2.0, 2.0, true),
                Arguments.of("cosine_similarity", (Supplier<Loss>) CosineSimilarity::new, Last.NONE, -2.0, 2.0, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradientCases")
    void finiteDifferences(String what, Supplier<Loss> make, Last last, double lo, double hi, boolean oneHot) {
        int n = 5, c = 4;
        // Seeds chosen so no element lies within a step of a kink (|e| = 0, a hinge, a tied maximum),
        // where finite differences straddle two pieces; seed 0 of categorical_hinge had two maxima 2e-4 apart.
        SplittableRandom rng = new SplittableRandom(what.hashCode() + 1L);
        float[] z = TestUtil.uniform(rng, n * c, lo, hi);
        float[] y = oneHot ? TestUtil.flatten(TestUtil.oneHot(rng, n, c)) : TestUtil.uniform(rng, n * c, 0.1, 1.0);
        Loss loss = make.get();
        float[] analytic;
        try (Tensor p = Tensor.of(activate(last, z, n, c), n * c); Tensor t = Tensor.of(y, n * c);
                Tensor g = Tensor.of(new float[n * c], n * c)) {
            loss.compute(REF, p, t, n, c, g, last != Last.NONE);
            analytic = g.toArray();
        }
        float[] numeric = new float[n * c];
        double h = 1e-3;
        for (int i = 0; i < z.length; i++) {
            float[] plus = z.clone(), minus = z.clone();
            plus[i] += (float) h;
            minus[i] -= (float) h;
            double step = (double) plus[i] - minus[i];  // the step actually taken in float32
            numeric[i] = (float) ((at(loss, activate(last, plus, n, c), y, n, c) - at(loss, activate(last, minus, n, c), y, n, c)) / step);
        }
        double e = TestUtil.relativeError(analytic, numeric, 1e-3);
        worstFd = Math.max(worstFd, e);
        System.out.printf("finite differences  %-45s max rel err %.2e%n", what, e);
        assertTrue(e < 1e-2, what + ": relative error " + e);
    }

    static double at(Loss loss, float[] p, float[] y, int n, int c) {
        try (Tensor pt = Tensor.of(p, n * c); Tensor tt = Tensor.of(y, n * c)) {
            return loss.compute(REF, pt, tt, n, c, null, false);
        }
    }

    @AfterAll
    static void report() {
        System.out.printf("LossesTest: largest finite-difference relative error %.3e%n", worstFd);
    }
}
