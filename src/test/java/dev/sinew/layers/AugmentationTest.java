package dev.sinew.layers;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The affine warp kernel and the augmentation layers built on it. */
class AugmentationTest {
    static Stream<Backend> backends() {
        return Stream.of(Backends.reference(), Backends.nativeBackend());
    }

    /** Warps one H x W x 1 image by {@code t}. */
    static float[] warp(Backend b, float[] image, int H, int W, float[] t) {
        try (Tensor x = Tensor.of(image, 1, H * W); Tensor y = Tensor.zeros(1, H * W); Tensor tr = Tensor.of(t, 1, 6)) {
            b.affineWarp(y, x, tr, 1, H, W, 1);
            return y.toArray();
        }
    }

    static float[] onePixel(int H, int W, int h, int w) {
        float[] img = new float[H * W];
        img[h * W + w] = 1;
        return img;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void pixelsMoveAsExpected(Backend b) {
        float[] t = new float[6];
        // 90 degrees counter-clockwise: the top-middle pixel goes to the left-middle.
        Augmentation.rotation(Math.PI / 2, t);
        assertArrayEquals(onePixel(5, 5, 2, 0), warp(b, onePixel(5, 5, 0, 2), 5, 5, t), 1e-6f);
        // 180 degrees: the top-left corner goes to the bottom-right, on a non-square image too.
        Augmentation.rotation(Math.PI, t);
        assertArrayEquals(onePixel(3, 5, 2, 4), warp(b, onePixel(3, 5, 0, 0), 3, 5, t), 1e-6f);
        // Shift by 1 down and 2 right.
        Augmentation.translation(1, 2, t);
        assertArrayEquals(onePixel(5, 5, 2, 3), warp(b, onePixel(5, 5, 1, 1), 5, 5, t), 0f);
        // Half a pixel right: bilinear splits the pixel evenly over two.
        Augmentation.translation(0, 0.5, t);
        float[] half = warp(b, onePixel(5, 5, 2, 2), 5, 5, t);
        assertEquals(0.5f, half[2 * 5 + 2], 1e-6f);
        assertEquals(0.5f, half[2 * 5 + 3], 1e-6f);
        // Zoom out 2x: a pixel two steps from the centre is seen one step from it; the centre stays.
        Augmentation.zoom(1, 1, t);
        assertArrayEquals(onePixel(5, 5, 2, 3), warp(b, onePixel(5, 5, 2, 4), 5, 5, t), 1e-6f);
        assertArrayEquals(onePixel(5, 5, 2, 2), warp(b, onePixel(5, 5, 2, 2), 5, 5, t), 1e-6f);
        // Mirrors copy pixels exactly: left-right, top-bottom, both (a half turn), on a non-square image.
        Augmentation.flip(false, true, t);
        assertArrayEquals(onePixel(3, 4, 1, 3), warp(b, onePixel(3, 4, 1, 0), 3, 4, t), 0f);
        Augmentation.flip(true, false, t);
        assertArrayEquals(onePixel(3, 4, 2, 1), warp(b, onePixel(3, 4, 0, 1), 3, 4, t), 0f);
        Augmentation.flip(true, true, t);
        assertArrayEquals(onePixel(3, 4, 2, 3), warp(b, onePixel(3, 4, 0, 0), 3, 4, t), 0f);
        Augmentation.flip(false, false, t);
        assertArrayEquals(onePixel(3, 4, 0, 1), warp(b, onePixel(3, 4, 0, 1), 3, 4, t), 0f);
        // Shifted out of the image: zeros.
        Augmentation.translation(0, 5, t);
        assertArrayEquals(new float[25], warp(b, onePixel(5, 5, 2, 2), 5, 5, t), 0f);
        // Absurd maps (NaN, infinite, beyond int range) give zeros, never a crash.
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -3e9f, 3e9f}) {
            float[] m = {1, 0, 0, 1, bad, 0};
            assertArrayEquals(new float[25], warp(b, onePixel(5, 5, 2, 2), 5, 5, m), 0f);
            float[] n = {bad, 0, 0, bad, 0, 0};
            float[] out = warp(b, onePixel(5, 5, 2, 2), 5, 5, n);
            for (float v : out) assertTrue(v == 0 || v == 1, "finite output");
        }
    }

    @Test
    void aRunOfAugmentationLayersWarpsOnceByTheComposedMap() {
        // Rotate 90 degrees counter-clockwise, then shift 1 right: the top-middle pixel (0, 2)
        // goes to the left-middle (2, 0), then to (2, 1).
        float[] rot = new float[6], shift = new float[6];
        Augmentation.rotation(Math.PI / 2, rot);
        Augmentation.translation(0, 1, shift);
        Augmentation.compose(rot, shift);
        assertArrayEquals(onePixel(5, 5, 2, 1), warp(Backends.reference(), onePixel(5, 5, 0, 2), 5, 5, shift), 1e-6f);
        // Through layers: a fixed-angle rotation and a shift in one model give the same picture.
        try (Sequential net = new Sequential(Backends.reference(), 1)) {
            net.add(new Input(5, 5, 1));
            net.add(new FixedMap(rot0 -> Augmentation.rotation(Math.PI / 2, rot0)));
            net.add(new FixedMap(t -> Augmentation.translation(0, 1, t)));
            net.add(new Flatten());
            net.add(new Dense(25));
            float[] id = new float[625];
            for (int i = 0; i < 25; i++) id[i * 25 + i] = 1;
            net.setWeights(List.of(id, new float[25]));
            net.compile("mse", new SGD(1e-9));
            float[][] x = {onePixel(5, 5, 0, 2)};
            net.computeGradients(x, new float[][] {new float[25]});
            Layer shiftLayer = net.layers().get(1);
            assertArrayEquals(onePixel(5, 5, 2, 1), ((Augmentation) shiftLayer).lastOutput(), 1e-6f);
        }
    }

    /** An augmentation with a fixed map, for testing the chaining. */
    static final class FixedMap extends Augmentation {
        final java.util.function.Consumer<float[]> map;

        FixedMap(java.util.function.Consumer<float[]> map) {
            super(0L);
            this.map = map;
        }

        @Override
        protected void draw(java.util.random.RandomGenerator rng, int h, int w, float[] t) {
            map.accept(t);
        }
    }

    @Test
    void nativeWarpEqualsReference() {
        SplittableRandom rng = new SplittableRandom(3);
        int N = 4, H = 11, W = 9, C = 3;
        float[] img = TestUtil.uniform(rng, N * H * W * C, 0, 1);
        float[] t = new float[6 * N], one = new float[6];
        for (int n = 0; n < N; n++) {
            switch (n % 3) {
                case 0 -> Augmentation.rotation(rng.nextDouble(-1, 1), one);
                case 1 -> Augmentation.zoom(rng.nextDouble(-0.3, 0.3), rng.nextDouble(-0.3, 0.3), one);
                default -> Augmentation.translation(rng.nextDouble(-3, 3), rng.nextDouble(-3, 3), one);
            }
            System.arraycopy(one, 0, t, 6 * n, 6);
        }
        float[][] out = new float[2][];
        int k = 0;
        for (Backend b : List.of(Backends.reference(), Backends.nativeBackend())) {
            try (Tensor x = Tensor.of(img, N, H * W * C); Tensor y = Tensor.zeros(N, H * W * C); Tensor tr = Tensor.of(t, N, 6)) {
                b.affineWarp(y, x, tr, N, H, W, C);
                out[k++] = y.toArray();
            }
        }
        double e = relativeError(out[1], out[0], 1e-6);
        System.out.printf("native vs reference  affine warp max rel err %.2e%n", e);
        assertTrue(e <= 1e-5, "relative error " + e);
    }

    static Sequential withAugmentation(long seed) {
        Sequential net = new Sequential(seed);
        net.add(new Input(8, 8, 1));
        net.add(new RandomRotation(0.05));
        net.add(new RandomZoom(0.1));
        net.add(new RandomTranslation(0.1, 0.1));
        net.add(new Conv2D(2, 3, "relu"));
        net.add(new Flatten());
        net.add(new Dense(3, "softmax"));
        net.compile("categorical_crossentropy", new SGD(0.01), "accuracy");
        return net;
    }

    @Test
    void activeInTrainingOnlyAndSeeded() {
        SplittableRandom rng = new SplittableRandom(5);
        float[][] x = TestUtil.uniform(rng, 6, 64, 0, 1), y = TestUtil.oneHot(rng, 6, 3);
        try (Sequential aug = withAugmentation(1); Sequential plain = new Sequential(1); Sequential again = withAugmentation(1)) {
            plain.add(new Input(8, 8, 1));
            plain.add(new Conv2D(2, 3, "relu"));
            plain.add(new Flatten());
            plain.add(new Dense(3, "softmax"));
            plain.compile("categorical_crossentropy", new SGD(0.01), "accuracy");
            plain.setWeights(aug.getWeights());
            again.setWeights(aug.getWeights());
            float[][] pa = aug.predict(x), pp = plain.predict(x);
            for (int i = 0; i < 6; i++) assertArrayEquals(pp[i], pa[i], 0f, "inference is unaffected");
            float[] lossAug = aug.trainOnBatch(x, y), lossPlain = plain.trainOnBatch(x, y), lossAgain = again.trainOnBatch(x, y);
            assertTrue(lossAug[0] != lossPlain[0], "training sees warped images");
            assertEquals(lossAug[0], lossAgain[0], 0f, "the same seed warps the same way");
        }
    }

    /**
     * RandomFlip's modes: over 400 training images, "horizontal" mirrors about half of them left to
     * right and none top to bottom, "vertical" the other way round, and the default mode both, each
     * on its own; every output is the image or an exact mirror of it, and inference is unaffected.
     */
    @Test
    void randomFlipMirrorsAboutHalfTheImagesInItsMode() {
        int n = 400, H = 3, W = 4;
        float[] image = new float[H * W];
        for (int i = 0; i < image.length; i++) image[i] = i + 1; // every pixel distinct
        float[][] x = new float[n][];
        java.util.Arrays.fill(x, image);
        for (String mode : List.of(RandomFlip.HORIZONTAL, RandomFlip.VERTICAL, RandomFlip.HORIZONTAL_AND_VERTICAL)) {
            try (Sequential net = new Sequential(Backends.nativeBackend(), 7)) {
                RandomFlip flip = new RandomFlip(mode);
                net.add(new Input(H, W, 1));
                net.add(flip);
                net.add(new Flatten());
                net.add(new Dense(H * W)); // the identity, so the model's output is the flip's
                float[] id = new float[H * W * H * W];
                for (int i = 0; i < H * W; i++) id[i * H * W + i] = 1;
                net.setWeights(List.of(id, new float[H * W]));
                net.compile("mse", new SGD(1e-9));
                assertArrayEquals(image, net.predict(new float[][] {image})[0], 0f, mode + ": inference is unaffected");
                net.computeGradients(x, new float[n][H * W]);
                float[][] out = net.lastTrainingOutput();
                List<float[]> kinds = List.of(image, mirrored(image, H, W, false, true), mirrored(image, H, W, true, false),
                        mirrored(image, H, W, true, true));
                int[] count = new int[4]; // by (rows flipped, columns flipped): k = 2 * rows + columns
                for (float[] o : out) {
                    int kind = 0;
                    while (kind < 4 && !java.util.Arrays.equals(o, kinds.get(kind))) kind++;
                    assertTrue(kind < 4, mode + ": output is the image or a mirror of it");
                    count[kind]++;
                }
                int rowsFlipped = count[2] + count[3], colsFlipped = count[1] + count[3];
                boolean h = !mode.equals(RandomFlip.VERTICAL), v = !mode.equals(RandomFlip.HORIZONTAL);
                // Binomial(400, 1/2): 200 +- 10 is one standard deviation; 140..260 is six.
                assertTrue(h ? colsFlipped > 140 && colsFlipped < 260 : colsFlipped == 0, mode + ": " + colsFlipped);
                assertTrue(v ? rowsFlipped > 140 && rowsFlipped < 260 : rowsFlipped == 0, mode + ": " + rowsFlipped);
                if (h && v) assertTrue(count[3] > 50 && count[3] < 150, "independent: " + count[3]);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RandomFlip("diagonal"));
        assertTrue(e.getMessage().contains("\"horizontal\", \"vertical\" or \"horizontal_and_vertical\", got \"diagonal\""),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomFlip(null));
        Layer back = Layers.fromConfig("RandomFlip", new RandomFlip(RandomFlip.VERTICAL).getConfig());
        assertEquals(RandomFlip.VERTICAL, ((RandomFlip) back).mode());
    }

    /** The H x W image mirrored top to bottom when {@code rows}, left to right when {@code columns}. */
    static float[] mirrored(float[] image, int H, int W, boolean rows, boolean columns) {
        float[] m = new float[H * W];
        for (int i = 0; i < H; i++) {
            for (int j = 0; j < W; j++) m[i * W + j] = image[(rows ? H - 1 - i : i) * W + (columns ? W - 1 - j : j)];
        }
        return m;
    }

    @Test
    void mustComeBeforeTrainableLayers() {
        try (Sequential net = new Sequential(1)) {
            net.add(new Input(8, 8, 1));
            net.add(new Conv2D(2, 3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.add(new RandomRotation(0.1)));
            assertTrue(e.getMessage().contains("RandomRotation \"random_rotation\" must come before every layer with weights"),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new RandomRotation(0));
        assertThrows(IllegalArgumentException.class, () -> new RandomZoom(1.5));
        assertThrows(IllegalArgumentException.class, () -> new RandomTranslation(-0.1, 0.1));
    }
}
