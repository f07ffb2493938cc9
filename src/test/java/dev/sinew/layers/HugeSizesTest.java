package dev.sinew.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.backend.Window;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Workspace;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sizes past what one tensor holds (2^31 - 1 values) are {@link IllegalArgumentException}s that
 * name the layer and show the product: when the layer is added (its weights, its output per
 * sample, its windows per image) or when a batch size is first used (its per-batch buffers). Never
 * an {@code ArithmeticException}, a wrapped-around size or a {@code Window[H=0, W=0, ...]}; and the
 * model takes a valid layer and trains afterwards. No test here allocates a huge tensor: each
 * check fires before the allocation.
 */
class HugeSizesTest {
    static Stream<Backend> backends() {
        return Stream.of(Backends.reference(), Backends.nativeBackend());
    }

    static void assertMessage(IllegalArgumentException e, String... fragments) {
        System.out.println("rejected: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message should contain '" + f + "': " + e.getMessage());
        }
    }

    static IllegalArgumentException rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertMessage(e, fragments);
        return e;
    }

    /** Adds a softmax head, compiles, trains one batch of random rows: the model survived the rejected add. */
    static void stillTrains(Sequential net, int features) {
        net.add(new Flatten());
        net.add(new Dense(2, "softmax"));
        net.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
        SplittableRandom rng = new SplittableRandom(3);
        float[] r = net.trainOnBatch(TestUtil.uniform(rng, 2, features, -1, 1), TestUtil.oneHot(rng, 2, 2));
        assertTrue(Float.isFinite(r[0]), "loss after the rejected add: " + r[0]);
    }

    @Test
    void denseWhoseKernelOverflowsIsRejectedWhenAdded() {
        try (Sequential net = new Sequential(1)) {
            net.add(new Input(784));
            // kernel (784, 2^31 - 1): today an ArithmeticException from compile, long after the add
            rejects(() -> net.add(new Dense(Integer.MAX_VALUE, "relu").withName("huge")),
                    "Dense \"huge\"", "kernel (784, 2147483647)", "784 x 2147483647 = 1683627179248",
                    "more than a tensor's 2147483647");
            rejects(() -> net.add(new Dense(Integer.MAX_VALUE)), "Dense \"dense", "kernel (784, 2147483647)");
            net.add(new Dense(10, "relu"));
            stillTrains(net, 784);
            assertEquals(784 * 10 + 10 + 10 * 2 + 2, net.countParams());
        }
    }

    @Test
    void conv2dWhoseKernelOverflowsIsRejectedWhenAdded() {
        try (Sequential net = new Sequential(1)) {
            net.add(new Input(4, 4, 32768));
            rejects(() -> net.add(new Conv2D(8192, 3)), "Conv2D \"conv2d", "kernel (3, 3, 32768, 8192)",
                    "3 x 3 x 32768 x 8192 = 2415919104");
            net.add(new Conv2D(1, 3));
            stillTrains(net, 4 * 4 * 32768);
        }
    }

    @Test
    void conv2dWhoseOutputPerSampleOverflowsIsRejectedWhenAdded() {
        try (Sequential net = new Sequential(1)) {
            net.add(new Input(2, 1, 1));
            // output (2, 1, 2^30): one value over; the kernel (1, 1, 1, 2^30) alone would fit
            rejects(() -> net.add(new Conv2D(1 << 30, 1)), "Conv2D \"conv2d", "output (2, 1, 1073741824)",
                    "2 x 1 x 1073741824 = 2147483648");
            net.add(new Conv2D(4, 1, "relu"));
            stillTrains(net, 2);
        }
    }

    @Test
    void conv2dWhosePatchesPerImageOverflowIsRejectedWhenAdded() {
        try (Sequential net = new Sequential(1)) {
            net.add(new Input(100, 100, 1));
            // "same": 100x100 positions, each a 464x464 patch: 10,000 x 215,296 values for im2col.
            // Today: "image too large for int32 indices: Window[H=0, W=0, ...]", no layer named.
            rejects(() -> net.add(new Conv2D(1, 464, 1, "same", "linear")), "Conv2D \"conv2d",
                    "100x100 windows of 464x464x1", "10000 x 215296 = 2152960000");
            net.add(new Conv2D(2, 3, 1, "same", "relu"));
            stillTrains(net, 100 * 100);
        }
    }

    @Test
    void anInputLargerThanATensorIsRejected() {
        // (65536, 32768): 2^31 values per sample; today accepted, and its row width cast to int.
        rejects(() -> new Input(65536, 32768), "(65536, 32768)", "65536 x 32768 = 2147483648");
        rejects(() -> new Input(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE),
                "2147483647 x 2147483647 x 2147483647 = 9903520300447984150353281023");
        // A Shape counts its elements in a long; past that it is a bad shape too (was an ArithmeticException).
        rejects(() -> Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE), "(2147483647, 2147483647, 2147483647)");
    }

    /**
     * "same" padding with a stride larger than the image: Keras's output is ceil(28 / stride) = 1
     * pixel, the window at the top left. Today {@code H + stride - 1} overflows and the error
     * reports {@code Window[H=0, W=0, ...]}.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void stridesLargerThanTheImageGiveOnePixel(Backend b) {
        int big = Integer.MAX_VALUE;
        float[][] image = new float[1][28 * 28];
        for (int i = 0; i < image[0].length; i++) image[0][i] = i % 28 + 100 * (i / 28); // column + 100 * row
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(28, 28, 1));
            net.add(new MaxPooling2D(2, 2, big, big, "same"));
            assertEquals(Shape.of(1, 1, 1), net.layers().getLast().outputShape());
            assertArrayEquals(new float[] {101}, net.predictOnBatch(image)[0], 0f); // max of {0, 1, 100, 101}
        }
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(28, 28, 1));
            net.add(new AveragePooling2D(2, 2, big, big, "same"));
            assertArrayEquals(new float[] {50.5f}, net.predictOnBatch(image)[0], 0f); // (0 + 1 + 100 + 101) / 4
        }
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(28, 28, 1));
            net.add(new Conv2D(1, 1, 1, big, big, "same", null));
            net.setWeights(java.util.List.of(new float[] {2}, new float[] {0.5f}));
            assertArrayEquals(new float[] {0.5f}, net.predictOnBatch(image)[0], 0f); // 2 * 0 + 0.5
        }
    }

    @Test
    void windowErrorsQuoteTheValuesGiven() {
        // A compact constructor that prints `this` shows zeros: its fields are not yet assigned.
        IllegalArgumentException e = rejects(() -> new Window(28, 28, 1, 3, 3, 1, 1, 5, 0, 26, 26), "PT=5", "KH=3", "H=28");
        assertTrue(!e.getMessage().contains("H=0"), e.getMessage());
        rejects(() -> new Window(28, 28, 1, 3, 3, 0, 1, 0, 0, 26, 26), "SH=0", "H=28");
    }

    /** A batch whose im2col patches exceed a tensor: rejected in allocate, naming the batch size, before allocating. */
    @Test
    void conv2dBatchBufferOverflowIsRejectedInAllocate() {
        Conv2D conv = new Conv2D(1, 1);
        conv.withName("wide");
        conv.build(Shape.of(1000, 1000, 1), Backends.nativeBackend());
        try (Workspace ws = new Workspace()) {
            // 2,148 images x 1,000,000 patch rows: today `capacity * positions` wraps to a negative int
            rejects(() -> conv.allocate(ws, 2148), "Conv2D \"wide\"", "batch of 2148",
                    "2148 x 1000000 = 2148000000", "more than a tensor's 2147483647");
            assertEquals(0, ws.bytes(), "nothing allocated for the rejected batch");
        }
    }

    /**
     * A direct-path Conv2D (stride 1, C = 8, F a multiple of 8) whose input gradient, seen as the
     * convolution of its output gradient (46x64x2944) with the flipped 16x16 kernel, would unfold
     * to 46*64 x 16*16*2944 > 2^31 - 1 values: a window too large for im2col, though the direct
     * kernels never unfold it. allocate (the first predict or fit) used to throw the transposed
     * Window's "image too large for int32 indices: Window[H=46, ...]", naming no layer, for a layer
     * that was accepted when added; the input gradient now takes the unfolding path, whose patches
     * are the forward window's (46*64 x 16*16*8).
     */
    @Test
    void conv2dWhoseTransposedWindowWouldOverflowStillAllocates() {
        Conv2D conv = new Conv2D(2944, 16, 16, 1, 1, "same", dev.sinew.activations.Activation.LINEAR);
        conv.withName("wide_filters");
        conv.build(Shape.of(46, 64, 8), Backends.nativeBackend());
        try (Workspace ws = new Workspace()) {
            conv.allocate(ws, 1);
            assertTrue(ws.bytes() > 0);
        }
    }

    @Test
    void denseBatchBufferOverflowIsRejectedInAllocate() {
        Dense dense = new Dense(1 << 28);
        dense.withName("wide");
        dense.build(Shape.of(1), Backends.nativeBackend());
        try (Workspace ws = new Workspace()) {
            // y (2^20, 2^28): today a petabyte asked of malloc (OutOfMemoryError)
            rejects(() -> dense.allocate(ws, 1 << 20), "Dense \"wide\"", "batch of 1048576",
                    "1048576 x 268435456 = 281474976710656");
            assertEquals(0, ws.bytes());
        }
    }

    /** Through a model: the rejected batch names the layer and the batch size; smaller batches still work. */
    @Test
    void aModelRejectsABatchTooLargeForItsBuffersAndStaysUsable() {
        try (Sequential net = new Sequential(1)) {
            net.add(new Input(100, 100, 3));
            // 100x100 positions x 21*21*3 values = 13,230,000 per image: 162 images fit, 163 do not
            net.add(new Conv2D(1, 21, 1, "same", "linear"));
            SplittableRandom rng = new SplittableRandom(5);
            float[][] two = TestUtil.uniform(rng, 2, 100 * 100 * 3, 0, 1);
            float[][] before = net.predictOnBatch(two); // buffers for 2 images exist before the rejected batch
            rejects(() -> net.predictOnBatch(TestUtil.uniform(rng, 163, 100 * 100 * 3, 0, 1)), "Conv2D \"conv2d\"",
                    "batch of 163", "163 x 13230000 = 2156490000");
            // The outgrown buffers were freed before the larger ones failed: the next call must
            // allocate again rather than reuse freed memory.
            org.junit.jupiter.api.Assertions.assertArrayEquals(before, net.predictOnBatch(two));
        }
    }
}
