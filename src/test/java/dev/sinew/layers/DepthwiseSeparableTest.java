package dev.sinew.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.models.Sequential;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DepthwiseConv2D and SeparableConv2D: hand-computed outputs (including Keras's output channel
 * order c*M + m), Keras's shapes and parameter counts in {@code summary()}, Keras's initialiser
 * limits, configs and their round trip through {@link Layers#fromConfig}, and errors that name the
 * layer and the shapes.
 */
class DepthwiseSeparableTest {
    static Stream<Backend> backends() {
        return Stream.of(Backends.reference(), Backends.nativeBackend());
    }

    /** A 3x3 image of 2 channels: channel 0 holds 1..9 row by row, channel 1 ten times that. */
    static final float[][] IMAGE = new float[1][18];

    static {
        for (int p = 0; p < 9; p++) {
            IMAGE[0][2 * p] = p + 1;
            IMAGE[0][2 * p + 1] = 10 * (p + 1);
        }
    }

    /**
     * A (2, 2, 2, 2) depthwise kernel in Keras's layout, flat index ((kh*2 + kw)*2 + c)*2 + m:
     * channel 0, filter 0 sums the window; channel 0, filter 1 takes its top-left pixel; channel 1,
     * filter 0 its bottom-right pixel; channel 1, filter 1 half the window's sum.
     */
    static float[] depthwiseKernel() {
        float[] k = new float[16];
        for (int kh = 0; kh < 2; kh++) {
            for (int kw = 0; kw < 2; kw++) {
                int tap = (kh * 2 + kw) * 4;
                k[tap] = 1;                                   // c 0, m 0
                k[tap + 1] = kh == 0 && kw == 0 ? 1 : 0;      // c 0, m 1
                k[tap + 2] = kh == 1 && kw == 1 ? 1 : 0;      // c 1, m 0
                k[tap + 3] = 0.5f;                            // c 1, m 1
            }
        }
        return k;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void depthwiseByHand(Backend b) {
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(3, 3, 2));
            net.add(new DepthwiseConv2D(2, 1, "valid", 2, "linear"));
            net.setWeights(List.of(depthwiseKernel(), new float[] {0.5f, 0, 0, -1}));
            // Window (0, 0): channel 0 holds 1, 2, 4, 5 -> sum 12, top-left 1; channel 1 holds
            // 10, 20, 40, 50 -> bottom-right 50, half-sum 60. Outputs in Keras's order c*M + m,
            // plus the bias [0.5, 0, 0, -1]: [12.5, 1, 50, 59]. Then windows (0, 1), (1, 0), (1, 1).
            assertArrayEquals(new float[] {12.5f, 1, 50, 59, 16.5f, 2, 60, 79, 24.5f, 4, 80, 119, 28.5f, 5, 90, 139},
                    net.predictOnBatch(IMAGE)[0], 0f);
        }
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(3, 3, 2));
            net.add(new DepthwiseConv2D(2, 2, 2, 2, "same", 1, Activation.RELU, false)); // 2x2 output, no bias
            float[] k = new float[8];
            Arrays.fill(k, 1);
            k[1] = k[3] = k[5] = k[7] = -1; // channel 1 negated
            net.setWeights(List.of(k));
            // "same", stride 2: windows at (0, 0), (0, 2), (2, 0), (2, 2), the last three cut by the
            // border (zero padding). Channel 0: 1+2+4+5 = 12, 3+6 = 9, 7+8 = 15, 9; channel 1 is
            // negative, so relu gives 0.
            assertArrayEquals(new float[] {12, 0, 9, 0, 15, 0, 9, 0}, net.predictOnBatch(IMAGE)[0], 0f);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void separableByHand(Backend b) {
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(3, 3, 2));
            net.add(new SeparableConv2D(2, 2, 1, "valid", 2, "relu"));
            // The depthwise step as above without a bias: [12, 1, 50, 60], [16, 2, 60, 80],
            // [24, 4, 80, 120], [28, 5, 90, 140]. The pointwise kernel (1, 1, 4, 2) mixes them:
            // filter 0 = d0 - d3/4 + 4, filter 1 = d1 + d2 - d3/2 + 1; relu.
            float[] pointwise = {1, 0, 0, 1, 0, 1, -0.25f, -0.5f};
            net.setWeights(List.of(depthwiseKernel(), pointwise, new float[] {4, 1}));
            // (0, 0): 12 - 15 + 4 = 1,  1 + 50 - 30 + 1 = 22;   (0, 1): 16 - 20 + 4 = 0,  2 + 60 - 40 + 1 = 23;
            // (1, 0): 24 - 30 + 4 = -2 -> 0,  4 + 80 - 60 + 1 = 25;   (1, 1): 28 - 35 + 4 = -3 -> 0,  5 + 90 - 70 + 1 = 26
            assertArrayEquals(new float[] {1, 22, 0, 23, 0, 25, 0, 26}, net.predictOnBatch(IMAGE)[0], 0f);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void kerasShapesAndParameterCounts(Backend b) {
        try (Sequential net = new Sequential(b, 1)) {
            net.add(new Input(28, 28, 32));
            net.add(new SeparableConv2D(64, 3));
            net.add(new DepthwiseConv2D(3, 2, "same", 2, "relu"));
            net.add(new SeparableConv2D(16, 3, 3, 1, 2, "same", 3, Activation.RELU, false));
            net.add(new DepthwiseConv2D(5, 5, 1, 1, "valid", 1, Activation.LINEAR, false));
            String s = net.summary();
            System.out.print(s);
            // 3*3*32 + 32*64 + 64 = 2400;  3*3*64*2 + 128 = 1280;  3*3*128*3 + 384*16 = 9600;  5*5*16 = 400
            String[][] rows = {{"separable_conv2d (SeparableConv2D)", "(None, 26, 26, 64)", "2,400"},
                {"depthwise_conv2d (DepthwiseConv2D)", "(None, 13, 13, 128)", "1,280"},
                {"separable_conv2d_1 (SeparableConv2D)", "(None, 13, 7, 16)", "9,600"},
                {"depthwise_conv2d_1 (DepthwiseConv2D)", "(None, 9, 3, 16)", "400"}};
            for (String[] row : rows) {
                boolean found = s.lines().map(String::trim).anyMatch(line -> line.startsWith(row[0] + " ")
                        && line.substring(row[0].length()).trim().startsWith(row[1]) && line.endsWith(" " + row[2]));
                assertTrue(found, "summary should have the row " + Arrays.toString(row) + "\n" + s);
            }
            assertTrue(s.contains("Total params: 13,680 "), s);
            Layer sep = net.getLayer("separable_conv2d");
            assertEquals(List.of("depthwise_kernel", "pointwise_kernel", "bias"), sep.weightNames());
            assertEquals("[(3, 3, 32, 1), (1, 1, 32, 64), (64,)]", sep.weightShapes().toString());
            assertEquals(List.of("kernel", "bias"), net.getLayer("depthwise_conv2d").weightNames());
            assertEquals("[(3, 3, 64, 2), (128,)]", net.getLayer("depthwise_conv2d").weightShapes().toString());
            assertEquals(List.of("depthwise_kernel", "pointwise_kernel"), net.getLayer("separable_conv2d_1").weightNames());
            assertEquals(List.of("kernel"), net.getLayer("depthwise_conv2d_1").weightNames());
        }
    }

    /**
     * Keras's glorot_uniform with Keras's fans (receptive field times the last two axes): limit
     * sqrt(6 / (kh*kw*C + kh*kw*M)) for a depthwise kernel, sqrt(6 / (C*M + F)) for a pointwise one.
     */
    @Test
    void kerasInitialisers() {
        try (Sequential net = new Sequential(Backends.nativeBackend(), 3)) {
            net.add(new Input(8, 8, 32));
            net.add(new SeparableConv2D(64, 3, 1, "valid", 2, "relu"));
            net.add(new DepthwiseConv2D(3, 1, "valid", 4, "relu"));
            List<float[]> w = net.getWeights();
            checkUniform("separable depthwise_kernel", w.get(0), Math.sqrt(6.0 / (9 * 32 + 9 * 2)));
            checkUniform("separable pointwise_kernel", w.get(1), Math.sqrt(6.0 / (64 + 64)));
            assertArrayEquals(new float[64], w.get(2));
            checkUniform("depthwise kernel", w.get(3), Math.sqrt(6.0 / (9 * 64 + 9 * 4)));
            assertArrayEquals(new float[256], w.get(4));
        }
    }

    static void checkUniform(String what, float[] w, double limit) {
        double max = 0, sum = 0;
        for (float v : w) {
            max = Math.max(max, Math.abs(v));
            sum += v;
        }
        System.out.printf("%s: %d values, max |w| %.4f, limit %.4f, mean %.4f%n", what, w.length, max, limit, sum / w.length);
        assertTrue(max <= limit && max > 0.97 * limit, what + ": max |w| " + max + " for limit " + limit);
        assertTrue(Math.abs(sum / w.length) < 0.1 * limit, what + ": mean " + sum / w.length);
    }

    @Test
    void configsUseKerasKeysAndRoundTrip() {
        Layer d = new DepthwiseConv2D(3, 2, 2, 1, "same", 2, Activation.RELU, false).withName("dw");
        Map<String, Object> dc = d.getConfig();
        assertEquals("{name=dw, kernel_size=[3, 2], strides=[2, 1], padding=same, depth_multiplier=2, activation=relu,"
                + " use_bias=false}", dc.toString());
        Layer s = new SeparableConv2D(16, 5, 3, 1, 2, "valid", 3, Activation.TANH, true).withName("sep");
        Map<String, Object> sc = s.getConfig();
        assertEquals("{name=sep, filters=16, kernel_size=[5, 3], strides=[1, 2], padding=valid, depth_multiplier=3,"
                + " activation=tanh, use_bias=true}", sc.toString());
        for (Layer l : List.of(d, s)) {
            Layer again = Layers.fromConfig(l.typeName(), l.getConfig());
            assertEquals(l.getClass(), again.getClass());
            assertEquals(l.getConfig(), again.getConfig());
        }
        // A config as Keras writes it: numbers may be 2.0; data_format and dilation_rate are accepted
        // at Keras's defaults only (Sinew implements no other).
        Map<String, Object> keras = new java.util.LinkedHashMap<>(sc);
        keras.put("data_format", "channels_last");
        keras.put("depth_multiplier", 3.0);
        assertEquals(sc, Layers.fromConfig("SeparableConv2D", keras).getConfig());
        keras.put("dilation_rate", List.of(1L, 1L));
        assertEquals(sc, Layers.fromConfig("SeparableConv2D", keras).getConfig());
        keras.put("dilation_rate", List.of(2L, 2L));
        IllegalArgumentException dilated = assertThrows(IllegalArgumentException.class,
                () -> Layers.fromConfig("SeparableConv2D", keras));
        assertEquals("SeparableConv2D: only dilation_rate [1, 1] is supported, got [2, 2]", dilated.getMessage());
        keras.remove("dilation_rate");
        keras.put("data_format", "channels_first");
        assertThrows(IllegalArgumentException.class, () -> Layers.fromConfig("SeparableConv2D", keras));
        keras.put("data_format", "channels_last");
        keras.put("use_bias", "yes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Layers.fromConfig("SeparableConv2D", keras));
        assertEquals("layer config 'use_bias' must be true or false, got yes", e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void errorsNameTheLayerAndShapes(Backend b) {
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(784));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.add(new DepthwiseConv2D(3)));
            assertEquals("DepthwiseConv2D \"depthwise_conv2d\" expects images of shape (height, width, channels), got (784,);"
                    + " declare the image shape with e.g. new Input(28, 28, 1)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> net.add(new SeparableConv2D(8, 3)));
            assertTrue(e.getMessage().startsWith("SeparableConv2D \"separable_conv2d\" expects images of shape (height, width,"
                    + " channels), got (784,)"), e.getMessage());
        }
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(4, 4, 2));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.add(new DepthwiseConv2D(5)));
            assertEquals("DepthwiseConv2D \"depthwise_conv2d\": kernel 5x5 is larger than its input 4x4 (padding \"valid\")",
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> net.add(new SeparableConv2D(8, 5)));
            assertEquals("SeparableConv2D \"separable_conv2d\": kernel 5x5 is larger than its input 4x4 (padding \"valid\")",
                    e.getMessage());
            net.add(new SeparableConv2D(8, 5, 1, "same", "relu")); // "same" pads, so it fits; the model stays usable
            Layer sep = net.getLayer("separable_conv2d_1"); // the rejected one took the first name, as in Keras
            e = assertThrows(IllegalArgumentException.class, () -> sep.setWeights(List.of(new float[50], new float[15], new float[8])));
            assertEquals("SeparableConv2D \"separable_conv2d_1\" weight 1 (pointwise_kernel) must have shape (1, 1, 2, 8) = 16"
                    + " values, got 15", e.getMessage());
        }
    }

    @Test
    void badHyperParametersAndHugeChannelsAreRejected() {
        String[][] expected = {
            {"DepthwiseConv2D depth_multiplier must be a positive integer, got 0"},
            {"DepthwiseConv2D kernel width must be a positive integer, got -1"},
            {"DepthwiseConv2D padding must be \"valid\" or \"same\", got \"full\""},
            {"SeparableConv2D filters must be a positive integer, got 0"},
            {"SeparableConv2D depth_multiplier must be a positive integer, got -2"},
            {"SeparableConv2D stride height must be a positive integer, got 0"}};
        List<Runnable> bad = List.of(() -> new DepthwiseConv2D(3, 1, "valid", 0, "relu"),
                () -> new DepthwiseConv2D(3, -1, 1, 1, "valid", 1, Activation.LINEAR, true),
                () -> new DepthwiseConv2D(3, 1, "full", 1, "relu"), () -> new SeparableConv2D(0, 3),
                () -> new SeparableConv2D(8, 3, 1, "same", -2, "relu"), () -> new SeparableConv2D(8, 3, 0, "same", "relu"));
        for (int i = 0; i < bad.size(); i++) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad.get(i)::run);
            assertEquals(expected[i][0], e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new DepthwiseConv2D(3, "nonsense"));
        // C * M beyond an int: refused when added, naming the layer, before anything is allocated.
        try (Sequential net = new Sequential(Backends.nativeBackend(), 0)) {
            net.add(new Input(2, 2, 65536));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.add(new DepthwiseConv2D(1, 1, "valid", 65536, "linear")));
            assertEquals("DepthwiseConv2D \"depthwise_conv2d\": output channels would hold 65536 x 65536 = 4294967296 values,"
                    + " more than a tensor's 2147483647", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> net.add(new SeparableConv2D(1, 1, 1, "valid", 16384, "linear")));
            assertTrue(e.getMessage().startsWith("SeparableConv2D \"separable_conv2d\": depthwise output per sample would hold"
                    + " 2 x 2 x 65536 x 16384 = 4294967296 values"), e.getMessage());
            assertFalse(net.summary().contains("depthwise_conv2d"), "a rejected layer is not in the model");
        }
    }
}
