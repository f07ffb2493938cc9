package dev.sinew.models;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.callbacks.EarlyStopping;
import dev.sinew.layers.Add;
import dev.sinew.layers.Concatenate;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.layers.KerasTensor;
import dev.sinew.losses.Losses;
import dev.sinew.metrics.Metrics;
import dev.sinew.optimizers.SGD;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models of several inputs and outputs: the gradients of {@code w_a * loss_a + w_b * loss_b} are
 * right (finite differences on the reference backend, native = reference), results are named as
 * Keras 3 names them and equal the per-output losses computed by hand, compile by name equals
 * compile by list, the list API on a one-input one-output model equals the array API bit for bit,
 * a save/load round trip predicts and trains on identically, and errors name the inputs, outputs
 * and shapes.
 */
class MultiInputOutputTest {
    static final SplittableRandom R = new SplittableRandom(21);
    static final float[][] XA = TestUtil.uniform(R, 6, 4, -1, 1), XB = TestUtil.uniform(R, 6, 3, -1, 1);
    static final float[][] YA = TestUtil.oneHot(R, 6, 3), YB = TestUtil.uniform(R, 6, 2, -1, 1);
    static final float[][] LABELS = {{2}, {0}, {1}, {1}, {0}, {2}}; // class indices, one per row

    /**
     * Two inputs, two outputs. Output "a" (softmax) also feeds the layers of output "b", so its
     * gradient is its loss's plus what comes back from "b"; Dense "shared" is applied to both
     * inputs' branches (its gradients add up).
     */
    static Model twoByTwo(Backend backend, long seed) {
        var xa = Input.of(4);
        var xb = Input.of(3);
        Dense shared = new Dense(3, "tanh");
        shared.withName("shared");
        KerasTensor ha = shared.apply(new Dense(3, "relu").apply(xa));
        KerasTensor hb = shared.apply(new Dense(3, "tanh").apply(xb));
        KerasTensor a = new Dense(3, "softmax").withName("a").apply(new Add().apply(ha, hb));
        KerasTensor b = new Dense(2, "tanh").withName("b").apply(new Concatenate().apply(a, hb, xb));
        return new Model(backend, seed, null, List.of(xa, xb), List.of(a, b));
    }

    @Test
    void gradientsOfAWeightedSumOfLosses() {
        for (boolean sparse : new boolean[] {false, true}) {
            float[][] ya = sparse ? LABELS : YA;
            String lossA = sparse ? "sparse_categorical_crossentropy" : "categorical_crossentropy";
            try (Model ref = twoByTwo(Backends.reference(), 5); Model nat = twoByTwo(Backends.nativeBackend(), 5)) {
                for (Model m : List.of(ref, nat)) {
                    m.compile(List.of(Losses.of(lossA), Losses.of("mse")), List.of(0.7, 2.0), new SGD(0.1), null);
                }
                List<float[][]> xs = List.of(XA, XB), ys = List.of(ya, YB);
                double lr = ref.computeGradients(xs, ys), ln = nat.computeGradients(xs, ys);
                assertEquals(lr, ln, 1e-5, "native = reference: loss");
                // The total is the weighted sum of the outputs' losses, each as testOnBatch reports it.
                float[] parts = ref.testOnBatch(xs, ys);
                assertEquals(0.7 * parts[1] + 2.0 * parts[2], lr, 1e-5);
                assertEquals(parts[0], lr, 1e-5);
                FunctionalTest.checkGradients(ref, nat, m -> m.computeGradients(xs, ys), "two-input two-output (" + lossA + ")");
            }
        }
    }

