package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every kind of bad input meets a clear Java exception before any native call, naming the layer
 * and the expected and received shape or value; afterwards the model still trains normally.
 */
class BadInputTest {
    Sequential net;
    final float[][] x = {{0.1f, 0.2f}, {0.3f, -0.4f}, {-0.5f, 0.6f}};
    final float[][] y = {{1}, {0}, {1}};

    @BeforeEach
    void setUp() {
        net = new Sequential(1);
        net.add(new Input(2));
        net.add(new Dense(8, "relu"));
        net.add(new Dense(1, "sigmoid"));
        net.compile("mean_squared_error", new SGD(0.1), "accuracy");
    }

    @AfterEach
    void tearDown() {
        net.close();
    }

    /** Asserts the call throws {@code type} with a message containing every fragment, then that the model still works. */
    <T extends Throwable> void rejects(Class<T> type, Executable call, String... fragments) {
        List<float[]> before = net.isClosed() ? null : net.getWeights();
        T e = assertThrows(type, call);
        System.out.println("rejected with " + type.getSimpleName() + ": " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message should contain '" + f + "': " + e.getMessage());
        }
        if (!net.isClosed()) {
            List<float[]> after = net.getWeights();
            for (int i = 0; i < before.size(); i++) {
                assertEquals(java.util.Arrays.toString(before.get(i)), java.util.Arrays.toString(after.get(i)),
                        "a rejected call must not change the weights");
            }
            float[] r = net.trainOnBatch(x, y);
            assertTrue(Float.isFinite(r[0]), "model still trains after the error");
        }
    }

    @Test
    void wrongFeatureCount() {
        rejects(IllegalArgumentException.class, () -> net.trainOnBatch(new float[][] {new float[784]}, new float[][] {{1}}),
                "Dense \"dense\"", "expects 2 input features", "got 784");
        rejects(IllegalArgumentException.class, () -> net.predictOnBatch(new float[][] {{1, 2, 3}}),
                "Dense \"dense\"", "expects 2", "got 3");
    }

    @Test
    void wrongTargetWidth() {
        rejects(IllegalArgumentException.class, () -> net.trainOnBatch(x, new float[][] {{1, 0}, {0, 1}, {1, 0}}),
                "expects 1 target values per row", "Dense \"dense_1\"", "got 2");
    }

    @Test
    void raggedRows() {
        rejects(IllegalArgumentException.class, () -> net.trainOnBatch(new float[][] {{1, 2}, {3}}, new float[][] {{1}, {0}}),
                "x is ragged", "row 1 has 1");
        rejects(IllegalArgumentException.class, () -> net.predictOnBatch(new float[][] {{1, 2}, null}), "x row 1 is null");
    }

    @Test
    void emptyBatch() {
        rejects(IllegalArgumentException.class, () -> net.trainOnBatch(new float[0][], new float[0][]), "x has no rows");
        rejects(IllegalArgumentException.class, () -> net.predictOnBatch(new float[0][2]), "x has no rows");
    }

    @Test
    void mismatchedRowCounts() {
        rejects(IllegalArgumentException.class, () -> net.trainOnBatch(x, new float[][] {{1}, {0}}),
                "x has 3 rows but y has 2");
    }

