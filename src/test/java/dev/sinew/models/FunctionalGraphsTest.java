package dev.sinew.models;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.activations.Activation;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.layers.Add;
import dev.sinew.layers.Average;
import dev.sinew.layers.BatchNormalization;
import dev.sinew.layers.Concatenate;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.DepthwiseConv2D;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.GlobalAveragePooling2D;
import dev.sinew.layers.GlobalMaxPooling2D;
import dev.sinew.layers.Input;
import dev.sinew.layers.KerasTensor;
import dev.sinew.layers.LayerNormalization;
import dev.sinew.layers.Maximum;
import dev.sinew.layers.Multiply;
import dev.sinew.layers.Permute;
import dev.sinew.layers.ReLU;
import dev.sinew.layers.Reshape;
import dev.sinew.layers.SeparableConv2D;
import dev.sinew.layers.Subtract;
import dev.sinew.layers.ZeroPadding2D;
import dev.sinew.losses.Losses;
import dev.sinew.optimizers.Adam;
import dev.sinew.optimizers.SGD;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graphs where buffers could alias: layers that turn dy into dx in place (BatchNormalization,
 * LayerNormalization, activations, Dropout) behind views that pass buffers through (Reshape,
 * Flatten) that fan out, a tensor merged with itself, a shared layer whose applications feed
 * normalisations, outputs that other layers read too. Gradients by finite differences on the
 * reference backend, native = reference; then the new layers together in one model: concurrent
 * inference bit for bit, prediction during fit, save/load/resume, steady off-heap memory.
 */
class FunctionalGraphsTest {
    static final float[][] X = FunctionalTest.X;

    @Test
    void aTensorAddedToItself() {
        FunctionalTest.gradientCheck(b -> FunctionalTest.dense(b, in -> {
            KerasTensor a = new Dense(3, "tanh").apply(in);
            return new Dense(3, "softmax").apply(new Add().apply(a, a));
        }), X);
    }

    @Test
    void aTensorConcatenatedWithItselfIntoBatchNormalization() {
        FunctionalTest.gradientCheck(b -> FunctionalTest.dense(b, in -> {
            KerasTensor a = new Dense(3, "tanh").apply(in);
            KerasTensor c = new BatchNormalization().apply(new Concatenate().apply(a, a));
            return new Dense(3, "softmax").apply(c);
        }), X);
    }

    @Test
    void batchNormalizationAfterAFlattenThatFansOut() {
        FunctionalTest.gradientCheck(b -> FunctionalTest.cnn(b, in -> {
            KerasTensor c = new Conv2D(2, 2, 1, "same", "tanh").apply(in);
            KerasTensor f = new Flatten().apply(c);
            KerasTensor n = new BatchNormalization().apply(f);
            KerasTensor d = new Dense(8, "tanh").apply(f);
            KerasTensor r = new dev.sinew.layers.Activation("tanh").apply(new Reshape(8).apply(c));
            return new Dense(3, "softmax").apply(new Concatenate().apply(n, d, r));
        }), X);
    }

    @Test
    void aSharedBatchNormalizationFeedingAnotherShared() {
        FunctionalTest.gradientCheck(b -> FunctionalTest.dense(b, in -> {
            KerasTensor a = new Dense(3, "tanh").apply(in), c = new Dense(3, "relu").apply(in);
            BatchNormalization bn = new BatchNormalization(), bn2 = new BatchNormalization();
            KerasTensor sa = bn.apply(a), sc = bn.apply(c);
            KerasTensor m = new Add().apply(bn2.apply(sa), bn2.apply(sc));
            return new Dense(3, "softmax").apply(new Concatenate().apply(m, sa));
        }), X);
    }

    @Test
    void aSharedDenseFeedingNormalizationsAndViews() {
        FunctionalTest.gradientCheck(b -> FunctionalTest.dense(b, in -> {
            Dense shared = new Dense(4, "tanh");
            KerasTensor a = shared.apply(in);
            KerasTensor c = shared.apply(new Dense(4, "tanh").apply(a));
            KerasTensor n = new BatchNormalization().apply(a);
            KerasTensor l = new LayerNormalization().apply(c);
            KerasTensor f = new Flatten().apply(new Reshape(2, 2).apply(n));
            return new Dense(3, "softmax").apply(new Multiply().apply(f, l, new dev.sinew.layers.Activation("sigmoid").apply(f)));
        }), X);
    }

