package dev.sinew.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.io.Json;
import dev.sinew.models.Sequential;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hand-computed cases for GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D, Reshape,
 * Permute and use_bias=false, on both backends; Keras's output shapes, names and configs; errors
 * that name the layer and the shapes.
 */
class PoolingReshapingTest {
    static Stream<Backend> backends() {
        return Stream.of(Backends.reference(), Backends.nativeBackend());
    }

    /** One sample through a lone layer: its output, and dx for the given dy. */
    record Pass(float[] y, float[] dx) {}

    static Pass pass(Backend b, Layer layer, Shape in, float[] x, float[] dy) {
        try (Workspace ws = new Workspace()) {
            Shape out = layer.build(in, b);
            layer.allocate(ws, 1);
            Tensor xt = ws.allocate(Shape.of(1, (int) in.size())), dyt = ws.allocate(Shape.of(1, (int) out.size()));
            xt.copyFrom(x);
            float[] y = Arrays.copyOf(layer.forward(xt, 1, true).toArray(), (int) out.size());
            if (dy == null) return new Pass(y, null);
            dyt.copyFrom(dy);
            return new Pass(y, Arrays.copyOf(layer.backward(dyt, 1, true).toArray(), (int) in.size()));
        }
    }

    // A 2x2 image of 2 channels, (h, w, c) in row-major order: channel 0 is 1, 3, 5, 7; channel 1 is 8, 6, 4, 2.
    static final float[] TWO_CHANNELS = {1, 8, 3, 6, 5, 4, 7, 2};

