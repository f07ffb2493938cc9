package dev.sinew.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.models.FitOptions;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import dev.sinew.optimizers.schedules.ExponentialDecay;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ReduceLROnPlateau fed scripted values of its monitor on a tiny model: the optimizer's learning
 * rate after each epoch, worked out by hand from Keras's on_epoch_end (comments give the steps).
 */
class ReduceLROnPlateauTest {

    /** The learning rate after each epoch's end, starting from SGD(lr), as fit would drive the callback. */
    static List<Double> rates(double lr, ReduceLROnPlateau cb, String monitor, double... values) {
        try (Sequential net = Tiny.model(new SGD(lr))) {
            cb.checkLogKeys(List.of("loss", "accuracy", "val_loss", "val_accuracy"));
            cb.setModel(net);
            cb.onTrainBegin(values.length, 1);
            List<Double> out = new ArrayList<>();
            for (int epoch = 0; epoch < values.length; epoch++) {
                cb.onEpochBegin(epoch);
                cb.onEpochEnd(epoch, Tiny.logs(monitor, values[epoch]));
                out.add(net.optimizer().learningRate());
            }
            cb.onTrainEnd(Tiny.logs(monitor, values[values.length - 1]));
            return out;
        }
    }

    static ReduceLROnPlateau.Builder on(String monitor) {
        return ReduceLROnPlateau.builder().monitor(monitor);
    }

    @Test
    void reducesByFactorAfterPatienceEpochsWithoutImprovement() {
        // best 1.0; wait 1; wait 2 = patience: 0.1 -> 0.05, wait 0; best 0.5; wait 1; wait 2: -> 0.025; wait 1
        assertEquals(List.of(0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025),
                rates(0.1, on("val_loss").factor(0.5).patience(2).minDelta(0).build(), "val_loss", 1.0, 1.0, 1.0, 0.5, 0.6, 0.7, 0.8));
    }

    @Test
    void minDeltaIsTheLeastImprovementThatCounts() {
        // Keras's default min_delta 1e-4: 0.99995 is not below 1.0 - 1e-4, so it counts as no improvement.
        assertEquals(List.of(0.1, 0.010000000000000002), rates(0.1, on("val_loss").patience(1).build(), "val_loss", 1.0, 0.99995));
        assertEquals(List.of(0.1, 0.1), rates(0.1, on("val_loss").patience(1).minDelta(0).build(), "val_loss", 1.0, 0.99995));
    }

    @Test
    void cooldownPausesTheCountAfterAReduction() {
        // e1: wait 1 -> 0.05, cooldown 2; e2: cooldown 1 (no waiting); e3: cooldown 0, wait 1 -> 0.025, cooldown 2;
        // e4: cooldown 1; e5: cooldown 0, wait 1 -> 0.0125; e6: cooldown 1.
        assertEquals(List.of(0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125),
                rates(0.1, on("val_loss").factor(0.5).patience(1).cooldown(2).build(), "val_loss", 1, 1, 1, 1, 1, 1, 1));
        // Without cooldown: every epoch without improvement past the first reduces.
        assertEquals(List.of(0.1, 0.05, 0.025, 0.0125),
                rates(0.1, on("val_loss").factor(0.5).patience(1).build(), "val_loss", 1, 1, 1, 1));
    }

    @Test
    void minLrIsTheFloor() {
        // 0.1 * 0.1 = 0.01 is below min_lr 0.02: 0.02; then lr = min_lr, no further reduction.
        assertEquals(List.of(0.1, 0.02, 0.02, 0.02), rates(0.1, on("val_loss").patience(1).minLr(0.02).build(), "val_loss", 1, 1, 1, 1));
        // 0.1 * 0.1 = 0.010000000000000002 in double, but 0.01 in float32 as Keras keeps it: at min_lr 0.01 it is
        // not reduced (and announced) again, as it would be when compared in double.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Double> r = rates(0.1, on("loss").patience(1).minLr(0.01).verbose(1).out(Tiny.into(out)).build(), "loss", 1, 1, 1, 1);
        assertEquals(List.of(0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002), r);
        assertEquals("Epoch 2: ReduceLROnPlateau reducing learning rate to 0.010000000000000002.\n", Tiny.text(out));
    }