    @Test
    void aReshapeFanningOutIntoInPlaceLayersAndMerges() {
        FunctionalTest.gradientCheck(b -> FunctionalTest.dense(b, in -> {
            KerasTensor r = new Reshape(2, 2).apply(new Dense(4).apply(in));
            KerasTensor n = new BatchNormalization().apply(r);
            KerasTensor s = new Subtract().apply(n, new ReLU().apply(r));
            KerasTensor av = new Average().apply(new Maximum().apply(r, s), r, n);
            return new Dense(3, "softmax").apply(new Flatten().apply(av));
        }), X);
    }

    @Test
    void sharedDepthwiseAndSeparableConvolutionsWithNormalizationAndPooling() {
        FunctionalTest.gradientCheck(b -> FunctionalTest.cnn(b, in -> {
            SeparableConv2D sep = new SeparableConv2D(2, 2, 1, "same", "tanh");
            DepthwiseConv2D dw = new DepthwiseConv2D(2, 1, "same", 2, "linear");
            KerasTensor d = dw.apply(sep.apply(in));
            KerasTensor bn = new BatchNormalization().apply(d);
            KerasTensor d2 = dw.apply(sep.apply(new dev.sinew.layers.Activation("tanh").apply(new Conv2D(1, 1).apply(in))));
            KerasTensor m = new Maximum().apply(bn, d2, new BatchNormalization().apply(d2));
            KerasTensor g = new GlobalAveragePooling2D().apply(m);
            return new Dense(3, "softmax").apply(new Concatenate().apply(g, new Flatten().apply(bn)));
        }), X);
    }

    /** Outputs "bn" (its dy is turned into dx in place) and "r" (a view of it) are also read by "o3"'s branch. */
    static Model outputsReadByOthers(Backend backend) {
        var in = Input.of(4);
        KerasTensor bn = new BatchNormalization().withName("bn").apply(new Dense(4, "tanh").apply(in));
        KerasTensor r = new dev.sinew.layers.Activation("linear").withName("r").apply(new Reshape(2, 2).apply(bn));
        KerasTensor relu = new Flatten().apply(new ReLU().apply(new Reshape(2, 2).apply(bn)));
        KerasTensor o3 = new Dense(3, "softmax").withName("o3").apply(new Add().apply(bn, relu));
        Model m = new Model(backend, 5, null, List.of(in), List.of(bn, r, o3));
        m.compile(List.of(Losses.of("mse"), Losses.of("mse"), Losses.of("categorical_crossentropy")), List.of(0.5, 2.0, 1.0),
                new SGD(0.1), null);
        return m;
    }

    @Test
    void outputsThatOtherLayersReadToo() {
        SplittableRandom r = new SplittableRandom(8);
        List<float[][]> xs = List.<float[][]>of(X);
        List<float[][]> ys = List.of(TestUtil.uniform(r, 6, 4, -1, 1), TestUtil.uniform(r, 6, 4, -1, 1), FunctionalTest.Y);
        try (Model ref = outputsReadByOthers(Backends.reference()); Model nat = outputsReadByOthers(Backends.nativeBackend())) {
            assertEquals(ref.computeGradients(xs, ys), nat.computeGradients(xs, ys), 1e-5, "native = reference: loss");
            List<float[]> analytic = ref.getGradients(), native_ = nat.getGradients(), w = ref.getWeights();
            for (int t = 0; t < w.size(); t++) {
                assertTrue(relativeError(analytic.get(t), native_.get(t), 1e-3) < 1e-4, "native = reference: gradient " + t);
                float[] numeric = new float[w.get(t).length];
                for (int i = 0; i < numeric.length; i++) {
                    List<float[]> plus = ModelGradientCheckTest.copy(w), minus = ModelGradientCheckTest.copy(w);
                    plus.get(t)[i] += 1e-3f;
                    minus.get(t)[i] -= 1e-3f;
                    ref.setWeights(plus);
                    double lp = ref.computeGradients(xs, ys);
                    ref.setWeights(minus);
                    double lm = ref.computeGradients(xs, ys);
                    numeric[i] = (float) ((lp - lm) / ((double) plus.get(t)[i] - minus.get(t)[i]));
                }
                ref.setWeights(w);
                double e = relativeError(analytic.get(t), numeric, 1e-3);
                assertTrue(e < 1e-2, ref.parameterTable().variables().get(t).path() + ": relative error " + e);
            }
        }
    }

