package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.callbacks.Callback;
import dev.sinew.callbacks.CsvLogger;
import dev.sinew.callbacks.EarlyStopping;
import dev.sinew.callbacks.ProgressLogger;
import dev.sinew.data.Datasets;
import dev.sinew.data.Splits;
import dev.sinew.data.TrainTest;
import dev.sinew.examples.Networks;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.optimizers.SGD;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fit / evaluate / predict and the callbacks, on the bundled Fashion-MNIST sample. */
class FitTest {
    static final TrainTest SAMPLE = Datasets.fashionMnistSample();
    static final Splits SPLITS = SAMPLE.splits(2700, 300, 1);

    static Sequential mlp(long seed) {
        return Networks.notebookMlp(seed);
    }

    @Test
    void shortRunOnTheSampleClearlyBeatsChance() {
        try (Sequential net = mlp(1)) {
            History h = net.fit(SPLITS.train(), FitOptions.builder().batchSize(100).epochs(8)
                    .validationData(SPLITS.validation()).verbose(0).build());
            float[] test = net.evaluate(SPLITS.test(), 250);
            System.out.printf("FitTest: sample, 8 epochs: train acc %.3f, val acc %.3f, test acc %.3f (chance 0.1)%n",
                    h.last("accuracy"), h.last("val_accuracy"), test[1]);
            assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy"), List.copyOf(h.asMap().keySet()));
            assertEquals(8, h.epochs());
            assertTrue(h.get("loss").getLast() < h.get("loss").getFirst() * 0.7, "training loss falls: " + h.get("loss"));
            assertTrue(test[1] > 0.65, "test accuracy " + test[1] + " should clearly beat chance (0.1)");
            // evaluate agrees with predict + argmax
            float[][] p = net.predict(SPLITS.test().x(), 333);
            int[] truth = SPLITS.test().labels();
            int hits = 0;
            for (int i = 0; i < p.length; i++) {
                int best = 0;
                for (int c = 1; c < 10; c++) if (p[i][c] > p[i][best]) best = c;
                if (best == truth[i]) hits++;
            }
            assertEquals(test[1], hits / (float) p.length, 1e-6f);
        }
    }

    @Test
    void sameSeedSameThreadsSameHistory() {
        History a, b, c;
        FitOptions o = FitOptions.builder().batchSize(64).epochs(3).validationSplit(0.1).verbose(0).build();
        try (Sequential net = mlp(3)) {
            a = net.fit(SPLITS.train(), o);
        }
        try (Sequential net = mlp(3)) {
            b = net.fit(SPLITS.train(), o);
        }
        try (Sequential net = mlp(4)) {
            c = net.fit(SPLITS.train(), o);
        }
        assertEquals(a, b, "same seed, same threads: identical History");
        assertTrue(!a.equals(c), "another seed gives another History");
    }

    /**
     * Keras's validation_split keeps the last rows, taken before any shuffling: of 2,700 rows with
     * 0.2, rows 2160..2699. The history's last val_loss and val_accuracy must be exactly what
     * evaluate gives on those rows with the final weights (and not what it gives on the first 540),
     * with shuffling on and off; training runs on the other 2,160 (22 batches of 100).
     */
    @Test
    void validationSplitTakesTheEndAsKeras() {
        float[][] x = SPLITS.train().x(), y = SPLITS.train().y();
        float[][] lastX = Arrays.copyOfRange(x, 2160, 2700), lastY = Arrays.copyOfRange(y, 2160, 2700);
        float[][] firstX = Arrays.copyOfRange(x, 0, 540), firstY = Arrays.copyOfRange(y, 0, 540);
        for (boolean shuffle : new boolean[] {true, false}) {
            List<Integer> steps = new ArrayList<>();
            try (Sequential net = mlp(5)) {
                History h = net.fit(x, y, FitOptions.builder().batchSize(100).epochs(2).validationSplit(0.2).shuffle(shuffle)
                        .verbose(0).callbacks(new Callback() {
                            @Override
                            public void onTrainBegin(int epochs, int stepsPerEpoch) {
                                steps.add(stepsPerEpoch);
                            }
                        }).build());
                assertEquals(List.of(22), steps, "2160 training samples in batches of 100");
                // The same weights and batch size as the fit's validation at the end of epoch 2: the same floats.
                float[] last = net.evaluate(lastX, lastY, 100), first = net.evaluate(firstX, firstY, 100);
                String what = "shuffle " + shuffle + ": ";
                assertEquals(last[0], (float) h.last("val_loss"), 0f, what + "val_loss is the loss on the last 540 rows");
                assertEquals(last[1], (float) h.last("val_accuracy"), 0f, what + "val_accuracy on the last 540 rows");
                assertNotEquals(first[0], (float) h.last("val_loss"), what + "not the loss on the first 540 rows");
            }
        }
    }