    @Test
    void resultsAreNamedAsKeras3AndEqualTheLossesByHand() {
        try (Model m = twoByTwo(Backends.nativeBackend(), 3)) {
            m.compile(List.of(Losses.of("categorical_crossentropy"), Losses.of("mse")), List.of(1.0, 0.5), new SGD(0.05),
                    List.of(List.of(Metrics.of("accuracy")), List.of(Metrics.of("mae"), Metrics.of("mae"))));
            assertEquals(List.of("a", "b"), m.outputNames());
            assertEquals(List.of("loss", "a_loss", "b_loss", "a_accuracy", "b_mae", "b_mae_1"), m.metricsNames());
            float[] r = m.evaluate(List.of(XA, XB), List.of(YA, YB), 4);
            List<float[][]> p = m.predict(List.of(XA, XB));
            double ce = 0, mse = 0, mae = 0;
            int correct = 0;
            for (int i = 0; i < 6; i++) {
                int best = 0;
                for (int c = 0; c < 3; c++) {
                    ce -= YA[i][c] * Math.log(p.get(0)[i][c]);
                    if (p.get(0)[i][c] > p.get(0)[i][best]) best = c;
                }
                if (YA[i][best] == 1) correct++;
                for (int c = 0; c < 2; c++) {
                    double d = p.get(1)[i][c] - YB[i][c];
                    mse += d * d;
                    mae += Math.abs(d);
                }
            }
            ce /= 6;
            mse /= 12;
            mae /= 12;
            assertEquals(ce, r[1], 1e-5, "a_loss");
            assertEquals(mse, r[2], 1e-5, "b_loss");
            assertEquals(ce + 0.5 * mse, r[0], 1e-5, "loss = a_loss + 0.5 b_loss");
            assertEquals(correct / 6.0, r[3], 1e-6, "a_accuracy");
            assertEquals(mae, r[4], 1e-5, "b_mae");
            assertEquals(r[4], r[5]);

            // fit logs the same names, and "val_" ones, which callbacks can monitor.
            EarlyStopping stop = new EarlyStopping("val_a_accuracy", 1);
            History h = m.fit(List.of(XA, XB), List.of(YA, YB), FitOptions.builder().batchSize(2).epochs(3).verbose(0)
                    .validationData(List.of(XA, XB), List.of(YA, YB)).callbacks(stop).build());
            assertEquals(List.of("loss", "a_loss", "b_loss", "a_accuracy", "b_mae", "b_mae_1", "val_loss", "val_a_loss", "val_b_loss",
                    "val_a_accuracy", "val_b_mae", "val_b_mae_1"), List.copyOf(h.asMap().keySet()));
            // The epoch's running loss is the weighted sum of the running output losses.
            assertEquals(h.last("a_loss") + 0.5 * h.last("b_loss"), h.last("loss"), 1e-5);
            // Validation on the training data after the last epoch equals evaluate.
            float[] after = m.evaluate(List.of(XA, XB), List.of(YA, YB), 2);
            assertEquals(after[2], h.last("val_b_loss"), 1e-6);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fit(List.of(XA, XB), List.of(YA, YB),
                    FitOptions.builder().verbose(0).validationSplit(0.5).callbacks(new EarlyStopping("val_accuracy", 1)).build()));
            assertTrue(e.getMessage().contains("val_a_accuracy"), e.getMessage());
        }
    }

    @Test
    void compileByNameEqualsCompileByListAndTrainsTheSame() {
        FitOptions o = FitOptions.builder().batchSize(4).epochs(2).verbose(0).validationSplit(0.34).build();
        try (Model byList = twoByTwo(Backends.nativeBackend(), 9); Model byName = twoByTwo(Backends.nativeBackend(), 9)) {
            byList.compile(List.of(Losses.of("sparse_categorical_crossentropy"), Losses.of("mse")), List.of(1.0, 0.25), new SGD(0.1),
                    List.of(List.of(Metrics.of("accuracy")), List.of()));
            byName.compile(Map.of("b", "mse", "a", "sparse_categorical_crossentropy"), Map.of("b", 0.25), new SGD(0.1),
                    Map.of("a", List.of("accuracy")));
            assertEquals(byList.metricsNames(), byName.metricsNames());
            assertEquals(List.of("loss", "a_loss", "b_loss", "a_accuracy"), byName.metricsNames());
            // "accuracy" on a sparse loss is sparse categorical accuracy, as in Keras.
            assertEquals(dev.sinew.metrics.SparseCategoricalAccuracy.class, byName.metricsPerOutput().get(0).get(0).getClass());
            History h1 = byList.fit(List.of(XA, XB), List.of(LABELS, YB), o), h2 = byName.fit(List.of(XA, XB), List.of(LABELS, YB), o);
            assertEquals(h1.asMap(), h2.asMap());
            for (int i = 0; i < byList.getWeights().size(); i++) assertArrayEquals(byList.getWeights().get(i), byName.getWeights().get(i));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> byName.compile(Map.of("a", "mse", "c", "mse"), new SGD(0.1), null));
            assertTrue(e.getMessage().contains("\"c\"") && e.getMessage().contains("[a, b]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> byName.compile(Map.of("a", "mse"), new SGD(0.1), null));
            assertTrue(e.getMessage().contains("output \"b\" has no loss"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> byName.compile(List.of(Losses.of("mse")), null, new SGD(0.1), null));
            assertTrue(e.getMessage().contains("2 outputs [a, b]"), e.getMessage());
        }
    }

    @Test
    void aOneInputOneOutputModelTakesListsExactlyAsArrays() {
        float[][] x = TestUtil.uniform(new SplittableRandom(1), 40, 4, -1, 1);
        float[][] y = TestUtil.oneHot(new SplittableRandom(2), 40, 3);
        FitOptions o = FitOptions.builder().batchSize(8).epochs(2).verbose(0).validationSplit(0.2).build();
        try (Model arrays = FunctionalTest.dense(Backends.nativeBackend(), in -> new Dense(3, "softmax").apply(new Dense(5, "relu").apply(in)));
                Model lists = FunctionalTest.dense(Backends.nativeBackend(), in -> new Dense(3, "softmax").apply(new Dense(5, "relu").apply(in)))) {
            // (List.of(x) of one float[][] would be a list of its rows: List.<float[][]>of(x) is a list of one array.)
            List<float[][]> xs = List.<float[][]>of(x), ys = List.<float[][]>of(y);
            assertEquals(arrays.fit(x, y, o).asMap(), lists.fit(xs, ys, o).asMap());
            assertArrayEquals(arrays.trainOnBatch(x, y), lists.trainOnBatch(xs, ys));
            assertArrayEquals(arrays.trainOnBatch(x, y), lists.trainOnBatch(xs, y));
            assertArrayEquals(arrays.trainOnBatch(x, y), lists.trainOnBatch(x, ys));
            assertArrayEquals(arrays.evaluate(x, y, 7), lists.evaluate(xs, ys, 7));
            assertArrayEquals(arrays.evaluate(x, y, 7), lists.evaluate(x, ys, 7));
            assertArrayEquals(arrays.evaluate(x, y, 7), lists.evaluate(xs, y, 7));
            assertArrayEquals(arrays.predict(x, 9), lists.predict(xs, 9).getFirst());
            assertArrayEquals(arrays.predict(x, 9), lists.predictOutputs(x, 9).getFirst());
            assertArrayEquals(arrays.predictOnBatch(x), lists.predictOnBatch(xs).getFirst());
            assertArrayEquals(arrays.testOnBatch(x, y), lists.testOnBatch(xs, ys));
            assertArrayEquals(arrays.testOnBatch(x, y), lists.testOnBatch(x, ys));
            assertArrayEquals(arrays.testOnBatch(x, y), lists.testOnBatch(xs, y));
        }
    }

    @Test
    void multiInputOutputTrainingStepAllocatesNothingPerElement() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 600;
        List<float[][]> xs = List.of(TestUtil.uniform(r, n, 4, -1, 1), TestUtil.uniform(r, n, 3, -1, 1));
        List<float[][]> ys = List.of(TestUtil.oneHot(r, n, 3), TestUtil.uniform(r, n, 2, -1, 1));
        try (Model m = twoByTwo(Backends.nativeBackend(), 4)) {
            m.compile(List.of(Losses.of("categorical_crossentropy"), Losses.of("mse")), List.of(1.0, 0.5), new SGD(0.01),
                    List.of(List.of(Metrics.of("accuracy")), List.of()));
            // The best of a few rounds: the first ones measure the JIT's warm-up (escape analysis
            // removes the iterators and views only once the step is compiled).
            double perStep = Double.MAX_VALUE;
            for (int round = 0; round < 6 && perStep >= 256; round++) {
                long start = MemoryTest.threadAllocatedBytes();
                for (int i = 0; i < 2_000; i++) m.trainOnBatch(xs, ys);
                perStep = Math.min(perStep, (MemoryTest.threadAllocatedBytes() - start) / 2_000.0);
            }
            System.out.printf("MultiInputOutputTest: %.1f heap bytes per training step (batch 600, 2 inputs, 2 outputs)%n", perStep);
            // The result, the arrays of the two lists and a few views (fewer when the JIT removes
            // them); anything per element (600 rows of 3 to 11 values per node) would be tens of KB.
            assertTrue(perStep < 1024, "heap bytes per step: " + perStep);
        }
    }

    @Test
    void aSharedTwoByTwoModelSavesLoadsSummarisesAndTrainsOnIdentically(@TempDir Path dir) throws Exception {
        List<float[][]> xs = List.of(XA, XB), ys = List.of(LABELS, YB);
        try (Model m = twoByTwo(Backends.nativeBackend(), 8)) {
            m.compile(Map.of("a", "sparse_categorical_crossentropy", "b", "mae"), Map.of("a", 0.5, "b", 2.0), new SGD(0.05, 0.9, false),
                    Map.of("a", List.of("accuracy"), "b", List.of("mse")));
            m.fit(xs, ys, FitOptions.builder().batchSize(4).epochs(2).verbose(0).build());
            Path file = dir.resolve("two-by-two.zip");
            m.save(file);
            try (Model back = Model.load(file)) {
                assertEquals(List.of("input_layer", "input_layer_1"), back.inputNames());
                assertEquals(m.outputNames(), back.outputNames());
                assertEquals(m.metricsNames(), back.metricsNames());
                assertEquals(List.of(0.5, 2.0), back.lossWeights());
                assertEquals(List.of("sparse_categorical_crossentropy", "mean_absolute_error"),
                        back.losses().stream().map(l -> l.name()).toList());
                List<float[][]> p = m.predict(xs), q = back.predict(xs);
                for (int j = 0; j < 2; j++) assertArrayEquals(p.get(j), q.get(j));
                assertEquals(m.summary(), back.summary());
                FitOptions o = FitOptions.builder().batchSize(4).epochs(4).initialEpoch(2).verbose(0).build();
                assertEquals(m.fit(xs, ys, o).asMap(), back.fit(xs, ys, o).asMap());
                for (int i = 0; i < m.getWeights().size(); i++) assertArrayEquals(m.getWeights().get(i), back.getWeights().get(i));
            }
            String s = m.summary();
            System.out.println(s);
            assertTrue(s.contains("input_layer (InputLayer)") && s.contains("input_layer_1 (InputLayer)")
                    && s.contains("Connected to") && s.contains("dense[0][0]"), s);
            // shared is applied twice: its row lists both applications' inputs; b reads a, shared's second output and an input.
            assertTrue(s.contains("dense[0][0], dense_1[0][0]") && s.contains("a[0][0], shared[1][0], input_layer_1[0][0]"), s);
        }
    }

    /** The README's functional-API examples, as written there, on a few random images. */
    @Test
    void theReadmeExamplesRun() {
        SplittableRandom r = new SplittableRandom(4);
        float[][] images = TestUtil.uniform(r, 24, 28 * 28, 0, 1), metas = TestUtil.uniform(r, 24, 3, -1, 1);
        float[][] sizes = TestUtil.uniform(r, 24, 1, 0, 1);
        int[] ints = new int[24];
        for (int i = 0; i < ints.length; i++) ints[i] = r.nextInt(10);
        float[][] labels = dev.sinew.data.NdArray.labels(ints).rows();
        float[][] valImages = images, valMetas = metas, valLabels = labels, valSizes = sizes;

        var in = Input.of(28, 28, 1);
        var h  = new dev.sinew.layers.Conv2D(32, 3, 1, "same", "relu").apply(in);
        var res = new Add().apply(h, new dev.sinew.layers.Conv2D(32, 3, 1, "same", "linear").apply(h));
        Model m0 = new Model(in, new Dense(10, "softmax").apply(new dev.sinew.layers.Flatten().apply(res)));

        var image = Input.of(28, 28, 1);
        var meta  = Input.of(3);
        var f     = new Concatenate().apply(new dev.sinew.layers.Flatten().apply(new dev.sinew.layers.Conv2D(8, 3, "relu").apply(image)), meta);
        var digit = new Dense(10, "softmax").withName("digit").apply(f);
        var size  = new Dense(1).withName("size").apply(f);
        try (Model m = new Model(List.of(image, meta), List.of(digit, size))) {
            m.compile(Map.of("digit", "sparse_categorical_crossentropy", "size", "mse"),
                    Map.of("size", 0.5), new dev.sinew.optimizers.Adam(1e-3), Map.of("digit", List.of("accuracy")));
            History hi = m.fit(List.of(images, metas), List.of(labels, sizes), FitOptions.builder().epochs(10).verbose(0)
                    .validationData(List.of(valImages, valMetas), List.of(valLabels, valSizes))
                    .callbacks(new EarlyStopping("val_digit_accuracy", 3)).build());
            assertEquals(List.of("loss", "digit_loss", "size_loss", "digit_accuracy"), m.metricsNames());
            assertTrue(hi.get("val_digit_accuracy").size() >= 1);
            List<float[][]> out = m.predict(List.of(images, metas));
            assertEquals(10, out.get(0)[0].length);
            assertEquals(1, out.get(1)[0].length);
        }
        try (Model m = m0; Model maps = new Model(m.input(), m.output("conv2d"))) {
            float[][] featureMaps = maps.predict(images);
            assertEquals(28 * 28 * 32, featureMaps[0].length);
        }
    }

    @Test
    void errorsNameInputsOutputsAndShapes() {
        var xa = Input.of(4);
        var xb = Input.of(3);
        var a = new Dense(2).apply(xa);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Model(List.of(xa, xb), List.of(a)));
        assertTrue(e.getMessage().contains("input 1") && e.getMessage().contains("not connected"), e.getMessage());
        var c = new Dense(2).apply(new Concatenate().apply(a, new Dense(2).apply(xb)));
        e = assertThrows(IllegalArgumentException.class, () -> new Model(List.of(xa), List.of(c)));
        assertTrue(e.getMessage().startsWith("Graph disconnected") && e.getMessage().contains("Dense"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Model(List.of(xa, xa), List.of(a)));
        assertTrue(e.getMessage().contains("same input twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Model(List.of(xa), List.of(a, a)));
        assertTrue(e.getMessage().contains("same tensor"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Model(List.of(xa), List.of(xa)));
        assertTrue(e.getMessage().contains("apply at least one layer"), e.getMessage());

        try (Model m = twoByTwo(Backends.nativeBackend(), 1)) {
            m.compile(List.of(Losses.of("categorical_crossentropy"), Losses.of("mse")), null, new SGD(0.1), null);
            e = assertThrows(IllegalArgumentException.class, () -> m.predict(XA));
            assertTrue(e.getMessage().contains("2 inputs [input_layer, input_layer_1] and 2 outputs [a, b]")
                    && e.getMessage().contains("List.of"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.predictOutputs(XA));
            assertTrue(e.getMessage().contains("must hold 2 arrays"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.predict(List.of(XB, XA)));
            assertTrue(e.getMessage().contains("input \"input_layer\"") && e.getMessage().contains("expects 4 values")
                    && e.getMessage().contains("got 3 in x[0]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.trainOnBatch(List.of(XA, XB), List.of(YA, new float[6][3])));
            assertTrue(e.getMessage().contains("output \"b\"") && e.getMessage().contains("got 3 in y[1]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(List.of(XA, java.util.Arrays.copyOf(XB, 5)), List.of(YA, YB), FitOptions.builder().verbose(0).build()));
            assertTrue(e.getMessage().contains("x[1] has 5 samples but x[0] has 6"), e.getMessage());
            float[][] nan = TestUtil.uniform(new SplittableRandom(1), 6, 2, 0, 1);
            nan[3][1] = Float.NaN;
            List<float[]> before = m.getWeights();
            e = assertThrows(IllegalArgumentException.class, () -> m.trainOnBatch(List.of(XA, XB), List.of(YA, nan)));
            assertTrue(e.getMessage().contains("y[1] contains a non-finite value"), e.getMessage());
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), m.getWeights().get(i));
        }
    }
}
