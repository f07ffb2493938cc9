package dev.sinew.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.callbacks.Callback;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Input;
import dev.sinew.models.FitOptions;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Regression tests for what the model fuzzer ({@link ModelFuzzTest}) found, one per finding. */
class FuzzFindingsTest {
    final float[][] x = {{0.1f, 0.2f}, {0.3f, -0.4f}};
    final float[][] y = {{1}, {0}};

    static Sequential model(Backend backend) {
        Sequential net = new Sequential(backend, 7);
        net.add(new Input(2));
        net.add(new Dense(3, "relu"));
        net.add(new Dense(1));
        net.compile("mean_squared_error", new SGD(0.1));
        return net;
    }

    /**
     * A closed tensor given to a model reached the FFM API, which threw its own
     * IllegalStateException "Already closed" from jdk.internal.foreign: the backend's checks now
     * say it, as an IllegalArgumentException, before any native call or element access.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"native", "reference"})
    void closedTensorsAreRejectedBeforeTheyAreRead(String which) {
        Backend backend = which.equals("native") ? Backends.nativeBackend() : Backends.reference();
        Tensor closed = Tensor.fromRows(x);
        closed.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.countNonFinite(closed, 4));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        try (Sequential net = model(backend); Tensor ty = Tensor.fromRows(y); Tensor tx = Tensor.fromRows(x)) {
            List<float[]> before = net.getWeights();
            e = assertThrows(IllegalArgumentException.class, () -> net.predictOnBatch(closed));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> net.trainOnBatch(closed, ty));
            Tensor closedY = Tensor.fromRows(y);
            closedY.close();
            assertThrows(IllegalArgumentException.class, () -> net.trainOnBatch(tx, closedY));
            List<float[]> after = net.getWeights();
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), after.get(i), "weights unchanged");
            assertTrue(Float.isFinite(net.trainOnBatch(tx, ty)[0]), "the model still trains");
        }
    }

    /**
     * Renaming a layer after adding it gave a model with two layers of one name, whose saved file
     * did not load ("a layer named ... is already in this model"). A layer in a model keeps its name.
     */
    @Test
    void aLayerInAModelKeepsItsName(@TempDir Path dir) throws IOException {
        try (Sequential net = new Sequential(Backends.nativeBackend(), 3)) {
            net.add(new Input(2));
            Dense a = new Dense(3), b = new Dense(1);
            net.add(a);
            net.add(b);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.withName(a.name()));
            assertTrue(e.getMessage().contains("already in a model"), e.getMessage());
            assertEquals("dense_1", b.name());
            assertDoesNotThrow(() -> b.withName("dense_1"), "its own name again changes nothing");
            Path file = dir.resolve("m.zip");
            net.save(file);
            try (Sequential loaded = Sequential.load(file)) {
                assertEquals(net.summary(), loaded.summary());
            }
        }
        // A layer that a model rejected is in no model: it may still be renamed.
        try (Sequential net = new Sequential(Backends.nativeBackend(), 3)) {
            net.add(new Input(2, 2, 1));
            Dense d = new Dense(2);
            assertThrows(IllegalArgumentException.class, () -> net.add(d));
            assertDoesNotThrow(() -> d.withName("renamed"));
            net.add(new Flatten());
            net.add(d);
            assertEquals("renamed", net.layers().getLast().name());
        }
    }

    /** A null callback was a NullPointerException from List.of; FitOptions says which one. */
    @Test
    void nullCallbacksAreIllegalArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FitOptions.builder().callbacks((Callback) null).build());
        assertTrue(e.getMessage().contains("callback 0 of 1 is null"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FitOptions.builder().callbacks((Callback[]) null));
        List<Callback> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(IllegalArgumentException.class,
                () -> new FitOptions(32, 1, 0, null, true, null, withNull, 0, FitOptions.OnNaN.THROW, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new FitOptions(32, 1, 0, null, true, null, null, 0, FitOptions.OnNaN.THROW, 0));
        assertEquals(List.of(), new FitOptions(32, 1, 0, null, true, null, List.of(), 0, FitOptions.OnNaN.THROW, 0).callbacks());
    }

    /**
     * A callback that closed the model made the next batch of fit copy into freed buffers: the FFM
     * API's "Already closed" from jdk.internal.foreign. fit now stops with its own message.
     */
    @ParameterizedTest(name = "closed at {0}")
    @ValueSource(strings = {"batch end", "epoch begin", "epoch end"})
    void closingTheModelFromACallbackStopsFit(String when) {
        float[][] xs = new float[10][2], ys = new float[10][1];
        Sequential net = model(Backends.nativeBackend());
        Callback closer = new Callback() {
            @Override
            public void onBatchEnd(int batch, java.util.Map<String, Double> logs) {
                if (when.equals("batch end") && batch == 1) net.close();
            }

            @Override
            public void onEpochBegin(int epoch) {
                if (when.equals("epoch begin") && epoch == 1) net.close();
            }

            @Override
            public void onEpochEnd(int epoch, java.util.Map<String, Double> logs) {
                if (when.equals("epoch end")) net.close();
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(xs, ys,
                FitOptions.builder().batchSize(3).epochs(2).validationSplit(0.2).verbose(0).callbacks(closer).build()));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertTrue(e.getStackTrace()[0].getClassName().startsWith("dev.sinew."), "thrown by Sinew, not by the FFM API");
        assertTrue(net.isClosed());
        assertEquals(0, net.offHeapBytes());
    }
}
