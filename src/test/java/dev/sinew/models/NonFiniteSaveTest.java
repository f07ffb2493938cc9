package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.optimizers.SGD;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, A3: a model whose weights went to NaN or infinity is not saved into a file that cannot
 * be loaded. By default {@code save} refuses it and the previous file survives; with
 * {@link SaveOption#ALLOW_NON_FINITE} it is saved, and {@code load} gives back the same bits.
 */
class NonFiniteSaveTest {
    static final float[][] X = {{1, 2}, {-3, 4}, {5, -6}, {0.5f, 0.25f}};
    static final float[][] Y = {{1}, {-1}, {2}, {0}};

    /** 2 -> 4 -> 1, trained with a learning rate so large that the weights overflow within a few steps. */
    static Sequential diverging() {
        Sequential net = new Sequential(3);
        net.add(new Input(2));
        net.add(new Dense(4, "linear"));
        net.add(new Dense(1, "linear"));
        net.compile("mean_squared_error", new SGD(1e30));
        return net;
    }

    static boolean allFinite(List<float[]> weights) {
        for (float[] w : weights) for (float v : w) if (!Float.isFinite(v)) return false;
        return true;
    }

    @Test
    void aDivergedModelIsRefusedAndThePreviousFileSurvives(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.zip");
        try (Sequential net = diverging()) {
            net.save(file); // still finite: the good file
            byte[] good = Files.readAllBytes(file);
            for (int i = 0; i < 10 && allFinite(net.getWeights()); i++) net.trainOnBatch(X, Y);
            assertFalse(allFinite(net.getWeights()), "the learning rate of 1e30 must make the weights overflow");

            IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.save(file));
            System.out.println("refused: " + e.getMessage());
            // The first layer's kernel is the first weight to go (the gradient reaches it through the second layer's).
            assertTrue(e.getMessage().contains("Dense \"dense\" kernel"), e.getMessage());
            assertTrue(e.getMessage().contains("ALLOW_NON_FINITE"), e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertArrayEquals(good, Files.readAllBytes(file), "the previous file is untouched");
            try (var files = Files.list(dir)) {
                assertEquals(1, files.count(), "no temporary file left behind");
            }
            try (Sequential loaded = Sequential.load(file)) {
                assertTrue(allFinite(loaded.getWeights()));
            }
        }
    }

    @Test
    void allowNonFiniteSavesAndLoadsTheExactBits(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("diverged.zip");
        try (Sequential net = diverging()) {
            for (int i = 0; i < 10 && allFinite(net.getWeights()); i++) net.trainOnBatch(X, Y);
            List<float[]> before = net.getWeights();
            assertFalse(allFinite(before));
            net.save(file, SaveOption.ALLOW_NON_FINITE);
            try (Sequential loaded = Sequential.load(file)) {
                List<float[]> after = loaded.getWeights();
                assertEquals(before.size(), after.size());
                boolean sawNaN = false, sawInf = false;
                for (int k = 0; k < before.size(); k++) {
                    for (int i = 0; i < before.get(k).length; i++) {
                        float b = before.get(k)[i], a = after.get(k)[i];
                        assertEquals(Float.floatToRawIntBits(b), Float.floatToRawIntBits(a), "weight " + k + " value " + i);
                        sawNaN |= Float.isNaN(b);
                        sawInf |= Float.isInfinite(b);
                    }
                }
                System.out.println("round trip kept NaN: " + sawNaN + ", infinity: " + sawInf);
                assertTrue(sawNaN || sawInf);
                // The loaded model behaves as the saved one: it predicts (non-finite values) without failing.
                assertEquals(1, loaded.predict(X)[0].length);
            }
        }
    }

    @Test
    void theMessageNamesTheLayerWeightAndValue(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.zip");
        try (Sequential one = new Sequential(1)) {
            one.add(new Input(1));
            one.add(new Dense(1, "linear"));
            one.compile("mean_squared_error", new SGD(1e30));
            one.setWeights(List.of(new float[] {0}, new float[] {0}));
            // The kernel's gradient 2 (y_pred - y) x is 0 for x = 0, so only the bias moves:
            // 0 - 1e30 * 2 (0 - 1e10) = 2e40, which overflows float to +Infinity.
            one.trainOnBatch(new float[][] {{0}}, new float[][] {{1e10f}});
            List<float[]> w = one.getWeights();
            assertEquals(0f, w.get(0)[0]);
            assertEquals(Float.POSITIVE_INFINITY, w.get(1)[0]);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> one.save(file));
            System.out.println("refused: " + e.getMessage());
            assertTrue(e.getMessage().contains("Dense \"dense\" bias"), e.getMessage());
            assertTrue(e.getMessage().contains("Infinity"), e.getMessage());
            assertFalse(Files.exists(file), "nothing written");
            one.save(file, SaveOption.ALLOW_NON_FINITE);
        }
        try (Sequential loaded = Sequential.load(file)) {
            assertEquals(Float.POSITIVE_INFINITY, loaded.getWeights().get(1)[0]);
            assertEquals(0f, loaded.getWeights().get(0)[0]);
        }
    }
}