    @Test
    void nanAndInfinityInInputs() {
        rejects(IllegalArgumentException.class,
                () -> net.trainOnBatch(new float[][] {{0, 1}, {Float.NaN, 2}}, new float[][] {{1}, {0}}),
                "x contains a non-finite value", "NaN", "row 1, column 0");
        float[][] late = new float[70][2];
        late[65][1] = Float.NaN;
        rejects(IllegalArgumentException.class, () -> net.predict(late, 32), "x contains a non-finite value", "row 65, column 1");
        // A batch this large is copied in and scanned by every thread, each its own rows.
        float[][] big = new float[150_000][2];
        big[120_001][0] = Float.NEGATIVE_INFINITY;
        rejects(IllegalArgumentException.class, () -> net.predict(big, 150_000), "x contains a non-finite value",
                "row 120001, column 0");
        // fit checks the whole data set once, split over the threads: the first bad value is named.
        float[][] bigY = new float[150_000][1];
        rejects(IllegalArgumentException.class, () -> net.fit(new dev.sinew.data.Dataset(big, bigY), FitOptions.builder().verbose(0).build()),
                "x contains a non-finite value", "row 120001, column 0");
        big[90_000][1] = Float.NaN;
        big[20][0] = Float.POSITIVE_INFINITY;
        rejects(IllegalArgumentException.class, () -> net.fit(new dev.sinew.data.Dataset(big, bigY), FitOptions.builder().verbose(0).build()),
                "x contains a non-finite value", "row 20, column 0");
        rejects(IllegalArgumentException.class,
                () -> net.trainOnBatch(x, new float[][] {{1}, {Float.POSITIVE_INFINITY}, {0}}),
                "y contains a non-finite value", "row 1");
        try (Tensor tx = Tensor.fromRows(new float[][] {{0, Float.NaN}}); Tensor ty = Tensor.fromRows(new float[][] {{1}})) {
            rejects(IllegalArgumentException.class, () -> net.trainOnBatch(tx, ty), "x contains 1 NaN or infinite");
        }
    }

    @Test
    void unknownNames() {
        rejects(IllegalArgumentException.class, () -> new Dense(3, "rleu"), "Unknown activation 'rleu'", "relu");
        rejects(IllegalArgumentException.class, () -> net.compile("mean_squared_eror", new SGD(0.1)),
                "Unknown loss 'mean_squared_eror'", "mean_squared_error");
        rejects(IllegalArgumentException.class, () -> net.compile("mse", new SGD(0.1), "acuracy"),
                "Unknown metric 'acuracy'", "accuracy");
    }

    @Test
    void badHyperParameters() {
        rejects(IllegalArgumentException.class, () -> new Dense(0), "units=0");
        rejects(IllegalArgumentException.class, () -> new SGD(-0.1), "learning rate", "-0.1");
        rejects(IllegalArgumentException.class, () -> new SGD(Double.NaN), "learning rate", "NaN");
        rejects(IllegalArgumentException.class, () -> new Input(28, 0, 1), "positive", "[28, 0, 1]");
    }

    @Test
    void badWeights() {
        rejects(IllegalArgumentException.class, () -> net.setWeights(List.of(new float[16])), "expects 4 arrays", "got 1");
        rejects(IllegalArgumentException.class,
                () -> net.setWeights(List.of(new float[15], new float[8], new float[8], new float[1])),
                "Dense \"dense\"", "shape (2, 8)", "got 15");
        rejects(IllegalArgumentException.class,
                () -> net.setWeights(List.of(new float[16], new float[8], new float[] {0, 0, 0, 0, 0, 0, 0, Float.NaN}, new float[1])),
                "Dense \"dense_1\"", "non-finite");
    }

    @Test
    void trainingBeforeCompile() {
        try (Sequential fresh = new Sequential(2)) {
            fresh.add(new Input(2));
            fresh.add(new Dense(1));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> fresh.trainOnBatch(x, y));
            System.out.println("rejected with IllegalStateException: " + e.getMessage());
            assertTrue(e.getMessage().contains("must be compiled before trainOnBatch"));
            // still usable: predict needs no compile, and compiling then training works
            assertEquals(3, fresh.predictOnBatch(x).length);
            fresh.compile("mse", new SGD(0.1));
            assertTrue(Float.isFinite(fresh.trainOnBatch(x, y)[0]));
        }
    }

    @Test
    void layersInTheWrongOrder() {
        try (Sequential fresh = new Sequential(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> fresh.add(new Dense(3)));
            assertTrue(e.getMessage().contains("add an Input first"), e.getMessage());
        }
        rejects(IllegalStateException.class, () -> net.add(new Dense(3)), "already built");
    }

    @Test
    void useAfterClose() {
        net.close();
        rejects(IllegalStateException.class, () -> net.trainOnBatch(x, y), "closed");
        rejects(IllegalStateException.class, () -> net.predictOnBatch(x), "closed");
        rejects(IllegalStateException.class, () -> net.getWeights(), "closed");
        net.close(); // closing twice is harmless
        assertEquals(0, net.offHeapBytes());
    }
}
