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
}