    @ParameterizedTest
    @MethodSource("backends")
    void globalPoolingByHand(Backend b) {
        // means (1 + 3 + 5 + 7) / 4 = 4 and (8 + 6 + 4 + 2) / 4 = 5; each pixel gets dy / 4
        Pass avg = pass(b, new GlobalAveragePooling2D(), Shape.of(2, 2, 2), TWO_CHANNELS, new float[] {4, -8});
        assertArrayEquals(new float[] {4, 5}, avg.y(), 0f);
        assertArrayEquals(new float[] {1, -2, 1, -2, 1, -2, 1, -2}, avg.dx(), 0f);
        // maxima 7 (pixel 3, channel 0) and 8 (pixel 0, channel 1): the gradient goes there only
        Pass max = pass(b, new GlobalMaxPooling2D(), Shape.of(2, 2, 2), TWO_CHANNELS, new float[] {10, 20});
        assertArrayEquals(new float[] {7, 8}, max.y(), 0f);
        assertArrayEquals(new float[] {0, 20, 0, 0, 0, 0, 10, 0}, max.dx(), 0f);
        // a tie: the first maximum takes the whole gradient, as numpy's argmax
        Pass tie = pass(b, new GlobalMaxPooling2D(), Shape.of(3, 1, 1), new float[] {2, 5, 5}, new float[] {1});
        assertArrayEquals(new float[] {0, 1, 0}, tie.dx(), 0f);
        // the 4x4 image 1..16: mean 8.5, max 16; keepdims only changes the shape
        float[] image = new float[16];
        for (int i = 0; i < 16; i++) image[i] = i + 1;
        GlobalAveragePooling2D kept = new GlobalAveragePooling2D(true);
        assertArrayEquals(new float[] {8.5f}, pass(b, kept, Shape.of(4, 4, 1), image, null).y(), 0f);
        assertEquals(Shape.of(1, 1, 1), kept.outputShape());
        assertArrayEquals(new float[] {16}, pass(b, new GlobalMaxPooling2D(true), Shape.of(4, 4, 1), image, null).y(), 0f);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void zeroPaddingByHand(Backend b) {
        // Keras's docstring example: [[0, 1], [2, 3]] padded by 1 on every side
        Pass p = pass(b, new ZeroPadding2D(1), Shape.of(2, 2, 1), new float[] {0, 1, 2, 3}, new float[] {
            1, 2, 3, 4,
            5, 6, 7, 8,
            9, 10, 11, 12,
            13, 14, 15, 16});
        assertArrayEquals(new float[] {
            0, 0, 0, 0,
            0, 0, 1, 0,
            0, 2, 3, 0,
            0, 0, 0, 0}, p.y(), 0f);
        assertArrayEquals(new float[] {6, 7, 10, 11}, p.dx(), 0f); // the crop: the gradient of the inner pixels
        // ((top 1, bottom 0), (left 0, right 2)) around one pixel of two channels: (2, 3, 2)
        Pass q = pass(b, new ZeroPadding2D(new int[][] {{1, 0}, {0, 2}}), Shape.of(1, 1, 2), new float[] {5, 6},
                new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 5, 6, 0, 0, 0, 0}, q.y(), 0f);
        assertArrayEquals(new float[] {7, 8}, q.dx(), 0f);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void reshapeAndPermuteByHand(Backend b) {
        float[] six = {1, 2, 3, 4, 5, 6};
        Reshape r = new Reshape(-1, 2);
        Pass rp = pass(b, r, Shape.of(2, 3), six, six);
        assertEquals(Shape.of(3, 2), r.outputShape());
        assertArrayEquals(six, rp.y(), 0f);
        assertArrayEquals(six, rp.dx(), 0f);
        // [[1, 2, 3], [4, 5, 6]] transposed is [[1, 4], [2, 5], [3, 6]]; its gradient transposes back
        Permute t = new Permute(2, 1);
        Pass tp = pass(b, t, Shape.of(2, 3), six, new float[] {1, 4, 2, 5, 3, 6});
        assertEquals(Shape.of(3, 2), t.outputShape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, tp.y(), 0f);
        assertArrayEquals(six, tp.dx(), 0f);
        // (h, w, c) = (2, 2, 2) holding 0..7 to (c, h, w): channel 0 is 0, 2, 4, 6, channel 1 is 1, 3, 5, 7
        float[] eight = {0, 1, 2, 3, 4, 5, 6, 7};
        Permute chw = new Permute(3, 1, 2);
        assertArrayEquals(new float[] {0, 2, 4, 6, 1, 3, 5, 7}, pass(b, chw, Shape.of(2, 2, 2), eight, null).y(), 0f);
        // swapping height and width of a 2x3 image of one channel: [[0, 1, 2], [3, 4, 5]] -> [[0, 3], [1, 4], [2, 5]]
        Permute hw = new Permute(2, 1, 3);
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, pass(b, hw, Shape.of(2, 3, 1), new float[] {0, 1, 2, 3, 4, 5}, null).y(), 0f);
        assertEquals(Shape.of(3, 2, 1), hw.outputShape());
    }