    @Test
    void earlyStoppingStopsAndRestoresTheBestWeights() {
        try (Sequential net = mlp(2)) {
            EarlyStopping es = new EarlyStopping("val_accuracy", 1, 0, true);
            History h = net.fit(SPLITS.train(), FitOptions.builder().batchSize(100).epochs(40).verbose(0)
                    .validationData(SPLITS.validation()).callbacks(es).build());
            List<Double> val = h.get("val_accuracy");
            System.out.printf("FitTest: early stopping at epoch %d of 40, best val_accuracy %.4f at epoch %d%n",
                    es.stoppedEpoch() + 1, es.best(), es.bestEpoch() + 1);
            assertTrue(es.stoppedEpoch() >= 0 && h.epochs() < 40, "training stopped early");
            assertEquals(es.stoppedEpoch() + 1, h.epochs());
            assertEquals(val.stream().mapToDouble(Double::doubleValue).max().getAsDouble(), es.best(), 0);
            float[] now = net.evaluate(SPLITS.validation(), 100);
            assertEquals(es.best(), now[1], 1e-6, "the restored weights score the best epoch's val_accuracy");
            assertTrue(now[1] > val.getLast() || es.bestEpoch() == h.epochs() - 1);
        }
    }

    @Test
    void earlyStoppingOnAMissingLogIsAClearError() {
        try (Sequential net = mlp(2)) {
            // Rejected before the first epoch, naming the logs there will be.
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.fit(SPLITS.train(),
                    FitOptions.builder().epochs(1).verbose(0).callbacks(new EarlyStopping("val_accuracy", 2)).build()));
            assertTrue(e.getMessage().contains("the logs will have [loss, accuracy] (is there validation data?)"), e.getMessage());
            assertEquals(0, net.optimizer().iterations(), "no step was taken");
        }
    }

    @Test
    void progressAndCsvLogs(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Path csv = dir.resolve("log.csv");
        try (Sequential net = mlp(6)) {
            net.fit(SPLITS.train(), FitOptions.builder().batchSize(300).epochs(2).verbose(0)
                    .validationData(SPLITS.validation())
                    .callbacks(new ProgressLogger(new PrintStream(bytes, true, StandardCharsets.UTF_8), false), new CsvLogger(csv))
                    .build());
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertTrue(out.matches("(?s)Epoch 1/2 - 9/9 - \\d+\\.\\ds - [\\d.]+ms/step - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4}"
                + " - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4}\nEpoch 2/2 .*"), out);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("epoch,loss,accuracy,val_loss,val_accuracy", lines.get(0));
        assertEquals(3, lines.size());
        assertTrue(lines.get(2).startsWith("1,"));
    }

    @Test
    void aDivergingLossStopsTrainingWithEpochAndBatch() {
        try (Sequential net = new Sequential(7)) {
            net.add(new Input(784));
            net.add(new Dense(64, "linear")); // linear all the way: nothing saturates, so SGD(10) explodes
            net.add(new Dense(10, "linear"));
            net.compile("mean_squared_error", new SGD(10), "accuracy");
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> net.fit(SPLITS.train(),
                    FitOptions.builder().batchSize(100).epochs(3).verbose(0).build()));
            System.out.println("diverged: " + e.getMessage());
            assertTrue(e.getMessage().matches("loss became (NaN|-?Infinity) at epoch \\d+/3, batch \\d+/27; .*"), e.getMessage());
            assertTrue(e.epoch() >= 1 && e.batch() >= 1);
        }
        try (Sequential net = new Sequential(7)) {
            net.add(new Input(784));
            net.add(new Dense(64, "linear")); // linear all the way: nothing saturates, so SGD(10) explodes
            net.add(new Dense(10, "linear"));
            net.compile("mean_squared_error", new SGD(10), "accuracy");
            History h = net.fit(SPLITS.train(), FitOptions.builder().batchSize(100).epochs(3).verbose(0)
                    .onNaN(FitOptions.OnNaN.STOP).build());
            assertNotNull(h.stopReason());
            assertTrue(h.epochs() < 3);
        }
    }

    @Test
    void badFitArgumentsAreClearErrors() {
        try (Sequential net = mlp(8)) {
            float[][] x = SPLITS.test().x(), y = SPLITS.test().y();
            assertTrue(msg(() -> net.fit(x, java.util.Arrays.copyOf(y, 999), 100, 1)).contains("x has 1000 samples but y has 999"));
            assertTrue(msg(() -> net.fit(new float[0][], new float[0][], 100, 1)).contains("x has no rows"));
            float[][] small = new float[10][783];
            assertTrue(msg(() -> net.fit(small, java.util.Arrays.copyOf(y, 10), 5, 1))
                    .contains("Dense \"dense\" expects 784 input features per row (Input shape (784,)), got 783"));
            for (double split : new double[] {1.0, 1.5, -0.1, Double.NaN}) {
                assertTrue(msg(() -> FitOptions.builder().validationSplit(split).build()).contains("validationSplit must be in (0, 1)"));
            }
            assertTrue(msg(() -> FitOptions.builder().batchSize(0).build()).contains("batchSize must be at least 1"));
            assertTrue(msg(() -> net.fit(java.util.Arrays.copyOf(x, 1), java.util.Arrays.copyOf(y, 1),
                    FitOptions.builder().validationSplit(0.5).verbose(0).build())).contains("leaves no training samples"));
            float[][] nan = java.util.Arrays.copyOf(x, 5);
            nan[3] = nan[3].clone();
            nan[3][17] = Float.NaN;
            assertTrue(msg(() -> net.fit(nan, java.util.Arrays.copyOf(y, 5), 5, 1)).contains("row 3, column 17"));
            // still usable
            History h = net.fit(x, y, FitOptions.builder().batchSize(100).epochs(1).verbose(0).build());
            assertNull(h.stopReason());
            assertTrue(Double.isFinite(h.last("loss")));
        }
    }

    static String msg(org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        System.out.println("rejected: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void callbacksSeeEveryBatchAndEpoch() {
        List<String> events = new ArrayList<>();
        try (Sequential net = mlp(9)) {
            net.fit(SPLITS.test(), FitOptions.builder().batchSize(400).epochs(2).verbose(0).callbacks(new Callback() {
                @Override
                public void onEpochBegin(int epoch) {
                    events.add("begin " + epoch);
                }

                @Override
                public void onBatchEnd(int batch, Map<String, Double> logs) {
                    events.add("batch " + batch);
                }

                @Override
                public void onEpochEnd(int epoch, Map<String, Double> logs) {
                    events.add("end " + epoch);
                }
            }).build());
        }
        assertEquals(List.of("begin 0", "batch 0", "batch 1", "batch 2", "end 0", "begin 1", "batch 0", "batch 1", "batch 2",
                "end 1"), events);
    }
}
