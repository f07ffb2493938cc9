package dev.sinew.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.models.FitOptions;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import dev.sinew.optimizers.schedules.CosineDecay;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LearningRateScheduler in fit: the rate each epoch's steps use comes from the function. */
class LearningRateSchedulerTest {
    static final float[][] X = Tiny.x(3, 12, 1), Y = Tiny.y(3, 12);

    /** The learning rate seen after each batch, per epoch. */
    static final class Spy implements Callback {
        final List<Double> perEpoch = new ArrayList<>();
        private dev.sinew.models.Model model;

        @Override
        public void setModel(dev.sinew.models.Model model) {
            this.model = model;
        }

        @Override
        public void onBatchEnd(int batch, Map<String, Double> logs) {
            if (batch == 0) perEpoch.add(model.optimizer().learningRate());
        }
    }

    @Test
    void kerasDocExample() {
        // Keras's docstring: SGD's default 0.01, kept for ten epochs, then times exp(-0.1) per epoch; after 15: 0.00607.
        Spy spy = new Spy();
        try (Sequential net = Tiny.model(new SGD(0.01))) {
            net.fit(X, Y, FitOptions.builder().epochs(15).batchSize(6).verbose(0)
                    .callbacks(new LearningRateScheduler((epoch, lr) -> epoch < 10 ? lr : lr * Math.exp(-0.1)), spy).build());
            assertEquals(0.00607, Math.round(net.optimizer().learningRate() * 1e5) / 1e5);
        }
        double lr = 0.01;
        for (int epoch = 0; epoch < 15; epoch++) {
            if (epoch >= 10) lr *= Math.exp(-0.1);
            assertEquals(lr, spy.perEpoch.get(epoch), "the rate during epoch " + (epoch + 1));
        }
    }

    @Test
    void theScheduledRateIsTheOneTheStepsUse() {
        // Two models from the same seed: one scheduled by epoch, one given the same rates by hand, end bit for bit equal.
        LearningRateScheduler.Schedule halve = (epoch, lr) -> epoch == 0 ? 0.2 : lr / 2;
        try (Sequential a = Tiny.model(new SGD(0.05)); Sequential b = Tiny.model(new SGD(0.05))) {
            a.fit(X, Y, FitOptions.builder().epochs(3).batchSize(4).shuffle(false).verbose(0)
                    .callbacks(new LearningRateScheduler(halve)).build());
            for (double lr : new double[] {0.2, 0.1, 0.05}) {
                b.optimizer().setLearningRate(lr);
                b.fit(X, Y, FitOptions.builder().epochs(1).batchSize(4).shuffle(false).verbose(0).build());
            }
            for (int i = 0; i < a.getWeights().size(); i++) assertArrayEquals(b.getWeights().get(i), a.getWeights().get(i));
        }
    }

    @Test
    void verboseSaysEachRate() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Sequential net = Tiny.model(new SGD(0.1))) {
            net.fit(X, Y, FitOptions.builder().epochs(2).batchSize(6).verbose(0)
                    .callbacks(new LearningRateScheduler((epoch, lr) -> lr / 4, 1, Tiny.into(out))).build());
        }
        assertEquals("Epoch 1: LearningRateScheduler setting learning rate to 0.025.\n"
                + "Epoch 2: LearningRateScheduler setting learning rate to 0.00625.\n", Tiny.text(out));
    }

    @Test
    void badRatesAndScheduledOptimizersAreErrors() {
        try (Sequential net = Tiny.model(new SGD(0.1))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(X, Y, FitOptions.builder().epochs(3)
                    .verbose(0).callbacks(new LearningRateScheduler((epoch, lr) -> epoch == 1 ? 0 : lr)).build()));
            assertEquals("LearningRateScheduler: the schedule gave learning rate 0.0 for epoch 2; a learning rate must be positive"
                    + " and finite", e.getMessage());
        }
        try (Sequential net = Tiny.model(SGD.builder().learningRate(new CosineDecay(0.1, 100)).build())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(X, Y, FitOptions.builder()
                    .verbose(0).callbacks(new LearningRateScheduler((epoch, lr) -> lr)).build()));
            assertTrue(e.getMessage().startsWith("LearningRateScheduler cannot set the learning rate of SGD: it was made with a"
                    + " learning-rate schedule (CosineDecay)"), e.getMessage());
            assertEquals(0, net.optimizer().iterations(), "rejected before the first step");
        }
        EarlyStoppingTest.assertMessage(() -> new LearningRateScheduler(null), "LearningRateScheduler: schedule is null");
        EarlyStoppingTest.assertMessage(() -> new LearningRateScheduler((e, lr) -> lr, 2), "Received: verbose=2");
    }
}
