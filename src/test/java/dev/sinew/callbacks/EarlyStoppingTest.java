package dev.sinew.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.models.FitOptions;
import dev.sinew.models.Sequential;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * EarlyStopping fed scripted values of its monitor, epoch by epoch, on a tiny model: each case
 * says in a comment what Keras 3's on_epoch_end does with them.
 */
class EarlyStoppingTest {

    /**
     * Runs {@code es} over {@code values} (one per epoch) as fit would, until it asks to stop;
     * before each epoch's end the model's weights are set to all-{@code epoch}, so restored
     * weights tell which epoch they are from. Returns the number of epochs run.
     */
    static int run(Sequential net, EarlyStopping es, String monitor, double... values) {
        net.setStopTraining(false);
        es.checkLogKeys(List.of("loss", "accuracy", "val_loss", "val_accuracy"));
        es.setModel(net);
        es.onTrainBegin(values.length, 1);
        int epoch = 0;
        while (epoch < values.length && !net.isStopTrainingRequested()) {
            es.onEpochBegin(epoch);
            net.setWeights(Tiny.weightsOfEpoch(net, epoch));
            es.onEpochEnd(epoch, Tiny.logs(monitor, values[epoch]));
            epoch++;
        }
        es.onTrainEnd(Tiny.logs(monitor, values[epoch - 1]));
        return epoch;
    }

    @Test
    void patienceCountsEpochsWithoutImprovement() {
        try (Sequential net = Tiny.model()) {
            // best 1.0, best 0.9, wait 1, wait 2 = patience: stop after epoch 4 (index 3)
            EarlyStopping es = new EarlyStopping("val_loss", 2);
            assertEquals(4, run(net, es, "val_loss", 1.0, 0.9, 0.95, 0.93, 0.92, 0.8));
            assertEquals(3, es.stoppedEpoch());
            assertEquals(1, es.bestEpoch());
            assertEquals(0.9, es.best());
            // Runs to the end: stoppedEpoch -1.
            EarlyStopping patient = new EarlyStopping("val_loss", 5);
            assertEquals(6, run(net, patient, "val_loss", 1.0, 0.9, 0.95, 0.93, 0.92, 0.8));
            assertEquals(-1, patient.stoppedEpoch());
            assertEquals(5, patient.bestEpoch());
        }
    }

    @Test
    void kerasDefaultsMonitorValLossWithPatienceZero() {
        try (Sequential net = Tiny.model()) {
            EarlyStopping es = EarlyStopping.builder().build();
            assertEquals("val_loss", es.monitor());
            // patience 0: the first epoch that does not improve stops (never epoch 0, as Keras).
            assertEquals(3, run(net, es, "val_loss", 3.0, 2.0, 2.5, 1.0));
        }
    }

    @Test
    void minDeltaIsTheLeastImprovementThatCounts() {
        try (Sequential net = Tiny.model()) {
            // 0.95 + 0.06 = 1.01 is not below 1.0: no improvement, wait 1 = patience, stop at epoch 2.
            EarlyStopping es = EarlyStopping.builder().monitor("val_loss").patience(1).minDelta(0.06).build();
            assertEquals(2, run(net, es, "val_loss", 1.0, 0.95, 0.9, 0.85));
            assertEquals(0, es.bestEpoch());
            // Without min_delta each of them improves.
            EarlyStopping plain = EarlyStopping.builder().monitor("val_loss").patience(1).build();
            assertEquals(4, run(net, plain, "val_loss", 1.0, 0.95, 0.9, 0.85));
            // For a maximised value, min_delta is subtracted: 0.62 - 0.05 = 0.57 is not above 0.6.
            EarlyStopping acc = EarlyStopping.builder().monitor("val_accuracy").patience(1).minDelta(0.05).build();
            assertEquals(2, run(net, acc, "val_accuracy", 0.6, 0.62, 0.7));
        }
    }

