package dev.sinew.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Small cases computed by hand, in the style of Keras's dense_test.py, on both backends. */
class DenseTest {
    static Stream<Backend> backends() {
        return Stream.of(Backends.reference(), Backends.nativeBackend());
    }

    static Sequential twoByTwo(Backend b, String activation) {
        Sequential net = new Sequential(b, 0);
        net.add(new Input(2));
        net.add(new Dense(2, activation));
        // kernel [[1, -2], [3, -4]], bias [5, -6] (Keras's own example)
        net.setWeights(List.of(new float[] {1, -2, 3, -4}, new float[] {5, -6}));
        return net;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void kerasExampleRelu(Backend b) {
        try (Sequential net = twoByTwo(b, "relu")) {
            // x W = [-1 + 6, 2 - 8] = [5, -6]; + b = [10, -12]; relu -> [10, 0]
            assertArrayEquals(new float[] {10, 0}, net.predictOnBatch(new float[][] {{-1, 2}})[0], 0f);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void activationsByHand(Backend b) {
        float[][] x = {{-1, 2}}; // pre-activation z = [10, -12]
        try (Sequential lin = twoByTwo(b, "linear");
                Sequential sig = twoByTwo(b, "sigmoid");
                Sequential tanh = twoByTwo(b, "tanh");
                Sequential soft = twoByTwo(b, "softmax")) {
            assertArrayEquals(new float[] {10, -12}, lin.predictOnBatch(x)[0], 0f);
            assertArrayEquals(new float[] {(float) (1 / (1 + Math.exp(-10))), (float) (1 / (1 + Math.exp(12)))},
                    sig.predictOnBatch(x)[0], 1e-6f);
            assertArrayEquals(new float[] {(float) Math.tanh(10), (float) Math.tanh(-12)}, tanh.predictOnBatch(x)[0], 1e-6f);
            double e = Math.exp(-22);
            assertArrayEquals(new float[] {(float) (1 / (1 + e)), (float) (e / (1 + e))}, soft.predictOnBatch(x)[0], 1e-7f);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void oneSgdStepByHand(Backend b) {
        // One linear unit, w = [1, 2], b = 0.5; x = [1, -1] -> y = -0.5; target 1.5; MSE = 4.
        // dL/dy = 2 (y - t) = -4; dw = x * -4 = [-4, 4]; db = -4. SGD(0.1): w = [1.4, 1.6], b = 0.9.
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(2));
            net.add(new Dense(1));
            net.compile("mean_squared_error", new SGD(0.1));
            net.setWeights(List.of(new float[] {1, 2}, new float[] {0.5f}));
            float[] r = net.trainOnBatch(new float[][] {{1, -1}}, new float[][] {{1.5f}});
            assertEquals(4f, r[0], 1e-6f);
            List<float[]> w = net.getWeights();
            assertArrayEquals(new float[] {1.4f, 1.6f}, w.get(0), 1e-6f);
            assertArrayEquals(new float[] {0.9f}, w.get(1), 1e-6f);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void lossesAndMetricsByHand(Backend b) {
        // Softmax over [0, ln 3] = [0.25, 0.75]; target [0, 1] -> CE = -ln 0.75; argmax agrees.
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(1));
            net.add(new Dense(2, "softmax"));
            net.compile("categorical_crossentropy", new SGD(0.1), "accuracy", "categorical_accuracy");
            net.setWeights(List.of(new float[] {0, (float) Math.log(3)}, new float[] {0, 0}));
            float[] r = net.testOnBatch(new float[][] {{1}, {1}}, new float[][] {{0, 1}, {1, 0}});
            assertEquals((-Math.log(0.75) - Math.log(0.25)) / 2, r[0], 1e-6);
            assertEquals(0.5f, r[1], 0f);
            assertEquals(0.5f, r[2], 0f);
        }
        // Binary accuracy for one output column: 0.7 -> 1 (hit), 0.2 -> 0 vs target 1 (miss).
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(1));
            net.add(new Dense(1));
            net.compile("mse", new SGD(0.1), "accuracy");
            net.setWeights(List.of(new float[] {1}, new float[] {0}));
            float[] r = net.testOnBatch(new float[][] {{0.7f}, {0.2f}}, new float[][] {{1}, {1}});
            assertEquals((0.09 + 0.64) / 2, r[0], 1e-6);
            assertEquals(0.5f, r[1], 0f);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shapesAndParameterCounts(Backend b) {
        try (Sequential net = new Sequential(b, 3)) {
            net.add(new Input(2));
            net.add(new Dense(150, "relu"));
            net.add(new Dense(1));
            assertEquals(2 * 150 + 150 + 150 + 1, net.countParams());
            List<float[]> w = net.getWeights();
            assertEquals(4, w.size());
            assertEquals(300, w.get(0).length);
            double limit = Math.sqrt(6.0 / (2 + 150)); // Glorot uniform
            for (float v : w.get(0)) assertEquals(0, v, limit);
            for (float v : w.get(1)) assertEquals(0f, v, 0f); // zero biases
            String s = net.summary();
            System.out.print(s);
            assertEquals(true, s.contains("dense (Dense)") && s.contains("(None, 150)") && s.contains("450") && s.contains("151")
                    && s.contains("Total params: 601"), s);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sameSeedSameWeightsOtherSeedOther(Backend b) {
        try (Sequential a = mlp(b, 7); Sequential c = mlp(b, 7); Sequential d = mlp(b, 8)) {
            assertArrayEquals(a.getWeights().get(0), c.getWeights().get(0));
            assertEquals(false, java.util.Arrays.equals(a.getWeights().get(0), d.getWeights().get(0)));
        }
    }

    static Sequential mlp(Backend b, long seed) {
        Sequential net = new Sequential(b, seed);
        net.add(new Input(3));
        net.add(new Dense(4, "tanh"));
        return net;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void constructorRejectsBadHyperParameters(Backend b) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dense(-3));
        assertEquals("Dense units must be a positive integer, got units=-3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dense(3, "rleu"));
    }
}
