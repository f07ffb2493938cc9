package dev.sinew.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.models.Sequential;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BatchNormalization and LayerNormalization on cases small enough to compute by hand, on both
 * backends; their configs, weights and parameter counts as Keras has them; the errors.
 */
class NormalizationTest {
    static Stream<Backend> backends() {
        return Stream.of(Backends.reference(), Backends.nativeBackend());
    }

    static void set(Tensor t, float... values) {
        t.copyFrom(values);
    }

    static float[] head(Tensor t, int n) {
        return java.util.Arrays.copyOf(t.toArray(), n);
    }

    // x (4 x 2): column 0 is 0, 0, 2, 2 (mean 1, variance 1), column 1 is 10, 14, 10, 14 (mean 12,
    // variance 4, standard deviation 2), so xhat = [-1, -1, 1, 1] and [-1, 1, -1, 1]; epsilon 0.
    static final float[] X = {0, 10, 0, 14, 2, 10, 2, 14};

    static LayerHarness batchNorm(Backend b) {
        LayerHarness h = new LayerHarness(new BatchNormalization(-1, 0.9, 0, true, true), Shape.of(2), 4, b, 1);
        set(h.weights.get(0), 2, 3);       // gamma
        set(h.weights.get(1), 0.5f, -1);   // beta
        set(h.weights.get(2), 0, 0);       // moving_mean
        set(h.weights.get(3), 1, 1);       // moving_variance
        set(h.x, X);
        return h;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void batchNormalizationTrainingStepByHand(Backend b) {
        try (LayerHarness h = batchNorm(b)) {
            Tensor y = h.layer.forward(h.x, 4, true);
            // gamma xhat + beta: 2 [-1, -1, 1, 1] + 0.5 and 3 [-1, 1, -1, 1] - 1
            assertArrayEquals(new float[] {-1.5f, -4, -1.5f, 2, 2.5f, -4, 2.5f, 2}, head(y, 8), 1e-6f);
            // moving = moving * 0.9 + batch * 0.1: mean [0.1, 1.2], variance [0.9 + 0.1, 0.9 + 0.4]
            assertArrayEquals(new float[] {0.1f, 1.2f}, h.weights.get(2).toArray(), 1e-6f);
            assertArrayEquals(new float[] {1.0f, 1.3f}, h.weights.get(3).toArray(), 1e-6f);

            // dy = [[1, 0], [0, 1], [0, 0], [1, 1]]: dbeta = [2, 2]; dgamma = sum dy xhat = [-1 + 1, 1 + 1];
            // dx = gamma / std (dy - mean(dy) - xhat mean(dy xhat)): column 0: 2 (dy - 0.5 - 0) = [1, -1, -1, 1];
            // column 1's dy is (xhat + 1) / 2, which normalisation cannot see: dx = 0.
            set(h.dy, 1, 0, 0, 1, 0, 0, 1, 1);
            float[] dx = h.layer.backward(h.dy, 4, true).toArray();
            assertArrayEquals(new float[] {1, 0, -1, 0, -1, 0, 1, 0}, java.util.Arrays.copyOf(dx, 8), 1e-6f);
            assertArrayEquals(new float[] {0, 2}, h.grads.get(0).toArray(), 1e-6f, "dgamma");
            assertArrayEquals(new float[] {2, 2}, h.grads.get(1).toArray(), 1e-6f, "dbeta");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void batchNormalizationInferenceUsesTheMovingStatistics(Backend b) {
        try (LayerHarness h = batchNorm(b)) {
            set(h.weights.get(2), 0.5f, 12);
            set(h.weights.get(3), 0.25f, 16);
            Tensor y = h.layer.forward(h.x, 4, false);
            // 2 (x - 0.5) / 0.5 + 0.5 = 4x - 1.5; 3 (x - 12) / 4 - 1 = [-2.5, 0.5]
            assertArrayEquals(new float[] {-1.5f, -2.5f, -1.5f, 0.5f, 6.5f, -2.5f, 6.5f, 0.5f}, head(y, 8), 1e-6f);
            assertArrayEquals(new float[] {0.5f, 12}, h.weights.get(2).toArray(), 0f, "inference leaves them alone");
            assertArrayEquals(new float[] {0.25f, 16}, h.weights.get(3).toArray(), 0f);
            // Backward of an inference pass: the statistics were constants, dx = gamma dy / std.
            set(h.dy, 1, 1, 1, 1, 1, 1, 1, 1);
            float[] dx = h.layer.backward(h.dy, 4, true).toArray();
            assertArrayEquals(new float[] {4, 0.75f, 4, 0.75f, 4, 0.75f, 4, 0.75f}, java.util.Arrays.copyOf(dx, 8), 1e-6f);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void batchNormalizationDefaultsAsKeras(Backend b) {
        // epsilon 0.001, momentum 0.99, gamma 1, beta 0, moving statistics 0 and 1.
        try (LayerHarness h = new LayerHarness(new BatchNormalization(), Shape.of(2), 4, b, 1)) {
            h.layer.initializeWeights(new java.util.SplittableRandom(0)); // undo the harness's random beta
            set(h.x, X);
            Tensor y = h.layer.forward(h.x, 4, true);
            double s0 = Math.sqrt(1 + 0.001), s1 = Math.sqrt(4 + 0.001);
            float[] want = {(float) (-1 / s0), (float) (-2 / s1), (float) (-1 / s0), (float) (2 / s1),
                    (float) (1 / s0), (float) (-2 / s1), (float) (1 / s0), (float) (2 / s1)};
            assertArrayEquals(want, head(y, 8), 1e-6f);
            // float32, as Keras: moving * 0.99f + batch * (float) (1.0 - 0.99)
            float keep = 0.99f, blend = (float) (1.0 - 0.99);
            assertArrayEquals(new float[] {0 * keep + 1 * blend, 0 * keep + 12 * blend}, h.weights.get(2).toArray(), 0f);
            assertArrayEquals(new float[] {1 * keep + 1 * blend, 1 * keep + 4 * blend}, h.weights.get(3).toArray(), 0f);
        }
    }

    // Two rows of four: [1, 1, 3, 3] (mean 2, variance 1) and [-2, 2, -2, 2] (mean 0, variance 4):
    // xhat = [-1, -1, 1, 1] and [-1, 1, -1, 1]; gamma [1, 2, 3, 4], beta [0, 0, 1, 1]; epsilon 0.
    @ParameterizedTest
    @MethodSource("backends")
    void layerNormalizationByHand(Backend b) {
        try (LayerHarness h = new LayerHarness(new LayerNormalization(-1, 0, true, true), Shape.of(4), 2, b, 1)) {
            set(h.weights.get(0), 1, 2, 3, 4);
            set(h.weights.get(1), 0, 0, 1, 1);
            set(h.x, 1, 1, 3, 3, -2, 2, -2, 2);
            float[] inference = h.layer.forward(h.x, 2, false).toArray();
            Tensor y = h.layer.forward(h.x, 2, true);
            assertArrayEquals(new float[] {-1, -2, 4, 5, -1, 2, -2, 5}, head(y, 8), 1e-6f);
            assertArrayEquals(head(y, 8), java.util.Arrays.copyOf(inference, 8), 0f, "the same in both modes");
            // dy = e_0 in row 0 only: dbeta = [1, 0, 0, 0], dgamma = dy xhat = [-1, 0, 0, 0]; row 0:
            // g = dy gamma = [1, 0, 0, 0], mean(g) = 1/4, mean(g xhat) = -1/4, dx = g - 1/4 + xhat / 4.
            set(h.dy, 1, 0, 0, 0, 0, 0, 0, 0);
            float[] dx = h.layer.backward(h.dy, 2, true).toArray();
            assertArrayEquals(new float[] {0.5f, -0.5f, 0, 0, 0, 0, 0, 0}, java.util.Arrays.copyOf(dx, 8), 1e-6f);
            assertArrayEquals(new float[] {-1, 0, 0, 0}, h.grads.get(0).toArray(), 1e-6f, "dgamma");
            assertArrayEquals(new float[] {1, 0, 0, 0}, h.grads.get(1).toArray(), 1e-6f, "dbeta");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aConstantRowBecomesBeta(Backend b) {
        // Variance 0: epsilon keeps the division finite and xhat is 0 (Keras's default epsilon).
        try (LayerHarness h = new LayerHarness(new LayerNormalization(), Shape.of(3), 1, b, 1)) {
            set(h.weights.get(1), 0.25f, -0.5f, 2);
            set(h.x, 5, 5, 5);
            assertArrayEquals(new float[] {0.25f, -0.5f, 2}, h.layer.forward(h.x, 1, true).toArray(), 0f);
        }
    }

    @Test
    void weightsInKerasOrderWithMovingStatisticsNotTrainable() {
        try (Sequential m = new Sequential(1)) {
            m.add(new Input(28, 28, 1));
            m.add(new Conv2D(32, 3));
            m.add(new BatchNormalization());
            m.add(new LayerNormalization());
            m.add(new Flatten());
            m.add(new Dense(10, "softmax"));
            Layer bn = m.getLayer("batch_normalization");
            assertEquals(List.of("gamma", "beta", "moving_mean", "moving_variance"), bn.weightNames());
            assertEquals(List.of(true, true, false, false), bn.weightTrainable());
            assertEquals(128, bn.parameterCount(), "Keras: 4 x 32");
            assertEquals(64, bn.trainableParameterCount());
            assertEquals(List.of("gamma", "beta"), m.getLayer("layer_normalization").weightNames());
            List<float[]> w = bn.getWeights();
            assertArrayEquals(ones(32), w.get(0));
            assertArrayEquals(new float[32], w.get(1));
            assertArrayEquals(new float[32], w.get(2));
            assertArrayEquals(ones(32), w.get(3));
            String s = m.summary();
            System.out.println(s);
            assertTrue(s.contains(" batch_normalization (BatchNormalization) (None, 26, 26, 32)        128"), s);
            assertTrue(s.contains(" layer_normalization (LayerNormalization) (None, 26, 26, 32)        64"), s);
            long total = 320 + 128 + 64 + 26 * 26 * 32 * 10 + 10;
            assertTrue(s.contains(String.format(java.util.Locale.ROOT, "Total params: %,d ", total)), s);
            assertTrue(s.contains(String.format(java.util.Locale.ROOT, "Trainable params: %,d ", total - 64)), s);
            assertTrue(s.contains("Non-trainable params: 64 (256.00 B)"), s);
            // the table: moving statistics last, without gradients
            var table = m.parameterTable();
            var moving = table.variables().stream().filter(v -> v.name().startsWith("moving_")).toList();
            assertEquals(2, moving.size());
            for (var v : moving) {
                assertTrue(v.offset() >= table.trainableSize(), v.path() + " after the trainable weights");
                assertEquals(null, table.gradient(v));
            }
        }
    }

    static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    @Test
    void configsAsKerasAndBack() {
        BatchNormalization bn = new BatchNormalization(-1, 0.9, 1e-5, false, true);
        bn.withName("bn");
        Map<String, Object> c = bn.getConfig();
        assertEquals(Map.of("name", "bn", "axis", -1L, "momentum", 0.9, "epsilon", 1e-5, "center", false, "scale", true), c);
        Layer again = Layers.fromConfig("BatchNormalization", c);
        assertEquals(c, again.getConfig());
        assertEquals(List.of("gamma", "moving_mean", "moving_variance"), build(again, Shape.of(3)).weightNames());
        // Keras's defaults for keys a config leaves out
        BatchNormalization d = (BatchNormalization) Layers.fromConfig("BatchNormalization", Map.of("name", "b"));
        assertEquals(0.99, d.momentum());
        assertEquals(1e-3, d.epsilon());

        // LayerNormalization writes its axis as Keras does once built: the list of positive axes.
        try (Sequential m = new Sequential(1)) {
            m.add(new Input(5, 4, 3));
            LayerNormalization ln = new LayerNormalization(1e-5);
            assertEquals(-1L, ln.getConfig().get("axis"));
            m.add(ln);
            Map<String, Object> lc = ln.getConfig();
            assertEquals(List.of(3L), lc.get("axis"));
            assertEquals(1e-5, lc.get("epsilon"));
            assertEquals(false, lc.get("rms_scaling"));
            Layer copy = Layers.fromConfig("LayerNormalization", lc);
            build(copy, Shape.of(5, 4, 3));
            assertEquals(lc, copy.getConfig());
        }
    }

    static Layer build(Layer l, Shape in) {
        l.build(in, Backends.reference());
        return l;
    }

    @Test
    void badSettingsAreRefusedNamingTheValue() {
        assertMessage(() -> new BatchNormalization(1.5, 1e-3), "momentum=1.5");
        assertMessage(() -> new BatchNormalization(0.99, -1), "epsilon=-1.0");
        assertMessage(() -> new LayerNormalization(Double.NaN), "epsilon=NaN");
        assertMessage(() -> build(new BatchNormalization(1, 0.99, 1e-3, true, true), Shape.of(28, 28, 1)),
                "BatchNormalization \"batch_normalization\" normalises the last axis only: axis=-1 or axis=3", "got axis=1");
        build(new BatchNormalization(3, 0.99, 1e-3, true, true), Shape.of(28, 28, 1)); // the last axis, counted as Keras
        assertMessage(() -> Layers.fromConfig("BatchNormalization", Map.of("renorm", true)), "renorm=true is not supported");
        assertMessage(() -> Layers.fromConfig("LayerNormalization", Map.of("axis", List.of(2L, 3L))), "got axis=[2, 3]");
        assertMessage(() -> Layers.fromConfig("LayerNormalization", Map.of("rms_scaling", true)), "rms_scaling=true");
        assertMessage(() -> Layers.fromConfig("LayerNormalization", Map.of("center", "yes")), "'center', got yes");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable e, String... parts) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        for (String p : parts) assertTrue(x.getMessage().contains(p), x.getMessage());
    }
}
