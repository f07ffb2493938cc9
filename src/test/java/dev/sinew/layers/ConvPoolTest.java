package dev.sinew.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.models.Sequential;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Hand-computed convolution and pooling cases, shapes, parameter counts and errors. */
class ConvPoolTest {
    static Stream<Backend> backends() {
        return Stream.of(Backends.reference(), Backends.nativeBackend());
    }

    /** The 4x4 image 1..16, as one flattened row. */
    static final float[][] IMAGE = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};

    @ParameterizedTest
    @MethodSource("backends")
    void onesKernelSumsEachWindow(Backend b) {
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(4, 4, 1));
            net.add(new Conv2D(1, 3));
            float[] ones = new float[9];
            Arrays.fill(ones, 1);
            net.setWeights(List.of(ones, new float[] {0.5f}));
            // windows of 1..16: top-left 1+2+3+5+6+7+9+10+11 = 54, then 63, 90, 99; plus bias 0.5
            assertArrayEquals(new float[] {54.5f, 63.5f, 90.5f, 99.5f}, net.predictOnBatch(IMAGE)[0], 0f);
        }
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(4, 4, 1));
            net.add(new Conv2D(1, 3, 1, "same", "linear"));
            float[] ones = new float[9];
            Arrays.fill(ones, 1);
            net.setWeights(List.of(ones, new float[] {0}));
            float[] out = net.predictOnBatch(IMAGE)[0];
            assertEquals(16, out.length);
            assertEquals(1 + 2 + 5 + 6, out[0], 0f);   // corner: 4 pixels inside
            assertEquals(54, out[5], 0f);              // interior: the full 3x3 window
            assertEquals(11 + 12 + 15 + 16, out[15], 0f);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void poolingByHand(Backend b) {
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(4, 4, 1));
            net.add(new MaxPooling2D(2));
            assertArrayEquals(new float[] {6, 8, 14, 16}, net.predictOnBatch(IMAGE)[0], 0f);
        }
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(4, 4, 1));
            net.add(new AveragePooling2D(2));
            assertArrayEquals(new float[] {3.5f, 5.5f, 11.5f, 13.5f}, net.predictOnBatch(IMAGE)[0], 0f);
        }
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(4, 4, 1));
            net.add(new AveragePooling2D(3, 3, "same")); // 2x2 output; windows clipped at the border
            assertArrayEquals(new float[] {(1 + 2 + 5 + 6) / 4f, (3 + 4 + 7 + 8) / 4f, (9 + 10 + 13 + 14) / 4f,
                (11 + 12 + 15 + 16) / 4f}, net.predictOnBatch(IMAGE)[0], 1e-6f);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void theNotebookCnnHasKerasShapesAndCounts(Backend b) {
        try (Sequential cnn = new Sequential(b, 1)) {
            cnn.add(new Input(28, 28, 1));
            cnn.add(new Conv2D(32, 3, "relu"));
            cnn.add(new MaxPooling2D(2));
            cnn.add(new Conv2D(64, 3, "relu"));
            cnn.add(new MaxPooling2D(2));
            cnn.add(new Flatten());
            cnn.add(new Dense(128, "relu"));
            cnn.add(new Dense(10, "softmax"));
            String s = cnn.summary();
            System.out.print(s);
            String[][] rows = {{"conv2d (Conv2D)", "(None, 26, 26, 32)", "320"},
                {"max_pooling2d (MaxPooling2D)", "(None, 13, 13, 32)", "0"}, {"conv2d_1 (Conv2D)", "(None, 11, 11, 64)", "18,496"},
                {"max_pooling2d_1 (MaxPooling2D)", "(None, 5, 5, 64)", "0"}, {"flatten (Flatten)", "(None, 1600)", "0"},
                {"dense (Dense)", "(None, 128)", "204,928"}, {"dense_1 (Dense)", "(None, 10)", "1,290"}};
            for (String[] row : rows) {
                boolean found = s.lines().map(String::trim).anyMatch(line -> line.startsWith(row[0] + " ")
                        && line.substring(row[0].length()).trim().startsWith(row[1]) && line.endsWith(" " + row[2]));
                assertTrue(found, "summary should have the row " + Arrays.toString(row) + "\n" + s);
            }
            assertTrue(s.contains("Total params: 225,034 "), s);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void errorsNameTheLayerAndShapes(Backend b) {
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(784));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.add(new Conv2D(8, 3)));
            assertEquals("Conv2D \"conv2d\" expects images of shape (height, width, channels), got (784,); declare the image"
                    + " shape with e.g. new Input(28, 28, 1)", e.getMessage());
        }
        try (Sequential net = new Sequential(b, 0)) {
            net.add(new Input(4, 4, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.add(new Conv2D(8, 5)));
            assertEquals("Conv2D \"conv2d\": kernel 5x5 is larger than its input 4x4 (padding \"valid\")", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> net.add(new MaxPooling2D(6)));
            assertTrue(e.getMessage().contains("MaxPooling2D \"max_pooling2d\": kernel 6x6 is larger than its input 4x4"), e.getMessage());
            net.add(new Conv2D(8, 5, 1, "same", "relu")); // "same" pads, so it fits; the model stays usable
            assertEquals(4 * 4 * 8, net.predictOnBatch(IMAGE)[0].length);
        }
        for (Runnable bad : List.<Runnable>of(() -> new Conv2D(0, 3), () -> new Conv2D(3, -1), () -> new Conv2D(3, 3, 0, "valid", "relu"),
                () -> new MaxPooling2D(0), () -> new AveragePooling2D(2, 2, "full"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
            System.out.println("rejected: " + e.getMessage());
        }
    }
}