    /**
     * A shared convolution, BatchNormalization, a three-way Add, global pooling, Dropout, Flatten,
     * Concatenate, LayerNormalization, Reshape, SeparableConv2D: predictions from four threads at
     * once equal single-threaded ones bit for bit, predicting while fit runs on another thread
     * works, and a saved model predicts, summarises and trains on identically.
     */
    @Test
    void concurrentInferenceAndResumeOfAModelOfSharedLayersAndMerges(@TempDir Path dir) throws Exception {
        var in = Input.of(6, 6, 2);
        Conv2D shared = new Conv2D(4, 3, 1, "same", "linear");
        KerasTensor a = shared.apply(in);
        KerasTensor b = new BatchNormalization().apply(a);
        KerasTensor c = shared.apply(new dev.sinew.layers.Activation("relu").apply(new DepthwiseConv2D(3, 1, "same", 1, "linear").apply(in)));
        KerasTensor m = new Add().apply(b, c, new ReLU().apply(b));
        KerasTensor g = new GlobalAveragePooling2D().apply(m);
        KerasTensor f = new Flatten().apply(new Dropout(0.3).apply(m));
        KerasTensor z = new Concatenate().apply(g, new Dense(5, "tanh").apply(f), new LayerNormalization().apply(new Dense(5).apply(g)));
        KerasTensor out = new Dense(3, "softmax").apply(new Flatten().apply(new SeparableConv2D(2, 1).apply(new Reshape(1, 1, 14).apply(z))));
        SplittableRandom r = new SplittableRandom(3);
        float[][] x = TestUtil.uniform(r, 120, 72, -1, 1), y = TestUtil.oneHot(r, 120, 3);
        try (Model model = new Model(in, out, 4)) {
            model.compile("categorical_crossentropy", "adam", "accuracy");
            model.fit(x, y, FitOptions.builder().batchSize(20).epochs(2).verbose(0).build());
            int[] batch = {1, 7, 32, 120};
            float[][][] predicted = new float[batch.length][][];
            float[][] evaluated = new float[batch.length][];
            for (int t = 0; t < batch.length; t++) {
                predicted[t] = model.predict(x, batch[t]);
                evaluated[t] = model.evaluate(x, y, batch[t]);
            }
            ConcurrencyTest.onThreads(4, t -> {
                for (int i = 0; i < 20; i++) {
                    int k = (t + i) % batch.length;
                    assertArrayEquals(predicted[k], model.predict(x, batch[k]), "predict, batch " + batch[k]);
                    assertArrayEquals(evaluated[k], model.evaluate(x, y, batch[k]), "evaluate, batch " + batch[k]);
                }
            });
            Thread training = new Thread(() -> model.fit(x, y, FitOptions.builder().batchSize(20).epochs(3).verbose(0).build()));
            training.start();
            while (training.isAlive()) model.predict(x, 7);
            training.join();
            Path file = dir.resolve("m.zip");
            model.save(file);
            try (Model back = Model.load(file)) {
                assertArrayEquals(model.predict(x), back.predict(x));
                assertEquals(model.summary(), back.summary());
                FitOptions o = FitOptions.builder().batchSize(20).epochs(7).initialEpoch(5).verbose(0).build();
                assertEquals(model.fit(x, y, o).asMap(), back.fit(x, y, o).asMap());
                assertArrayEquals(model.predict(x), back.predict(x));
            }
        }
    }

