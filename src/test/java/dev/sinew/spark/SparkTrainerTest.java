package dev.sinew.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.callbacks.Callback;
import dev.sinew.callbacks.EarlyStopping;
import dev.sinew.callbacks.LearningRateScheduler;
import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.data.TrainTest;
import dev.sinew.examples.Networks;
import dev.sinew.layers.BatchNormalization;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.models.FitOptions;
import dev.sinew.models.History;
import dev.sinew.models.Model;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.Optimizer;
import dev.sinew.optimizers.Optimizers;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SparkTrainer on {@code local[2,2]} (two task threads; a failed task is tried twice): exact mode
 * against single-process {@code fit} for every optimizer, averaging mode against what it must
 * compute, task retry, fit's callbacks and History, accuracy on the bundled Fashion-MNIST sample.
 * One Spark context for all (its start-up takes seconds), small models and data: the class must
 * stay within 90 s of CI time.
 */
class SparkTrainerTest {
    static final String[] OPTIMIZERS = {"sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "lion"};
    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2,2]").setAppName("sinew-spark-test")
                .set("spark.ui.enabled", "false").set("spark.log.level", "WARN"));
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.close();
    }

    @AfterEach
    void noFaultsNorLeftoverModels() {
        TaskFaults.plan = null;
        assertEquals(0, ExecutorModels.idleTotal(), "executor copies must be closed when fit returns");
    }

    /** 96 samples of 12 features in 3 classes (the class of the largest of three sums of features). */
    static Dataset blobs(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[96][12], y = new float[96][3];
        for (int i = 0; i < x.length; i++) {
            double[] s = new double[3];
            for (int j = 0; j < 12; j++) {
                x[i][j] = (float) r.nextGaussian();
                s[j % 3] += x[i][j];
            }
            y[i][s[0] > s[1] && s[0] > s[2] ? 0 : s[1] > s[2] ? 1 : 2] = 1;
        }
        return new Dataset(x, y);
    }

    static Sequential mlp(Optimizer optimizer) {
        Sequential net = Networks.mlp(12, new int[] {16, 8}, 3, 0, 5);
        net.compile("categorical_crossentropy", optimizer, "accuracy");
        return net;
    }

    static FitOptions.Builder quiet(int batch, int epochs) {
        return FitOptions.builder().batchSize(batch).epochs(epochs).seed(11).verbose(0);
    }

    /** max over weights of |a - b| / max(|a|, |b|): the relative error the issue bounds by 1e-5. */
    static double maxRelativeError(List<float[]> a, List<float[]> b) {
        double worst = 0;
        for (int k = 0; k < a.size(); k++) {
            for (int i = 0; i < a.get(k).length; i++) {
                double x = a.get(k)[i], y = b.get(k)[i], scale = Math.max(Math.abs(x), Math.abs(y));
                if (x != y) worst = Math.max(worst, Math.abs(x - y) / scale);
            }
        }
        return worst;
    }

    /** max over weight tensors of max |a - b| / max |b|: the error relative to each tensor's scale. */
    static double maxTensorRelativeError(List<float[]> a, List<float[]> b) {
        double worst = 0;
        for (int k = 0; k < a.size(); k++) {
            double diff = 0, scale = 0;
            for (int i = 0; i < a.get(k).length; i++) {
                diff = Math.max(diff, Math.abs(a.get(k)[i] - b.get(k)[i]));
                scale = Math.max(scale, Math.abs(b.get(k)[i]));
            }
            if (diff > 0) worst = Math.max(worst, diff / scale);
        }
        return worst;
    }

    @Test
    void exactModeEqualsFitForEveryOptimizer() {
        Dataset data = blobs(1);
        JavaRDD<Sample> rdd = Sample.rdd(sc, data, 2);
        for (String name : OPTIMIZERS) {
            try (Sequential local = mlp(Optimizers.get(name)); Sequential spread = mlp(Optimizers.get(name))) {
                FitOptions o = quiet(32, 1).build(); // 3 steps
                History h1 = local.fit(data, o);
                SparkTrainer t = SparkTrainer.builder(sc, spread).exact().build();
                History h2 = t.fit(rdd, o);
                double err = maxRelativeError(local.getWeights(), spread.getWeights());
                System.out.printf("exact mode, %s: max relative weight error after 3 steps %.2e%n", name, err);
                assertTrue(err <= 1e-5, name + ": max relative error " + err);
                assertEquals(local.optimizer().iterations(), spread.optimizer().iterations(), name);
                assertEquals(h1.last("loss"), h2.last("loss"), 1e-5, name);
                assertEquals(h1.last("accuracy"), h2.last("accuracy"), 1e-9, name);
                // A round broadcasts the weight block and the batch's indices, and collects a gradient per partition.
                long weights = spread.countParams();
                assertEquals(3, t.lastStats().rounds());
                assertEquals(3 * 4 * weights + 4 * 96, t.lastStats().broadcastBytes());
                assertTrue(t.lastStats().collectedPerRound() >= 4 * weights, t.lastStats().toString());
            }
        }
    }

    @Test
    void exactModeOnManyPartitionsSumsInTwoLevelsAndStillEqualsFit() {
        Dataset data = blobs(9);
        FitOptions o = quiet(32, 1).build(); // 3 steps
        try (Sequential local = mlp(new SGD(0.1, 0.9, false)); Sequential spread = mlp(new SGD(0.1, 0.9, false))) {
            History h1 = local.fit(data, o);
            SparkTrainer t = SparkTrainer.builder(sc, spread).exact().build();
            History h2 = t.fit(Sample.rdd(sc, data, 12), o); // 12 > FAN_IN: groups of 4 partitions summed on executors
            double err = maxRelativeError(local.getWeights(), spread.getWeights());
            System.out.printf("exact mode, 12 partitions: max relative weight error %.2e, %s%n", err, t.lastStats());
            assertTrue(err <= 1e-5, "max relative error " + err);
            assertEquals(h1.last("loss"), h2.last("loss"), 1e-5);
            assertEquals(h1.last("accuracy"), h2.last("accuracy"), 1e-9);
            // The driver receives 3 group sums a step, not up to 12 gradient blocks.
            long block = 4 * spread.countParams();
            assertTrue(t.lastStats().collectedPerRound() < 4 * block, t.lastStats().toString());
        }
    }

    @Test
    void averagingOnOnePartitionIsFitWithoutShufflingForEveryOptimizer() {
        Dataset data = blobs(2);
        JavaRDD<Sample> rdd = Sample.rdd(sc, data, 1);
        for (String name : OPTIMIZERS) {
            try (Sequential local = mlp(Optimizers.get(name)); Sequential spread = mlp(Optimizers.get(name))) {
                FitOptions o = quiet(16, 1).shuffle(false).build(); // 6 steps: 3 rounds of K = 2
                local.fit(data, o);
                SparkTrainer t = SparkTrainer.builder(sc, spread).averaging(2).build();
                t.fit(rdd, o);
                assertEquals(3, t.lastStats().rounds());
                // Every round sends the weights and optimizer state out and back: exact round trips, bit for bit.
                List<float[]> a = local.getWeights(), b = spread.getWeights();
                for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k), b.get(k), name + " weight " + k);
                assertEquals(local.optimizer().iterations(), spread.optimizer().iterations(), name);
                for (Map.Entry<String, Tensor> e : local.optimizer().stateVariables().entrySet()) {
                    assertArrayEquals(e.getValue().toArray(), spread.optimizer().stateVariables().get(e.getKey()).toArray(),
                            name + " " + e.getKey());
                }
            }
        }
    }

    @Test
    void averagingAveragesWhatEachPartitionTrained() {
        Dataset data = blobs(3);
        // Global batch 16 on two partitions: local batches of 8; 48 samples a partition: 6 local steps, one round of K = 6.
        FitOptions o = quiet(16, 1).shuffle(false).build(), half = quiet(8, 1).shuffle(false).build();
        try (Sequential spread = mlp(new SGD(0.1, 0.9, false)); Sequential half0 = mlp(new SGD(0.1, 0.9, false));
                Sequential half1 = mlp(new SGD(0.1, 0.9, false))) {
            SparkTrainer trainer = SparkTrainer.builder(sc, spread).averaging(6).build();
            trainer.fit(Sample.rdd(sc, data, 2), o);
            assertEquals(1, trainer.lastStats().rounds());
            half0.fit(data.slice(0, 48), half);
            half1.fit(data.slice(48, 96), half);
            List<float[]> got = spread.getWeights(), w0 = half0.getWeights(), w1 = half1.getWeights();
            for (int k = 0; k < got.size(); k++) {
                for (int i = 0; i < got.get(k).length; i++) {
                    assertEquals((w0.get(k)[i] + w1.get(k)[i]) / 2, got.get(k)[i], 1e-6, "weight " + k + "[" + i + "]");
                }
            }
            float[] m0 = half0.optimizer().stateVariables().get("momentum").toArray();
            float[] m1 = half1.optimizer().stateVariables().get("momentum").toArray();
            float[] m = spread.optimizer().stateVariables().get("momentum").toArray();
            for (int i = 0; i < m.length; i++) assertEquals((m0[i] + m1[i]) / 2, m[i], 1e-6, "momentum " + i);
            assertEquals(6, spread.optimizer().iterations());
        }
    }

    @Test
    void aRetriedTaskChangesNothing() {
        Dataset data = blobs(4);
        JavaRDD<Sample> rdd = Sample.rdd(sc, data, 2);
        FitOptions o = quiet(16, 1).build();
        for (boolean exact : new boolean[] {true, false}) {
            // With Dropout: a retried task must draw the same masks (its stream is numbered by round and partition).
            try (Sequential clean = dropoutMlp(); Sequential faulty = dropoutMlp()) {
                var t1 = exact ? SparkTrainer.builder(sc, clean).exact() : SparkTrainer.builder(sc, clean).averaging(2);
                var t2 = exact ? SparkTrainer.builder(sc, faulty).exact() : SparkTrainer.builder(sc, faulty).averaging(2);
                t1.build().fit(rdd, o);
                int before = TaskFaults.injected.get();
                TaskFaults.plan = new TaskFaults.Plan(1, 1); // round 1's task on partition 1 fails once, after computing
                t2.build().fit(rdd, o);
                assertEquals(before + 1, TaskFaults.injected.get(), "the fault must have been injected once");
                List<float[]> a = clean.getWeights(), b = faulty.getWeights();
                for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k), b.get(k), (exact ? "exact" : "averaging") + " weight " + k);
            }
        }
    }

    static Sequential dropoutMlp() {
        Sequential net = Networks.mlp(12, new int[] {16, 8}, 3, 0.25, 5);
        net.compile("categorical_crossentropy", Optimizers.get("adam"), "accuracy");
        return net;
    }

    @Test
    void averagingCarriesTheDriversLearningRateToTheExecutors() {
        Dataset data = blobs(8);
        // The callback changes the driver's rate each epoch; executors must train with it (one partition: bit for bit fit).
        LearningRateScheduler.Schedule halve = (epoch, lr) -> epoch == 0 ? lr : lr / 2;
        try (Sequential local = mlp(new SGD(0.1)); Sequential spread = mlp(new SGD(0.1))) {
            local.fit(data, quiet(16, 3).shuffle(false).callbacks(new LearningRateScheduler(halve)).build());
            SparkTrainer.builder(sc, spread).averaging(2).build().fit(Sample.rdd(sc, data, 1),
                    quiet(16, 3).shuffle(false).callbacks(new LearningRateScheduler(halve)).build());
            assertEquals(0.025, spread.optimizer().learningRate(), 1e-9);
            List<float[]> a = local.getWeights(), b = spread.getWeights();
            for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k), b.get(k), "weight " + k);
        }
    }

    @Test
    void callbacksValidationHistoryAndEarlyStoppingBehaveAsInFit() {
        Dataset data = blobs(5), validation = blobs(6).slice(0, 40);
        List<String> localEvents = new ArrayList<>(), sparkEvents = new ArrayList<>();
        try (Sequential local = mlp(new SGD(0.05)); Sequential spread = mlp(new SGD(0.05))) {
            History h1 = local.fit(data, options(validation, localEvents));
            History h2 = SparkTrainer.builder(sc, spread).exact().build().fit(Sample.rdd(sc, data, 2), options(validation, sparkEvents));
            assertEquals(localEvents, sparkEvents);
            assertTrue(h1.epochs() < 6, "early stopping must stop the run; it ran " + h1.epochs() + " epochs");
            assertEquals(h1.epochs(), h2.epochs());
            assertEquals(h1.asMap().keySet(), h2.asMap().keySet());
            for (String key : h1.asMap().keySet()) {
                for (int e = 0; e < h1.epochs(); e++) assertEquals(h1.get(key).get(e), h2.get(key).get(e), 1e-5, key + " epoch " + e);
            }
            assertTrue(maxRelativeError(local.getWeights(), spread.getWeights()) <= 1e-5, "restored best weights differ");
        }
    }

    /** Up to 6 epochs, stopping when val_loss has not improved by 0.1 for an epoch; events recorded. */
    static FitOptions options(Dataset validation, List<String> events) {
        Callback recorder = new Callback() {
            @Override
            public void onEpochBegin(int epoch) {
                events.add("begin " + epoch);
            }

            @Override
            public void onBatchEnd(int batch, Map<String, Double> logs) {
                events.add("batch " + batch + " " + logs.keySet());
            }

            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs) {
                events.add("end " + epoch + " " + logs.keySet());
            }
        };
        return quiet(32, 6).validationData(validation).callbacks(recorder, new EarlyStopping("val_loss", 1, 0.1, true)).build();
    }

    @Test
    void batchNormalizationIsExactOnOnePartitionAndTrainsOnTwo() {
        Dataset data = blobs(7);
        FitOptions o = quiet(32, 2).build();
        try (Sequential local = bnNet(); Sequential one = bnNet(); Sequential two = bnNet()) {
            History h = local.fit(data, o);
            SparkTrainer.builder(sc, one).exact().build().fit(Sample.rdd(sc, data, 1), o);
            // One partition: the batch statistics are the whole batch's, as in fit (moving statistics included).
            assertTrue(maxRelativeError(local.getWeights(), one.getWeights()) <= 1e-5);
            // Two: each partition normalises its own rows (as Horovod or DL4J without synchronised BN); still learns.
            History h2 = SparkTrainer.builder(sc, two).exact().build().fit(Sample.rdd(sc, data, 2), o);
            assertTrue(h2.get("loss").get(1) < h2.get("loss").get(0), "loss must fall: " + h2.get("loss"));
            assertTrue(maxRelativeError(local.getWeights(), two.getWeights()) > 1e-5, "per-partition statistics cannot equal fit");
            assertEquals(h.epochs(), h2.epochs());
        }
    }

    static Sequential bnNet() {
        Sequential net = new Sequential(9);
        net.add(new Input(12));
        net.add(new Dense(16, "relu"));
        net.add(new BatchNormalization());
        net.add(new Dense(3, "softmax"));
        net.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
        return net;
    }

    /**
     * The notebook's MLP on the bundled Fashion-MNIST sample (the first 3,000 training and 1,000
     * test images): 3 epochs in exact mode must equal fit's weights (each within 1e-5 of its
     * tensor's largest) and test accuracy; averaging mode (K = 5) must come within a point of it,
     * or beat it.
     */
    @Test
    void notebookMlpOnFashionMnistSampleMatchesFit() throws Exception {
        TrainTest data = Datasets.fashionMnistSample();
        FitOptions o = FitOptions.builder().batchSize(100).epochs(3).seed(1).verbose(0).build();
        JavaRDD<Sample> rdd = Sample.rdd(sc, data.train(), 2).cache();
        try (Sequential local = Networks.notebookMlp(1); Sequential exact = Networks.notebookMlp(1);
                Sequential averaged = Networks.notebookMlp(1)) {
            long t0 = System.nanoTime();
            local.fit(data.train(), o);
            long t1 = System.nanoTime();
            SparkTrainer trainer = SparkTrainer.builder(sc, exact).exact().build();
            trainer.fit(rdd, o);
            long t2 = System.nanoTime();
            SparkTrainer averaging = SparkTrainer.builder(sc, averaged).averaging(5).build();
            averaging.fit(rdd, o);
            long t3 = System.nanoTime();
            double a1 = local.evaluate(data.test(), 1000)[1], a2 = exact.evaluate(data.test(), 1000)[1];
            double a3 = averaged.evaluate(data.test(), 1000)[1];
            double err = maxRelativeError(local.getWeights(), exact.getWeights());
            double tensorErr = maxTensorRelativeError(local.getWeights(), exact.getWeights());
            System.out.printf("Fashion-MNIST sample, 3 epochs: fit %.4f (%.2f s/epoch), exact %.4f (%.2f s/epoch, max relative"
                    + " weight error %.2e, per tensor %.2e, %s), averaging K=5 %.4f (%.2f s/epoch, %s)%n", a1, (t1 - t0) / 3e9, a2,
                    (t2 - t1) / 3e9, err, tensorErr, trainer.lastStats(), a3, (t3 - t2) / 3e9, averaging.lastStats());
            // 90 steps: a weight that crosses zero can differ by more than 1e-5 of itself (1.7e-2 measured),
            // but no weight by more than 1e-5 of its tensor's largest.
            assertTrue(tensorErr <= 1e-5, "max relative error per tensor " + tensorErr);
            assertEquals(a1, a2, 0.0015, "exact mode's test accuracy");
            assertTrue(a1 >= 0.65, "fit's accuracy " + a1); // 69.8% measured (3 epochs of 3,000 images)
            assertTrue(a3 >= a1 - 0.01, "averaging's accuracy " + a3 + " vs fit's " + a1);
            rdd.unpersist(false);
        }
    }

    @Test
    void badInputIsNamed() {
        try (Sequential net = mlp(new SGD(0.1)); Sequential raw = Networks.mlp(12, new int[] {4}, 3, 0, 1)) {
            List<Sample> rows = new ArrayList<>();
            for (int i = 0; i < 10; i++) rows.add(new Sample(new float[i == 7 ? 11 : 12], new float[] {1, 0, 0}));
            SparkTrainer t = SparkTrainer.builder(sc, net).build();
            var e = assertThrows(IllegalArgumentException.class, () -> t.fit(sc.parallelize(rows, 2), quiet(4, 1).build()));
            assertEquals("fit: sample 7 has 11 features; the model takes 12", e.getMessage());
            var split = assertThrows(IllegalArgumentException.class,
                    () -> t.fit(Sample.rdd(sc, blobs(1), 2), quiet(4, 1).validationSplit(0.2).build()));
            assertTrue(split.getMessage().contains("validationSplit"), split.getMessage());
            var uncompiled = assertThrows(IllegalStateException.class, () -> SparkTrainer.builder(sc, raw).build());
            assertTrue(uncompiled.getMessage().contains("must be compiled"), uncompiled.getMessage());
            assertThrows(IllegalArgumentException.class, () -> SparkTrainer.builder(sc, net).averaging(0));
            assertThrows(IllegalArgumentException.class, () -> new Sample(null, new float[1]));
        }
    }
}
