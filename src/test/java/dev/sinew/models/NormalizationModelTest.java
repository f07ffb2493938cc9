package dev.sinew.models;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.backend.NativeBackend;
import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.layers.Activation;
import dev.sinew.layers.BatchNormalization;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Input;
import dev.sinew.layers.LayerNormalization;
import dev.sinew.layers.MaxPooling2D;
import dev.sinew.optimizers.Optimizer;
import dev.sinew.optimizers.Optimizers;
import dev.sinew.optimizers.SGD;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BatchNormalization and LayerNormalization inside a {@code Sequential}: training normalises with
 * the batch's statistics and updates the moving ones exactly once per step, Keras's way; predict,
 * evaluate and validation use and leave them; optimizers (weight decay, EMA) never touch them;
 * they are saved, loaded and resumed bit for bit; the native backend, its batch split over
 * threads, equals the reference and repeats itself bit for bit.
 */
class NormalizationModelTest {
    static Stream<Backend> backends() {
        return Stream.of(Backends.reference(), Backends.nativeBackend());
    }

    final SplittableRandom rng = new SplittableRandom(7);
    // Three features with different means and spreads, so every statistic is visible.
    final float[][] x = shifted(TestUtil.uniform(rng, 40, 3, -1, 1));
    final float[][] y = TestUtil.oneHot(rng, 40, 2);

    static float[][] shifted(float[][] rows) {
        for (float[] r : rows) {
            r[0] = r[0] * 2 + 3;
            r[1] = r[1] * 0.5f - 1;
        }
        return rows;
    }

    /** BatchNormalization right after the Input: its statistics are those of the data. */
    static Sequential bnFirst(Backend b, Optimizer optimizer) {
        Sequential m = new Sequential(b, 3);
        m.add(new Input(3));
        m.add(new BatchNormalization());
        m.add(new Dense(2, "softmax"));
        m.compile("categorical_crossentropy", optimizer, "accuracy");
        return m;
    }

    /** Keras's rule, in float32, over batches of 10 rows starting at {@code froms}, in order. */
    static float[][] movingStatistics(float[][] x, int... froms) {
        int batch = 10;
        float[] mean = new float[3], variance = {1, 1, 1};
        float keep = 0.99f, blend = (float) (1.0 - 0.99);
        for (int from : froms) {
            for (int c = 0; c < 3; c++) {
                double s = 0, q = 0;
                for (int r = from; r < from + batch; r++) s += x[r][c];
                float m = (float) (s / batch);
                for (int r = from; r < from + batch; r++) q += (x[r][c] - (double) m) * (x[r][c] - (double) m);
                mean[c] = mean[c] * keep + m * blend;
                variance[c] = variance[c] * keep + (float) (q / batch) * blend;
            }
        }
        return new float[][] {mean, variance};
    }