    /**
     * The kernels write every value of their output, padding and untouched pixels included: a
     * layer's buffers start zeroed, so a kernel that skipped its zeros would pass every other test
     * here until a buffer is reused. Outputs start as NaN; two images, so the second image's offset counts.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void kernelsOverwriteTheirWholeOutput(Backend b) {
        try (Workspace ws = new Workspace()) {
            Tensor x = ws.allocate(Shape.of(2, 6)), out = ws.allocate(Shape.of(2, 40)), argmax = ws.allocate(Shape.of(2, 2));
            x.copyFrom(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
            // (1, 3, 2) images padded ((1, 1), (2, 1)): (3, 6, 2), the pixels at row 1, columns 2..4
            out.segment().fill((byte) 0xff);
            b.zeroPad(out, x, 2, 1, 3, 2, 1, 1, 2, 1);
            float[] want = new float[72];
            for (int n = 0; n < 2; n++) System.arraycopy(x.toArray(), 6 * n, want, n * 36 + 12 + 4, 6);
            assertArrayEquals(want, Arrays.copyOf(out.toArray(), 72), 0f);
            Tensor dx = ws.allocate(Shape.of(2, 6));
            dx.segment().fill((byte) 0xff);
            b.zeroPadBackward(dx, out, 2, 1, 3, 2, 1, 1, 2, 1);
            assertArrayEquals(x.toArray(), dx.toArray(), 0f);
            // global pooling of (3, 1, 2) images: every dx value rewritten; dy is (1, 2) and (3, 4)
            dx.segment().fill((byte) 0xff);
            b.globalAvgPoolBackward(dx, x, 2, 3, 2);
            assertArrayEquals(new float[] {1 / 3f, 2 / 3f, 1 / 3f, 2 / 3f, 1 / 3f, 2 / 3f, 1, 4 / 3f, 1, 4 / 3f, 1, 4 / 3f},
                    dx.toArray(), 0f);
            b.globalMaxPool(out, argmax, x, 2, 3, 2);
            assertArrayEquals(new float[] {5, 6, 11, 12}, Arrays.copyOf(out.toArray(), 4), 0f);
            dx.segment().fill((byte) 0xff);
            b.globalMaxPoolBackward(dx, out, argmax, 2, 3, 2);
            assertArrayEquals(new float[] {0, 0, 0, 0, 5, 6, 0, 0, 0, 0, 11, 12}, dx.toArray(), 0f);
            // transposes of (2, 3): every value lands somewhere, and the inverse brings it back
            dev.sinew.backend.Transpose t = dev.sinew.backend.Transpose.of(Shape.of(2, 3), 1, 0);
            out.segment().fill((byte) 0xff);
            b.transpose(out, x, 2, t);
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12}, Arrays.copyOf(out.toArray(), 12), 0f);
            dx.segment().fill((byte) 0xff);
            b.transpose(dx, out, 2, t.inverse());
            assertArrayEquals(x.toArray(), dx.toArray(), 0f);
        }
    }

    /** Sizes are checked in Java before any native call: a wrong one is an exception, never a write out of bounds. */
    @ParameterizedTest
    @MethodSource("backends")
    void theBackendChecksSizesFirst(Backend b) {
        try (Workspace ws = new Workspace()) {
            Tensor x = ws.allocate(Shape.of(2, 12)), small = ws.allocate(Shape.of(2, 5)), argmax = ws.allocate(Shape.of(1));
            String[][] expected = {
                {"zeroPad: padded needs 48 elements but its tensor (2, 5) has 10"}, // 2 x (2+1) x (3+1) x 2
                {"zeroPad: padding must be >= 0, got top=-1, bottom=0, left=0, right=0"},
                {"zeroPad: sizes [2147483647, 2147483647, 2147483647, 2147483647] multiply beyond a long"},
                {"zeroPadBackward: image needs 24 elements but its tensor (2, 5) has 10"},
                {"globalMaxPool: argmax needs 6 elements but its tensor (1,) has 1"},
                {"globalAvgPool: image needs 36 elements but its tensor (2, 12) has 24"},
                {"globalAvgPoolBackward: HW must be positive, got 0"},
                {"transpose: y and x must be different buffers"},
                {"transpose: y needs 24 elements but its tensor (2, 5) has 10"},
                {"transpose: axes [0, 0] must be a permutation of 0..1 for a sample of shape (3, 4) (at most 4 axes)"},
            };
            dev.sinew.backend.Transpose t = dev.sinew.backend.Transpose.of(Shape.of(3, 4), 1, 0);
            List<Runnable> calls = List.of(() -> b.zeroPad(small, x, 2, 2, 3, 2, 1, 0, 1, 0),
                    () -> b.zeroPad(x, x, 2, 2, 3, 2, -1, 0, 0, 0),
                    () -> b.zeroPad(x, x, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 0, 0, 0),
                    () -> b.zeroPadBackward(small, x, 2, 2, 3, 2, 0, 0, 0, 0), () -> b.globalMaxPool(small, argmax, x, 2, 4, 3),
                    () -> b.globalAvgPool(x, x, 3, 4, 3), () -> b.globalAvgPoolBackward(x, x, 2, 0, 3),
                    () -> b.transpose(x, x, 2, t), () -> b.transpose(small, x, 2, t),
                    () -> dev.sinew.backend.Transpose.of(Shape.of(3, 4), 0, 0));
            for (int i = 0; i < calls.size(); i++) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, calls.get(i)::run);
                assertEquals(expected[i][0], e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void withoutBiasTheKernelIsTheOnlyWeight(Backend b) {
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(4, 4, 1));
            Conv2D conv = new Conv2D(1, 3).useBias(false);
            net.add(conv);
            assertEquals(List.of("kernel"), conv.weightNames());
            assertEquals(List.of(Shape.of(3, 3, 1, 1)), conv.weightShapes());
            assertEquals(9, conv.parameterCount());
            float[] ones = new float[9];
            Arrays.fill(ones, 1);
            net.setWeights(List.of(ones));
            // windows of 1..16 (see ConvPoolTest), and no bias added
            assertArrayEquals(new float[] {54, 63, 90, 99}, net.predictOnBatch(ConvPoolTest.IMAGE)[0], 0f);
            assertThrows(IllegalArgumentException.class, () -> net.setWeights(List.of(ones, new float[] {1})));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> conv.setWeights(List.of(ones, new float[] {1})));
            System.out.println("rejected: " + e.getMessage());
            assertTrue(e.getMessage().contains("(kernel)"), e.getMessage());
            assertArrayEquals(ones, conv.getWeights().get(0), 0f); // unchanged
        }
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(2));
            net.add(new Dense(2).useBias(false));
            // Keras's dense_test: kernel [[1, -2], [3, -4]], input [-1, 2]: [-1 + 6, 2 - 8] = [5, -6]
            net.setWeights(List.of(new float[] {1, -2, 3, -4}));
            assertArrayEquals(new float[] {5, -6}, net.predictOnBatch(new float[][] {{-1, 2}})[0], 0f);
            assertEquals(1, net.getWeights().size());
        }
    }

    @Test
    void useBiasIsSetBeforeTheLayerIsInAModel() {
        try (Sequential net = new Sequential(0)) {
            net.add(new Input(3));
            Dense d = new Dense(2);
            net.add(d);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.useBias(false));
            assertEquals("Dense \"dense\" is already in a model; set use_bias before adding it", e.getMessage());
            assertTrue(d.useBias());
        }
    }

    @Test
    void summaryShowsKerasNamesShapesAndCounts() {
        try (Sequential net = new Sequential(1)) {
            net.add(new Input(8, 8, 3));
            net.add(new ZeroPadding2D(1));
            net.add(new Conv2D(4, 3, "relu").useBias(false));
            net.add(new GlobalMaxPooling2D(true));
            net.add(new Permute(3, 1, 2));
            net.add(new Reshape(2, -1));
            net.add(new Flatten());
            net.add(new Dense(3));
            assertSummaryRows(net.summary(), new String[][] {{"zero_padding2d (ZeroPadding2D)", "(None, 10, 10, 3)", "0"},
                {"conv2d (Conv2D)", "(None, 8, 8, 4)", "108"}, // 3*3*3*4, no bias
                {"global_max_pooling2d (GlobalMaxPooling2D)", "(None, 1, 1, 4)", "0"},
                {"permute (Permute)", "(None, 4, 1, 1)", "0"}, {"reshape (Reshape)", "(None, 2, 2)", "0"},
                {"flatten (Flatten)", "(None, 4)", "0"}, {"dense (Dense)", "(None, 3)", "15"}});
            assertTrue(net.summary().contains("Total params: 123 "), net.summary());
        }
        try (Sequential net = new Sequential(1)) {
            net.add(new Input(28, 28, 1));
            net.add(new Conv2D(32, 3, "relu"));
            net.add(new GlobalAveragePooling2D());
            net.add(new Dense(10, "softmax"));
            assertSummaryRows(net.summary(), new String[][] {{"conv2d (Conv2D)", "(None, 26, 26, 32)", "320"},
                {"global_average_pooling2d (GlobalAveragePooling2D)", "(None, 32)", "0"}, {"dense (Dense)", "(None, 10)", "330"}});
        }
    }

    static void assertSummaryRows(String s, String[][] rows) {
        System.out.print(s);
        for (String[] row : rows) {
            boolean found = s.lines().map(String::trim).anyMatch(line -> line.startsWith(row[0] + " ")
                    && line.substring(row[0].length()).trim().startsWith(row[1] + " ") && line.endsWith(" " + row[2]));
            assertTrue(found, "summary should have the row " + Arrays.toString(row) + "\n" + s);
        }
    }

    /** Every new layer, and Conv2D / Dense without a bias, as a user would make them. */
    static List<Supplier<Layer>> layers() {
        return List.of(GlobalAveragePooling2D::new, () -> new GlobalAveragePooling2D(true), GlobalMaxPooling2D::new,
                () -> new GlobalMaxPooling2D(true), ZeroPadding2D::new, () -> new ZeroPadding2D(2, 3),
                () -> new ZeroPadding2D(new int[][] {{0, 1}, {2, 3}}), () -> new Reshape(-1, 4), () -> new Reshape(2, 2, 3),
                () -> new Permute(2, 1), () -> new Permute(4, 1, 3, 2), () -> new Conv2D(8, 3, 2, "same", "relu").useBias(false),
                () -> new Dense(5, "tanh").useBias(false), () -> new Dense(5, "tanh"));
    }

    @Test
    void configsRebuildTheSameLayer() {
        for (Supplier<Layer> make : layers()) {
            Layer l = make.get().withName("x");
            Map<String, Object> config = l.getConfig();
            // through JSON, as a model file stores it
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = (Map<String, Object>) Json.parse(Json.write(config));
            Layer back = Layers.fromConfig(l.typeName(), parsed);
            assertEquals(l.getClass(), back.getClass());
            assertEquals(config, back.getConfig(), l.typeName());
            System.out.println(l.typeName() + " " + Json.write(config));
        }
        assertEquals("{name=x, data_format=channels_last, keepdims=false}", new GlobalAveragePooling2D().withName("x").getConfig().toString());
        assertEquals("{name=x, padding=[[0, 1], [2, 3]], data_format=channels_last}",
                new ZeroPadding2D(new int[][] {{0, 1}, {2, 3}}).withName("x").getConfig().toString());
        assertEquals("{name=x, target_shape=[-1, 4]}", new Reshape(-1, 4).withName("x").getConfig().toString());
        assertEquals("{name=x, dims=[2, 1]}", new Permute(2, 1).withName("x").getConfig().toString());
        assertEquals(Boolean.FALSE, new Conv2D(8, 3).useBias(false).getConfig().get("use_bias"));
        assertEquals(Boolean.TRUE, new Dense(8).getConfig().get("use_bias"));
    }

    /** Configs as Keras 3 writes them (more keys than Sinew reads), and as older Sinew files hold them. */
    @Test
    void kerasAndOlderConfigsLoad() {
        Layer gap = fromJson("GlobalAveragePooling2D", "{\"name\": \"gap\", \"trainable\": true, \"dtype\": \"float32\","
                + " \"data_format\": \"channels_last\", \"keepdims\": true}");
        assertTrue(((GlobalAveragePooling2D) gap).keepdims());
        assertEquals("gap", gap.name());
        assertFalse(((GlobalMaxPooling2D) fromJson("GlobalMaxPool2D", "{\"name\": \"g\"}")).keepdims()); // Keras's alias
        ZeroPadding2D pad = (ZeroPadding2D) fromJson("ZeroPadding2D", "{\"name\": \"p\", \"trainable\": true,"
                + " \"padding\": [[3, 3], [1, 2]], \"data_format\": \"channels_last\"}");
        assertArrayEquals(new int[][] {{3, 3}, {1, 2}}, pad.padding());
        assertArrayEquals(new int[][] {{2, 2}, {4, 4}}, ((ZeroPadding2D) fromJson("ZeroPadding2D", "{\"padding\": [2, 4]}")).padding());
        assertArrayEquals(new int[][] {{1, 1}, {1, 1}}, ((ZeroPadding2D) fromJson("ZeroPadding2D", "{\"padding\": 1}")).padding());
        assertArrayEquals(new int[] {-1, 2, 2}, ((Reshape) fromJson("Reshape", "{\"target_shape\": [-1, 2, 2]}")).targetShape());
        assertArrayEquals(new int[] {2, 1}, ((Permute) fromJson("Permute", "{\"dims\": [2, 1]}")).dims());
        Conv2D conv = (Conv2D) fromJson("Conv2D", "{\"name\": \"c\", \"filters\": 8, \"kernel_size\": [3, 3],"
                + " \"strides\": [1, 1], \"padding\": \"same\", \"data_format\": \"channels_last\", \"dilation_rate\": [1, 1],"
                + " \"groups\": 1, \"activation\": \"relu\", \"use_bias\": false, \"kernel_initializer\": {\"module\":"
                + " \"keras.initializers\", \"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}}}");
        assertFalse(conv.useBias());
        // Files saved before use_bias existed have no such key: the bias is there, as it was
        assertTrue(((Conv2D) fromJson("Conv2D", "{\"filters\": 8, \"kernel_size\": [3, 3], \"strides\": [1, 1],"
                + " \"padding\": \"valid\", \"activation\": \"linear\"}")).useBias());
        assertTrue(((Dense) fromJson("Dense", "{\"units\": 3, \"activation\": \"relu\"}")).useBias());

        for (String[] bad : new String[][] {
            {"GlobalAveragePooling2D", "{\"data_format\": \"channels_first\"}", "'data_format' must be \"channels_last\""},
            {"ZeroPadding2D", "{\"padding\": [[1, 1], [1, 1]], \"data_format\": \"channels_first\"}", "channels_first"},
            {"GlobalMaxPooling2D", "{\"keepdims\": \"yes\"}", "'keepdims' must be true or false, got yes"},
            {"Dense", "{\"units\": 3, \"activation\": \"relu\", \"use_bias\": 1}", "'use_bias' must be true or false"},
            {"ZeroPadding2D", "{\"padding\": [[1, 1], [1, -1]]}", "padding must be >= 0"},
            {"ZeroPadding2D", "{\"padding\": [1, 2, 3]}", "'padding' must be an integer, [height, width] or [[top, bottom], [left, right]], got [1, 2, 3]"},
            {"ZeroPadding2D", "{\"padding\": [[1], [2, 2]]}", "got [[1], [2, 2]]"},
            {"ZeroPadding2D", "{\"padding\": 1.5}", "'padding' 1.5 must be an integer, got 1.5"},
            {"Reshape", "{\"target_shape\": 4}", "needs a list 'target_shape'"},
            {"Permute", "{\"dims\": [1, 3]}", "permutation of 1..2"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fromJson(bad[0], bad[1]), bad[1]);
            System.out.println("rejected: " + e.getMessage());
            assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    static Layer fromJson(String className, String json) {
        return Layers.fromConfig(className, (Map<String, Object>) Json.parse(json));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shapeErrorsNameTheLayerAndShapes(Backend b) {
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(784));
            assertAddRejected(net, new GlobalAveragePooling2D(), "GlobalAveragePooling2D \"global_average_pooling2d\" expects"
                    + " images of shape (height, width, channels), got (784,); declare the image shape with e.g. new Input(28, 28, 1)");
            assertAddRejected(net, new GlobalMaxPooling2D(), "GlobalMaxPooling2D \"global_max_pooling2d\" expects images of"
                    + " shape (height, width, channels), got (784,); declare the image shape with e.g. new Input(28, 28, 1)");
            assertAddRejected(net, new ZeroPadding2D(2), "ZeroPadding2D \"zero_padding2d\" expects images of shape (height,"
                    + " width, channels), got (784,); declare the image shape with e.g. new Input(28, 28, 1)");
            assertAddRejected(net, new Reshape(27, 28), "Reshape \"reshape\" cannot reshape (784,) (784 values per sample) to"
                    + " (27, 28): the total size must be unchanged");
            assertAddRejected(net, new Reshape(-1, 5), "Reshape \"reshape_1\" cannot reshape (784,) (784 values per sample) to"
                    + " (-1, 5): 784 is not a multiple of 5, the product of the other dimensions");
            assertAddRejected(net, new Permute(2, 1), "Permute \"permute\" with dims=(2, 1) expects samples of 2 axes,"
                    + " got shape (784,)");
            net.add(new Reshape(28, -1, 1)); // the model stays usable after every rejection
            net.add(new GlobalMaxPooling2D());
            assertEquals(1, net.predictOnBatch(new float[1][784])[0].length);
        }
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(46_000, 46_000, 1)); // 2.1e9 values per sample: allowed, and nothing is allocated yet
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.add(new ZeroPadding2D(200)));
            assertEquals("ZeroPadding2D \"zero_padding2d\": output (46400, 46400, 1) per sample would hold 46400 x 46400 x 1"
                    + " = 2152960000 values, more than a tensor's 2147483647", e.getMessage());
        }
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(4, 4));
            assertAddRejected(net, new GlobalAveragePooling2D(), "GlobalAveragePooling2D \"global_average_pooling2d\" expects"
                    + " images of shape (height, width, channels), got (4, 4)");
        }
    }

    static void assertAddRejected(Sequential net, Layer layer, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.add(layer));
        System.out.println("rejected: " + e.getMessage());
        assertEquals(message, e.getMessage());
    }

    @Test
    void badHyperParametersAreRejectedAtOnce() {
        String[][] cases = {
            {"Permute dims must be a permutation of 1..2 (the sample's axes, numbered from 1), got dims=(1, 1)"},
            {"Permute dims must be a permutation of 1..2 (the sample's axes, numbered from 1), got dims=(0, 1)"},
            {"Permute dims must be a permutation of 1..2 (the sample's axes, numbered from 1), got dims=(2, 3)"},
            {"Permute needs dims, a permutation of 1..n, got ()"},
            {"Permute supports at most 4 axes per sample, got dims=(1, 2, 3, 5, 4)"},
            {"Reshape target_shape may have at most one unknown dimension (-1), got target_shape=(-1, -1)"},
            {"Reshape target_shape dimensions must be positive, or -1 for a single unknown dimension, got target_shape=(0, 3)"},
            {"Reshape target_shape dimensions must be positive, or -1 for a single unknown dimension, got target_shape=(-2,)"},
            {"Reshape needs a target shape of at least one dimension, got ()"},
            {"ZeroPadding2D padding must be >= 0, got ((-1, -1), (-1, -1))"},
            {"ZeroPadding2D padding must be >= 0, got ((0, 0), (3, -2))"},
            {"ZeroPadding2D padding must be an int, two ints or ((top, bottom), (left, right)), got ((1,), (1, 1))"},
        };
        List<Runnable> makers = List.of(() -> new Permute(1, 1), () -> new Permute(0, 1), () -> new Permute(2, 3),
                () -> new Permute(), () -> new Permute(1, 2, 3, 5, 4), () -> new Reshape(-1, -1), () -> new Reshape(0, 3),
                () -> new Reshape(-2), () -> new Reshape(), () -> new ZeroPadding2D(-1),
                () -> new ZeroPadding2D(new int[][] {{0, 0}, {3, -2}}), () -> new ZeroPadding2D(new int[][] {{1}, {1, 1}}));
        for (int i = 0; i < cases.length; i++) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, makers.get(i)::run);
            assertEquals(cases[i][0], e.getMessage());
        }
    }
}