    /** Every layer of issue 12 with non-default options in a model of two inputs and two outputs: save, load, resume. */
    @Test
    void theNewLayersWithTheirOptionsRoundTrip(@TempDir Path dir) throws Exception {
        var in = Input.of(5, 4, 3);
        var other = Input.of(7);
        KerasTensor p = new ZeroPadding2D(new int[][] {{1, 0}, {0, 2}}).apply(in);
        KerasTensor d = new DepthwiseConv2D(3, 3, 1, 1, "valid", 2, Activation.RELU, false).apply(p);
        KerasTensor s = new SeparableConv2D(4, 2, 2, 1, 1, "same", 2, Activation.TANH, true).apply(d);
        KerasTensor bn = new BatchNormalization(-1, 0.9, 1e-2, false, true).apply(s);
        KerasTensor bn2 = new BatchNormalization(3, 0.5, 1e-3, true, false).apply(s);
        KerasTensor per = new Permute(2, 1, 3).apply(new Add().apply(bn, bn2));
        KerasTensor gm = new GlobalMaxPooling2D(true).apply(per);
        KerasTensor ga = new GlobalAveragePooling2D().apply(per);
        KerasTensor ln = new LayerNormalization(-1, 1e-2, false, true).apply(new Reshape(-1).apply(gm));
        KerasTensor c = new Concatenate(1).apply(ln, ga, new Dense(4).apply(other));
        KerasTensor r = new Reshape(2, -1).apply(new Dropout(0.2, 9L).apply(c));
        KerasTensor o1 = new Dense(2, "softmax").withName("o1").apply(new Flatten().apply(new Subtract().apply(r, new Multiply().apply(r, r))));
        KerasTensor o2 = new Dense(1).withName("o2").apply(new Average().apply(c, new Maximum().apply(c, c)));
        SplittableRandom rr = new SplittableRandom(2);
        List<float[][]> xs = List.of(TestUtil.uniform(rr, 30, 60, -1, 1), TestUtil.uniform(rr, 30, 7, -1, 1));
        List<float[][]> ys = List.of(TestUtil.oneHot(rr, 30, 2), TestUtil.uniform(rr, 30, 1, -1, 1));
        try (Model m = new Model(List.of(in, other), List.of(o1, o2), 3)) {
            m.compile(Map.of("o1", "categorical_crossentropy", "o2", "mse"), new Adam(0.01), Map.of());
            m.fit(xs, ys, FitOptions.builder().batchSize(8).epochs(2).verbose(0).build());
            Path file = dir.resolve("m.zip");
            m.save(file);
            try (Model back = Model.load(file)) {
                for (int j = 0; j < 2; j++) assertArrayEquals(m.predict(xs).get(j), back.predict(xs).get(j));
                assertEquals(m.summary(), back.summary());
                for (int i = 0; i < m.layers().size(); i++) {
                    assertEquals(m.layers().get(i).getConfig(), back.layers().get(i).getConfig());
                }
                FitOptions o = FitOptions.builder().batchSize(8).epochs(4).initialEpoch(2).verbose(0).build();
                assertEquals(m.fit(xs, ys, o).asMap(), back.fit(xs, ys, o).asMap());
            }
        }
    }

    /** Merges, a shared layer, BatchNormalization and Dropout: 3,000 steps (with smaller batches and predictions between) hold their memory; close frees it all. */
    @Test
    void offHeapMemoryStaysPutAndCloseFreesIt() {
        var in = Input.of(4);
        Dense shared = new Dense(4, "tanh");
        KerasTensor a = shared.apply(in), b = shared.apply(new BatchNormalization().apply(a));
        KerasTensor out = new Dense(3, "softmax").apply(new Concatenate().apply(new Add().apply(a, b), new Dropout(0.3).apply(b)));
        Model m = new Model(in, out, 3);
        m.compile("categorical_crossentropy", new Adam(0.01));
        m.trainOnBatch(X, FunctionalTest.Y);
        m.predict(X);
        long bytes = m.offHeapBytes();
        for (int i = 0; i < 3000; i++) {
            m.trainOnBatch(X, FunctionalTest.Y);
            if (i % 100 == 0) {
                m.predict(X);
                m.trainOnBatch(new float[][] {X[0]}, new float[][] {FunctionalTest.Y[0]});
            }
        }
        assertEquals(bytes, m.offHeapBytes());
        m.close();
        assertEquals(0, m.offHeapBytes());
    }
}
