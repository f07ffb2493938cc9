package dev.sinew.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.models.FitOptions;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sparse_categorical_crossentropy and integer labels (issue 11, items 1 and 4): the same maths as
 * categorical cross-entropy on the one-hot rows, bit for bit, on both backends, fused with softmax
 * and not; labels outside [0, classes) refused before any native call or training step.
 */
class SparseCategoricalCrossentropyTest {
    final SplittableRandom rng = new SplittableRandom(8);
    final float[][] x = TestUtil.uniform(rng, 60, 5, -1, 1);
    final int[] labels = new int[60];

    {
        for (int i = 0; i < labels.length; i++) labels[i] = rng.nextInt(4);
    }

    float[][] oneHot() {
        return dev.sinew.data.Datasets.oneHot(labels, 4);
    }

    @Test
    void oneHotAndArgmaxAreInverse() {
        float[][] y = dev.sinew.data.Datasets.oneHot(new int[] {2, 0, 1}, 3);
        assertArrayEquals(new float[][] {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}}, y);
        assertArrayEquals(new int[] {2, 0, 1}, dev.sinew.data.Datasets.argmax(y));
        assertArrayEquals(new int[] {1, 0}, dev.sinew.data.Datasets.argmax(new float[][] {{0.2f, 0.5f, 0.5f}, {3, 3, 3}}),
                "the first maximum wins");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dev.sinew.data.Datasets.oneHot(new int[] {0, 3}, 3));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
    }

    static Sequential model(Backend b, String last, String loss) {
        Sequential m = new Sequential(b, 3);
        m.add(new Input(5));
        m.add(new Dense(7, "tanh"));
        m.add(new Dense(4, last));
        m.compile(loss, new SGD(0.2), "accuracy");
        return m;
    }

    /** p = [0.1, 0.7, 0.2] for label 1: loss -log 0.7; the fused gradient p - onehot = [0.1, -0.3, 0.2]. */
    @Test
    void handComputedRow() {
        for (Backend b : new Backend[] {Backends.nativeBackend(), Backends.reference()}) {
            try (Tensor p = Tensor.of(new float[] {0.1f, 0.7f, 0.2f}, 1, 3); Tensor k = Tensor.of(new float[] {1}, 1, 1);
                    Tensor g = Tensor.zeros(1, 3)) {
                double loss = new SparseCategoricalCrossentropy().compute(b, p, k, 1, 3, g, true);
                assertEquals(-Math.log(0.7f), loss, 1e-6);
                assertArrayEquals(new float[] {0.1f, -0.3f, 0.2f}, g.toArray(), 1e-6f);
                new SparseCategoricalCrossentropy().compute(b, p, k, 1, 3, g, false);
                assertArrayEquals(new float[] {0, -1 / 0.7f, 0}, g.toArray(), 1e-5f, "-1/p at the label, 0 elsewhere");
            }
        }
    }

    @Test
    void trainsExactlyAsCategoricalCrossentropyOnOneHotRows() {
        for (Backend b : new Backend[] {Backends.nativeBackend(), Backends.reference()}) {
            for (String last : new String[] {"softmax", "sigmoid"}) { // fused, and not
                try (Sequential sparse = model(b, last, "sparse_categorical_crossentropy");
                        Sequential dense = model(b, last, "categorical_crossentropy")) {
                    for (int step = 0; step < 5; step++) {
                        float[] a = sparse.trainOnBatch(x, labels), c = dense.trainOnBatch(x, oneHot());
                        assertArrayEquals(c, a, b.name() + " " + last + ": loss and accuracy at step " + step);
                    }
                    List<float[]> ws = sparse.getWeights(), wd = dense.getWeights();
                    for (int i = 0; i < ws.size(); i++) assertArrayEquals(wd.get(i), ws.get(i), b.name() + " " + last);
                    assertArrayEquals(dense.evaluate(x, oneHot(), 16), sparse.evaluate(x, labels, 16));
                    long[] wide = java.util.Arrays.stream(labels).asLongStream().toArray();
                    assertArrayEquals(sparse.evaluate(x, labels, 16), sparse.evaluate(x, wide, 16), "long[] labels");
                    assertEquals(List.of("loss", "accuracy"), sparse.metricsNames());
                }
            }
        }
    }

    @Test
    void theNotebookClassifierTrainsFromIntLabelsExactlyAsFromOneHotRows() {
        // The notebook's MLP and SGD(0.1) on the bundled sample, five epochs:
        // int[] labels + sparse_categorical_crossentropy against one-hot rows + categorical.
        dev.sinew.data.Splits s = dev.sinew.data.Datasets.fashionMnistSample().splits(2700, 300, 1);
        int[] trainLabels = s.train().labels(), testLabels = s.test().labels();
        try (Sequential sparse = dev.sinew.examples.Networks.notebookMlp(42);
                Sequential dense = dev.sinew.examples.Networks.notebookMlp(42)) {
            sparse.compile("sparse_categorical_crossentropy", new SGD(0.1), "accuracy");
            dense.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
            FitOptions o = FitOptions.builder().batchSize(100).epochs(5).verbose(0).build();
            var hs = sparse.fit(s.train().x(), trainLabels, o);
            var hd = dense.fit(s.train().x(), s.train().y(), o);
            assertEquals(hd.asMap(), hs.asMap(), "the same loss and accuracy every epoch");
            List<float[]> ws = sparse.getWeights(), wd = dense.getWeights();
            for (int i = 0; i < ws.size(); i++) assertArrayEquals(wd.get(i), ws.get(i), "weight " + i + ", bit for bit");
            float[] es = sparse.evaluate(s.test().x(), testLabels, 100), ed = dense.evaluate(s.test().x(), s.test().y(), 100);
            assertArrayEquals(ed, es);
            assertTrue(es[1] > 0.7, "it learned: test accuracy " + es[1]);
        }
    }

    @Test
    void badLabelsAreRefusedBeforeTraining() {
        try (Sequential m = model(Backends.nativeBackend(), "softmax", "sparse_categorical_crossentropy")) {
            List<float[]> before = m.getWeights();
            int[] bad = labels.clone();
            bad[37] = 4;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(x, bad, FitOptions.builder().batchSize(10).epochs(1).verbose(0).build()));
            assertTrue(e.getMessage().contains("row 37") && e.getMessage().contains("[0, 4)"), e.getMessage());
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), m.getWeights().get(i), "no step taken");
            bad[37] = -1;
            e = assertThrows(IllegalArgumentException.class, () -> m.trainOnBatch(x, bad));
            assertTrue(e.getMessage().contains("row 37"), e.getMessage());
            float[][] half = new float[][] {{2.5f}};
            e = assertThrows(IllegalArgumentException.class, () -> m.trainOnBatch(new float[][] {x[0]}, half));
            assertTrue(e.getMessage().contains("2.5"), e.getMessage());
            // Beyond 2^24 a float32 target no longer holds the label exactly (16,777,217 would read as
            // 16,777,216): refused where the int becomes a float, not rounded.
            bad[37] = (1 << 24) + 1;
            e = assertThrows(IllegalArgumentException.class, () -> m.trainOnBatch(x, bad));
            assertTrue(e.getMessage().contains("labels[37] = 16777217"), e.getMessage());
            long[] wide = new long[labels.length];
            for (int i = 0; i < wide.length; i++) wide[i] = labels[i];
            wide[5] = 1L << 40;
            e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(x, wide, FitOptions.builder().batchSize(10).epochs(1).verbose(0).build()));
            assertTrue(e.getMessage().contains("labels[5]"), e.getMessage());
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), m.getWeights().get(i), "nothing changed");
            m.trainOnBatch(x, labels); // and it still trains
        }
        // One-hot data with the sparse loss, or labels with the one-hot loss: a message that says which to use.
        try (Sequential m = model(Backends.nativeBackend(), "softmax", "categorical_crossentropy")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.trainOnBatch(x, labels));
            assertTrue(e.getMessage().contains("sparse_categorical_crossentropy"), e.getMessage());
        }
        try (Sequential m = model(Backends.nativeBackend(), "softmax", "sparse_categorical_crossentropy")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.trainOnBatch(x, oneHot()));
            assertTrue(e.getMessage().contains("categorical_crossentropy"), e.getMessage());
        }
        try (Sequential m = model(Backends.nativeBackend(), "softmax", "mse")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.compile("sparse_categorical_crossentropy", new SGD(0.1), "categorical_accuracy"));
            assertTrue(e.getMessage().contains("sparse_categorical_accuracy"), e.getMessage());
        }
    }

    /** A loss's options (from_logits, label_smoothing) travel in the model file with its name. */
    @Test
    void lossOptionsAreSaved(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bce.zip");
        try (Sequential m = new Sequential(4)) {
            m.add(new Input(5));
            m.add(new Dense(1));
            m.compile(new BinaryCrossentropy(true, 0.1f), new SGD(0.1));
            m.save(file);
            try (Sequential loaded = Sequential.load(file)) {
                assertEquals("binary_crossentropy", loaded.loss().name());
                assertEquals(m.loss().getConfig(), loaded.loss().getConfig());
                assertEquals(true, loaded.loss().getConfig().get("from_logits"));
            }
        }
    }

    @Test
    void aSparseModelSavesAndLoads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sparse.zip");
        try (Sequential m = model(Backends.nativeBackend(), "softmax", "sparse_categorical_crossentropy")) {
            m.fit(x, labels, 20, 2);
            m.save(file);
            try (Sequential loaded = Sequential.load(file)) {
                assertEquals("sparse_categorical_crossentropy", loaded.loss().name());
                assertArrayEquals(m.evaluate(x, labels, 20), loaded.evaluate(x, labels, 20));
            }
        }
    }
}