    @ParameterizedTest
    @MethodSource("backends")
    void trainingUsesTheBatchAndPredictTheMovingStatistics(Backend b) {
        try (Sequential m = new Sequential(b, 1)) {
            m.add(new Input(3));
            m.add(new BatchNormalization());
            m.compile("mean_squared_error", new SGD(0.1));
            // Before training the moving statistics are mean 0, variance 1: predict is x / sqrt(1.001).
            float[][] p = m.predict(x);
            for (int r = 0; r < x.length; r++) {
                for (int c = 0; c < 3; c++) assertEquals(x[r][c] / Math.sqrt(1.001), p[r][c], 1e-6 * (1 + Math.abs(p[r][c])));
            }
            assertArrayEquals(p, m.predict(x), "predict is deterministic");
            // Training mode normalises each column with the batch's own statistics: against targets 0,
            // the mean squared error is the mean over columns of variance / (variance + 0.001).
            float[][] zeros = new float[x.length][3];
            double want = 0;
            for (int c = 0; c < 3; c++) {
                double s = 0, q = 0;
                for (float[] r : x) s += r[c];
                for (float[] r : x) q += Math.pow(r[c] - s / x.length, 2);
                want += (q / x.length) / (q / x.length + 0.001) / 3;
            }
            double training = m.computeGradients(x, zeros);
            assertEquals(want, training, 1e-6);
            float inference = m.evaluate(x, zeros)[0];
            assertNotEquals((float) training, inference, "predict and evaluate use the moving statistics");
            System.out.printf("BatchNormalization: training-mode loss %.6f (batch statistics), inference %.6f%n",
                    training, inference);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void movingStatisticsChangeOncePerStepAndNeverInInference(Backend b) {
        try (Sequential m = bnFirst(b, new SGD(0.1))) {
            m.trainOnBatch(Arrays.copyOfRange(x, 0, 10), Arrays.copyOfRange(y, 0, 10));
            assertMoving(movingStatistics(x, 0), m);
            // 4 steps per epoch, 2 epochs, validation after each; then inference of every kind.
            m.fit(x, y, FitOptions.builder().batchSize(10).epochs(2).shuffle(false).verbose(0).validationData(x, y).build());
            float[][] after = movingStatistics(x, 0, 0, 10, 20, 30, 0, 10, 20, 30);
            assertMoving(after, m);
            m.predict(x);
            m.predictOnBatch(x);
            m.evaluate(x, y);
            m.testOnBatch(x, y);
            assertMoving(after, m);
        }
    }

    static void assertMoving(float[][] want, Sequential m) {
        List<float[]> w = m.getLayer("batch_normalization").getWeights();
        assertArrayEquals(want[0], w.get(2), 2e-6f, "moving_mean");
        assertArrayEquals(want[1], w.get(3), 2e-6f, "moving_variance");
    }

    /**
     * Weight decay and EMA work on the trainable block only: with and without them the moving
     * statistics end up with the same bits (BatchNormalization comes first, so its input does not
     * depend on the weights), while gamma and beta do differ.
     */
    @ParameterizedTest
    @ValueSource(strings = {"SGD", "AdamW", "RMSprop", "Lion"})
    void optimizersNeverTouchTheMovingStatistics(String optimizer) {
        Map<String, Object> plain = Map.of("learning_rate", 0.05);
        Map<String, Object> decayed = Map.of("learning_rate", 0.05, "weight_decay", 0.5, "use_ema", true,
                "ema_momentum", 0.5, "ema_overwrite_frequency", 2L);
        try (Sequential a = bnFirst(Backends.nativeBackend(), Optimizers.fromConfig(optimizer, plain));
                Sequential d = bnFirst(Backends.nativeBackend(), Optimizers.fromConfig(optimizer, decayed))) {
            FitOptions o = FitOptions.builder().batchSize(10).epochs(1).shuffle(false).verbose(0).build();
            a.fit(x, y, o);
            d.fit(x, y, o);
            List<float[]> wa = a.getLayer("batch_normalization").getWeights(), wd = d.getLayer("batch_normalization").getWeights();
            assertFalse(Arrays.equals(wa.get(0), wd.get(0)), "gamma is decayed");
            assertArrayEquals(wa.get(2), wd.get(2), 0f, "moving_mean");
            assertArrayEquals(wa.get(3), wd.get(3), 0f, "moving_variance");
            assertMoving(movingStatistics(x, 0, 10, 20, 30), d);
            List<float[]> g = d.getGradients();
            assertArrayEquals(new float[3], g.get(2), 0f, "moving statistics have no gradient");
            assertArrayEquals(new float[3], g.get(3), 0f);
        }
    }

    static Sequential cnn(Backend b, long seed) {
        Sequential m = new Sequential(b, seed);
        m.add(new Input(28, 28, 1));
        // relu before the normalisation: a bias right before BatchNormalization has a gradient of
        // 0 in exact arithmetic, float32 rounding noise (~1e-5) in native code, which no relative
        // comparison with the reference can pass.
        m.add(new Conv2D(8, 3, "relu"));
        m.add(new BatchNormalization());
        m.add(new MaxPooling2D(2));
        m.add(new Flatten());
        m.add(new Dense(32));
        m.add(new LayerNormalization());
        m.add(new Activation("relu"));
        m.add(new Dense(10, "softmax"));
        m.compile("categorical_crossentropy", SGD.builder().learningRate(0.05).momentum(0.9).build(), "accuracy");
        return m;
    }

    static final Dataset SAMPLE = Datasets.fashionMnistSample().train().slice(0, 640);

    @Test
    void saveAndLoadKeepEveryStatisticBitForBit(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bn.zip");
        try (Sequential m = cnn(Backends.nativeBackend(), 4)) {
            m.fit(SAMPLE, FitOptions.builder().batchSize(64).epochs(1).verbose(0).build());
            List<float[]> w = m.getWeights();
            m.save(file);
            try (Sequential loaded = Sequential.load(file)) {
                List<float[]> lw = loaded.getWeights();
                for (int i = 0; i < w.size(); i++) assertArrayEquals(w.get(i), lw.get(i), 0f, "weight " + i);
                assertArrayEquals(m.predict(SAMPLE.x(), 100), loaded.predict(SAMPLE.x(), 100));
                assertEquals(m.summary(), loaded.summary());
                List<float[]> bn = loaded.getLayer("batch_normalization").getWeights();
                assertFalse(Arrays.equals(new float[8], bn.get(2)), "moving_mean was trained: " + Arrays.toString(bn.get(2)));
            }
            try (ZipFile zip = new ZipFile(file.toFile())) {
                String config = new String(zip.getInputStream(zip.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(config.contains("\"class_name\": \"BatchNormalization\"") && config.contains("\"momentum\": 0.99")
                        && config.contains("\"class_name\": \"LayerNormalization\""), config);
                assertTrue(zip.stream().anyMatch(e -> e.getName().endsWith("batch_normalization_moving_variance.npy")),
                        "the moving statistics are saved as weights");
            }
        }
    }

    /** As ResumeTest: 3 epochs straight equal 1 epoch, save, load and 2 more, to the bit. */
    @Test
    void trainingResumesBitForBit(@TempDir Path dir) throws IOException {
        Supplier<Sequential> model = () -> {
            Sequential m = new Sequential(5);
            m.add(new Input(20));
            m.add(new Dense(32));
            m.add(new BatchNormalization());
            m.add(new Activation("relu"));
            m.add(new Dropout(0.2));
            m.add(new Dense(4, "softmax"));
            m.compile("categorical_crossentropy", "adam", "accuracy");
            return m;
        };
        SplittableRandom r = new SplittableRandom(11);
        float[][] xs = TestUtil.uniform(r, 600, 20, -1, 1), ys = TestUtil.oneHot(r, 600, 4);
        FitOptions.Builder o = FitOptions.builder().batchSize(50).verbose(0);
        List<float[]> straight;
        try (Sequential a = model.get()) {
            a.fit(xs, ys, o.epochs(3).build());
            straight = a.getWeights();
        }
        Path file = dir.resolve("after-1.zip");
        try (Sequential b = model.get()) {
            b.fit(xs, ys, o.epochs(1).build());
            b.save(file);
        }
        try (Sequential c = Sequential.load(file)) {
            c.fit(xs, ys, o.epochs(3).initialEpoch(1).build());
            List<float[]> resumed = c.getWeights();
            for (int i = 0; i < straight.size(); i++) assertArrayEquals(straight.get(i), resumed.get(i), 0f, "weight " + i);
        }
    }

    /**
     * The CNN on three threads, its batch split into shards, against the reference: predictions,
     * loss, every gradient, and the weights (moving statistics included) after three steps. Two
     * native runs give the same bits.
     */
    @ParameterizedTest
    @ValueSource(ints = {72, 1})
    void shardedNativeMatchesTheReferenceAndRepeatsItself(int batch) {
        int before = NativeBackend.threads();
        NativeBackend.setThreads(3);
        float[][] xs = Arrays.copyOf(SAMPLE.x(), batch), ys = Arrays.copyOf(SAMPLE.y(), batch);
        try (Sequential nat = cnn(Backends.nativeBackend(), 9); Sequential again = cnn(Backends.nativeBackend(), 9);
                Sequential ref = cnn(Backends.reference(), 9)) {
            String name = "bn cnn b" + batch;
            compare(name + " predict", TestUtil.flatten(nat.predictOnBatch(xs)), TestUtil.flatten(ref.predictOnBatch(xs)));
            compare(name + " loss", new float[] {(float) nat.computeGradients(xs, ys)},
                    new float[] {(float) ref.computeGradients(xs, ys)});
            List<float[]> gn = nat.getGradients(), gr = ref.getGradients();
            for (int i = 0; i < gn.size(); i++) compare(name + " grad " + i, gn.get(i), gr.get(i));
            again.computeGradients(xs, ys);
            for (int step = 0; step < 3; step++) {
                compare(name + " step " + step, nat.trainOnBatch(xs, ys), ref.trainOnBatch(xs, ys));
                again.trainOnBatch(xs, ys);
            }
            List<float[]> wn = nat.getWeights(), wr = ref.getWeights(), wa = again.getWeights();
            for (int i = 0; i < wn.size(); i++) {
                compare(name + " weights after 3 steps " + i, wn.get(i), wr.get(i));
                assertArrayEquals(wn.get(i), wa.get(i), 0f, "two native runs, weight " + i);
            }
            compare(name + " predict after 3 steps", TestUtil.flatten(nat.predictOnBatch(xs)),
                    TestUtil.flatten(ref.predictOnBatch(xs)));
        } finally {
            NativeBackend.setThreads(before);
        }
    }

    /** As MemoryTest: after the first step a training step allocates no off-heap memory and no per-element objects. */
    @Test
    void aTrainingStepAllocatesNothing() {
        SplittableRandom r = new SplittableRandom(4);
        try (Sequential m = new Sequential(6);
                dev.sinew.tensor.Tensor xs = dev.sinew.tensor.Tensor.fromRows(TestUtil.uniform(r, 100, 50, -1, 1));
                dev.sinew.tensor.Tensor ys = dev.sinew.tensor.Tensor.fromRows(TestUtil.oneHot(r, 100, 10))) {
            m.add(new Input(50));
            m.add(new Dense(64));
            m.add(new BatchNormalization());
            m.add(new Activation("relu"));
            m.add(new Dense(32));
            m.add(new LayerNormalization());
            m.add(new Dense(10, "softmax"));
            m.compile("categorical_crossentropy", new SGD(0.05), "accuracy");
            m.trainOnBatch(xs, ys);
            long offHeap = m.offHeapBytes();
            for (int i = 0; i < 3_000; i++) m.trainOnBatch(xs, ys); // warm up the JIT
            int steps = 5_000;
            long start = MemoryTest.threadAllocatedBytes();
            for (int i = 0; i < steps; i++) m.trainOnBatch(xs, ys);
            double perStep = (MemoryTest.threadAllocatedBytes() - start) / (double) steps;
            System.out.printf("NormalizationModelTest: %.1f heap bytes allocated per training step with"
                    + " BatchNormalization and LayerNormalization%n", perStep);
            assertTrue(perStep < 256, "heap bytes per step: " + perStep);
            assertEquals(offHeap, m.offHeapBytes(), "off-heap bytes grew");
        }
    }

    static void compare(String what, float[] nat, float[] ref) {
        double e = relativeError(nat, ref, 1e-6);
        System.out.printf("native vs reference  %-50s max rel err %.2e%n", what, e);
        assertTrue(e <= 1e-4, what + ": native vs reference relative error " + e);
    }
}