    @Test
    void modeSaysWhichWayIsBetter() {
        try (Sequential net = Tiny.model()) {
            double[] values = {0.5, 0.6, 0.55, 0.58, 0.7};
            // auto on an accuracy: maximise. best 0.5, best 0.6, wait 1, wait 2: stop at epoch 4 (index 3).
            EarlyStopping auto = new EarlyStopping("val_accuracy", 2);
            assertEquals(4, run(net, auto, "val_accuracy", values));
            assertEquals(0.6, auto.best());
            // min on the same values: best 0.5, then wait 1, wait 2: stop at epoch 3 (index 2).
            EarlyStopping min = EarlyStopping.builder().monitor("val_accuracy").patience(2).mode("min").build();
            assertEquals(3, run(net, min, "val_accuracy", values));
            assertEquals(0.5, min.best());
            // auto on a loss: minimise, the same as min.
            EarlyStopping loss = EarlyStopping.builder().monitor("val_loss").patience(2).mode(Mode.AUTO).build();
            assertEquals(3, run(net, loss, "val_loss", values));
            // max on a loss: best 0.5, 0.6, wait, wait: stop at index 3.
            EarlyStopping max = EarlyStopping.builder().monitor("loss").patience(2).mode("max").build();
            assertEquals(4, run(net, max, "loss", values));
        }
        // auto on a name that is neither a loss nor an accuracy: Keras 3's error, asking for a mode.
        EarlyStopping unknown = EarlyStopping.builder().monitor("val_mse").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> unknown.checkLogKeys(List.of("loss", "val_mse")));
        assertTrue(e.getMessage().contains("monitor=val_mse but Sinew isn't able to automatically determine whether that metric"
                + " should be maximized or minimized. Pass mode \"max\""), e.getMessage());
        EarlyStopping.builder().monitor("val_mse").mode("min").build().checkLogKeys(List.of("loss", "val_mse"));
    }

    @Test
    void baselineMustBeBeatenBeforeWaitingRestarts() {
        try (Sequential net = Tiny.model()) {
            // Baseline 0.5: 0.9 and 0.8 improve on the best but not on the baseline, so wait goes
            // 1, 2 (not reset); 0.85 makes it 3 = patience: stop at epoch 3 (index 2).
            EarlyStopping es = EarlyStopping.builder().monitor("val_loss").patience(3).baseline(0.5).build();
            assertEquals(3, run(net, es, "val_loss", 0.9, 0.8, 0.85, 0.7, 0.6));
            assertEquals(0.8, es.best());
            // Without the baseline: wait 0, 0, 1, 0, 0: no stop.
            EarlyStopping none = EarlyStopping.builder().monitor("val_loss").patience(3).build();
            assertEquals(5, run(net, none, "val_loss", 0.9, 0.8, 0.85, 0.7, 0.6));
            // Once beaten (0.4 < 0.5) waiting restarts: wait 1, 0, 1, 2, 3 = patience at index 4.
            EarlyStopping beaten = EarlyStopping.builder().monitor("val_loss").patience(3).baseline(0.5).build();
            assertEquals(5, run(net, beaten, "val_loss", 0.9, 0.4, 0.45, 0.46, 0.47, 0.3));
            assertEquals(4, beaten.stoppedEpoch());
            // Nothing beats the baseline and nothing improves after the first: stop after patience epochs.
            EarlyStopping never = EarlyStopping.builder().monitor("val_accuracy").patience(2).baseline(0.9).build();
            assertEquals(2, run(net, never, "val_accuracy", 0.5, 0.4, 0.3));
        }
    }

    @Test
    void startFromEpochSkipsTheWarmUp() {
        try (Sequential net = Tiny.model()) {
            double[] values = {1.0, 2.0, 3.0, 2.5, 2.6};
            // Monitored from epoch 0: best 1.0, wait 1, wait 2 = patience: stop at index 2.
            EarlyStopping early = new EarlyStopping("val_loss", 2);
            assertEquals(3, run(net, early, "val_loss", values));
            // From epoch 2: epochs 0 and 1 are not seen; best 3.0, best 2.5, wait 1: runs to the end.
            EarlyStopping late = EarlyStopping.builder().monitor("val_loss").patience(2).startFromEpoch(2).build();
            assertEquals(5, run(net, late, "val_loss", values));
            assertEquals(3, late.bestEpoch());
            assertEquals(2.5, late.best());
        }
    }

    @Test
    void restoresTheBestEpochsWeightsAndSaysSo() {
        try (Sequential net = Tiny.model()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            EarlyStopping es = EarlyStopping.builder().monitor("val_loss").patience(2).restoreBestWeights(true).verbose(1)
                    .out(Tiny.into(out)).build();
            assertEquals(4, run(net, es, "val_loss", 1.0, 0.5, 0.7, 0.6, 0.1));
            assertEquals("Epoch 4: early stopping\nRestoring model weights from the end of the best epoch: 2.\n", Tiny.text(out));
            for (float[] w : net.getWeights()) for (float v : w) assertEquals(1f, v, "the weights of epoch index 1");
            // Silent by default (verbose 0), and the weights stay the last epoch's without restore_best_weights.
            ByteArrayOutputStream quiet = new ByteArrayOutputStream();
            EarlyStopping plain = EarlyStopping.builder().monitor("val_loss").patience(2).out(Tiny.into(quiet)).build();
            assertEquals(4, run(net, plain, "val_loss", 1.0, 0.5, 0.7, 0.6, 0.1));
            assertEquals("", Tiny.text(quiet));
            for (float[] w : net.getWeights()) for (float v : w) assertEquals(3f, v, "the weights of the last epoch");
            // A NaN never improves: the first monitored epoch's weights are kept as the best.
            EarlyStopping nan = EarlyStopping.builder().monitor("val_loss").patience(1).restoreBestWeights(true).build();
            assertEquals(2, run(net, nan, "val_loss", Double.NaN, Double.NaN, Double.NaN));
            for (float[] w : net.getWeights()) for (float v : w) assertEquals(0f, v, "the weights of epoch index 0");
        }
    }

    @Test
    void fitRejectsAnUnknownMonitorBeforeTheFirstEpoch(@TempDir Path dir) {
        try (Sequential net = Tiny.model()) {
            List<float[]> before = net.getWeights();
            Path csv = dir.resolve("log.csv");
            float[][] x = Tiny.x(1, 20, 1), y = Tiny.y(1, 20);
            FitOptions options = FitOptions.builder().epochs(3).batchSize(5).verbose(0).validationSplit(0.25)
                    .callbacks(new CsvLogger(csv), new EarlyStopping("val_acc", 2)).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.fit(x, y, options));
            assertEquals("EarlyStopping monitors 'val_acc', which fit will not log; the logs will have"
                    + " [loss, accuracy, val_loss, val_accuracy]", e.getMessage());
            assertEquals(0, net.optimizer().iterations(), "no step was taken");
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), net.getWeights().get(i));
            assertFalse(Files.exists(csv), "no callback started: the CSV file was not created");
            // Without validation data the val_ names do not exist, and the message says why.
            IllegalArgumentException noVal = assertThrows(IllegalArgumentException.class, () -> net.fit(x, y,
                    FitOptions.builder().verbose(0).callbacks(new EarlyStopping("val_loss", 2)).build()));
            assertEquals("EarlyStopping monitors 'val_loss', which fit will not log; the logs will have [loss, accuracy]"
                    + " (is there validation data?)", noVal.getMessage());
            // A name that will exist trains.
            net.fit(x, y, FitOptions.builder().epochs(2).batchSize(5).verbose(0).validationSplit(0.25)
                    .callbacks(new EarlyStopping("val_accuracy", 2)).build());
            assertEquals(6, net.optimizer().iterations());
        }
    }

    @Test
    void badArgumentsAreRejectedQuotingTheValue() {
        assertMessage(() -> new EarlyStopping("val_loss", -1), "EarlyStopping: patience must be >= 0. Received: patience=-1");
        assertMessage(() -> new EarlyStopping(" ", 1), "EarlyStopping needs a monitor");
        assertMessage(() -> new EarlyStopping("val_loss", 1, -0.1, false), "Received: min_delta=-0.1");
        assertMessage(() -> EarlyStopping.builder().mode("maximum"), "mode must be one of \"auto\", \"min\", \"max\". Received: mode=maximum");
        assertMessage(() -> EarlyStopping.builder().baseline(Double.NaN).build(), "Received: baseline=NaN");
        assertMessage(() -> EarlyStopping.builder().startFromEpoch(-2).build(), "Received: start_from_epoch=-2");
        assertMessage(() -> EarlyStopping.builder().verbose(2).build(), "Received: verbose=2");
    }

    static void assertMessage(Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "expected a message containing\n  " + expected + "\ngot\n  " + e.getMessage());
    }
}