    @Test
    void modeSaysWhichWayIsBetter() {
        double[] values = {0.5, 0.6, 0.55};
        // auto on "val_accuracy" (its name contains "acc"): maximise; 0.6 improves, 0.55 waits 1 = patience.
        assertEquals(List.of(0.1, 0.1, 0.010000000000000002), rates(0.1, on("val_accuracy").patience(1).build(), "val_accuracy", values));
        // min: 0.6 does not improve on 0.5: reduce at once; 0.55 neither: reduce again.
        assertEquals(List.of(0.1, 0.010000000000000002, 0.0010000000000000002),
                rates(0.1, on("val_accuracy").patience(1).mode("min").build(), "val_accuracy", values));
        // auto on a loss: minimise, as min.
        assertEquals(List.of(0.1, 0.010000000000000002, 0.0010000000000000002),
                rates(0.1, on("val_loss").patience(1).build(), "val_loss", values));
        // max on a loss.
        assertEquals(List.of(0.1, 0.1, 0.010000000000000002), rates(0.1, on("val_loss").patience(1).mode(Mode.MAX).build(), "val_loss", values));
    }

    @Test
    void verboseSaysEachReduction() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        rates(0.1, on("val_loss").factor(0.5).patience(1).verbose(1).out(Tiny.into(out)).build(), "val_loss", 1, 1, 1);
        assertEquals("Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05.\n"
                + "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.025.\n", Tiny.text(out));
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        rates(0.1, on("val_loss").factor(0.5).patience(1).out(Tiny.into(quiet)).build(), "val_loss", 1, 1, 1);
        assertEquals("", Tiny.text(quiet));
    }

    @Test
    void kerasDefaults() {
        ReduceLROnPlateau d = new ReduceLROnPlateau();
        assertEquals("val_loss", d.monitor());
        // patience 10, factor 0.1: ten epochs without improvement after the first.
        double[] flat = new double[12];
        java.util.Arrays.fill(flat, 1.0);
        List<Double> r = rates(0.1, d, "val_loss", flat);
        assertEquals(0.1, r.get(9));
        assertEquals(0.010000000000000002, r.get(10));
    }

    @Test
    void fitChecksTheMonitorAndTheOptimizerBeforeTheFirstEpoch() {
        float[][] x = Tiny.x(2, 12, 1), y = Tiny.y(2, 12);
        try (Sequential net = Tiny.model()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.fit(x, y,
                    FitOptions.builder().verbose(0).validationSplit(0.25).callbacks(on("val_los").build()).build()));
            assertEquals("ReduceLROnPlateau monitors 'val_los', which fit will not log; the logs will have"
                    + " [loss, accuracy, val_loss, val_accuracy]", e.getMessage());
            assertEquals(0, net.optimizer().iterations());
        }
        try (Sequential net = Tiny.model(SGD.builder().learningRate(new ExponentialDecay(0.1, 10, 0.5)).build())) {
            List<float[]> before = net.getWeights();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(x, y,
                    FitOptions.builder().verbose(0).callbacks(on("loss").build()).build()));
            assertEquals("ReduceLROnPlateau cannot set the learning rate of SGD: it was made with a learning-rate schedule"
                    + " (ExponentialDecay). Give the optimizer a number, or drop the callback.", e.getMessage());
            assertEquals(0, net.optimizer().iterations());
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), net.getWeights().get(i));
        }
        // In a real fit: the learning rate falls once the training loss stops falling by min_delta 10 (never).
        try (Sequential net = Tiny.model()) {
            net.fit(x, y, FitOptions.builder().epochs(3).batchSize(4).verbose(0)
                    .callbacks(on("loss").patience(1).factor(0.5).minDelta(10).build()).build());
            assertEquals(0.025, net.optimizer().learningRate(), 1e-15, "0.1 halved after epochs 2 and 3");
        }
    }

    @Test
    void badArgumentsAreRejectedQuotingTheValue() {
        EarlyStoppingTest.assertMessage(() -> on("val_loss").factor(1.0).build(),
                "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=1.0");
        EarlyStoppingTest.assertMessage(() -> on("val_loss").factor(0).build(), "Received factor=0.0");
        EarlyStoppingTest.assertMessage(() -> on("val_loss").patience(-1).build(), "Received: patience=-1");
        EarlyStoppingTest.assertMessage(() -> on("val_loss").cooldown(-1).build(), "Received: cooldown=-1");
        EarlyStoppingTest.assertMessage(() -> on("val_loss").minLr(-0.5).build(), "Received: min_lr=-0.5");
        EarlyStoppingTest.assertMessage(() -> on("val_loss").minDelta(Double.NaN).build(), "Received: min_delta=NaN");
        EarlyStoppingTest.assertMessage(() -> on(null).build(), "ReduceLROnPlateau needs a monitor");
        EarlyStoppingTest.assertMessage(() -> on("val_loss").mode("up"), "Received: mode=up");
        EarlyStoppingTest.assertMessage(() -> on("val_loss").verbose(3).build(), "Received: verbose=3");
    }
}
