package dev.sinew.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.callbacks.Callback;
import dev.sinew.io.Json;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.models.FitOptions;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.schedules.CosineDecay;
import dev.sinew.optimizers.schedules.CosineDecayRestarts;
import dev.sinew.optimizers.schedules.ExponentialDecay;
import dev.sinew.optimizers.schedules.PiecewiseConstantDecay;
import dev.sinew.tensor.ParameterTable;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Variable;
import dev.sinew.tensor.Workspace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** An optimizer made with a schedule takes the scheduled rate at each step, and saves and restores it. */
class ScheduledOptimizerTest {

    /**
     * Plain SGD on one weight with gradient 1: after step k the weight is w0 - lr(0) - ... - lr(k),
     * in float32 as the update does it, with the rates from schedules.json (Keras's formula).
     */
    @Test
    @SuppressWarnings("unchecked")
    void sgdTakesTheScheduledRateAtEachStep() throws IOException {
        Map<String, Object> c = LearningRateScheduleTest.golden().stream()
                .filter(m -> m.get("name").equals("exponential_for_optimizer")).findFirst().orElseThrow();
        List<Object> steps = (List<Object>) c.get("steps"), values = (List<Object>) c.get("values");
        for (Backend b : new Backend[] {Backends.nativeBackend(), Backends.reference()}) {
            try (Workspace ws = new Workspace()) {
                ParameterTable t = ParameterTable.allocate(ws, List.of(new ParameterTable.Spec("dense", "kernel", Shape.of(1), true)));
                Variable w = t.variables().get(0);
                t.value(w).copyFrom(new float[] {1f});
                Optimizer sgd = SGD.builder().learningRate(Schedules.fromConfig(LearningRateScheduleTest.entry(c))).build();
                sgd.build(b, t, ws);
                float expected = 1f;
                for (int k = 0; k < steps.size(); k++) {
                    assertEquals(k, ((Number) steps.get(k)).intValue(), "schedules.json: consecutive steps from 0");
                    double lr = ((Number) values.get(k)).doubleValue();
                    assertEquals(lr, sgd.learningRate(), 1e-15, "learningRate() before update " + (k + 1));
                    t.gradient(w).copyFrom(new float[] {1f});
                    sgd.step();
                    expected -= (float) lr;
                    assertEquals(expected, t.value(w).toArray()[0], 0f, b.name() + ": the weight after update " + (k + 1));
                }
                assertEquals(steps.size(), sgd.iterations());
            }
        }
    }

    static Sequential tiny(Optimizer optimizer) {
        Sequential net = new Sequential(Backends.reference(), 3);
        net.add(new Input(3));
        net.add(new Dense(4, "tanh"));
        net.add(new Dense(2));
        net.compile("mean_squared_error", optimizer);
        return net;
    }

    /**
     * A model trained with Adam on a cosine schedule ends with exactly the weights of the same
     * model whose Adam is given each step's rate by hand, from the schedule at that step.
     */
    @Test
    void aModelTrainsWithTheScheduledRates() {
        LearningRateSchedule schedule = CosineDecay.builder().initialLearningRate(0.01).decaySteps(6).warmupTarget(0.05)
                .warmupSteps(3).alpha(0.1).build();
        SplittableRandom rng = new SplittableRandom(5);
        float[][] x = TestUtil.uniform(rng, 8, 3, -1, 1), y = TestUtil.uniform(rng, 8, 2, -1, 1);
        try (Sequential scheduled = tiny(Adam.builder().learningRate(schedule).build());
                Sequential byHand = tiny(new Adam(1.0))) {
            for (int step = 0; step < 12; step++) {
                byHand.optimizer().setLearningRate(schedule.at(step));
                assertEquals(schedule.at(step), scheduled.optimizer().learningRate());
                scheduled.trainOnBatch(x, y);
                byHand.trainOnBatch(x, y);
                List<float[]> a = scheduled.getWeights(), b = byHand.getWeights();
                for (int i = 0; i < a.size(); i++) assertArrayEquals(b.get(i), a.get(i), "weights " + i + " after step " + (step + 1));
            }
            // The rates did change: warmup 0.01 -> 0.05 over 3 steps, cosine down to 0.005 over 6, then flat.
            assertEquals(0.01, schedule.at(0), 1e-15);
            assertEquals(0.05, schedule.at(3), 1e-15);
            assertEquals(0.005, schedule.at(9), 1e-15);
            assertEquals(12, scheduled.optimizer().iterations());
        }
    }

    /** During fit, each batch advances the schedule by one step (the optimizer's iterations). */
    @Test
    void fitAdvancesTheScheduleOncePerBatch() {
        LearningRateSchedule schedule = new PiecewiseConstantDecay(new long[] {2, 5}, new double[] {0.1, 0.01, 0.001});
        SplittableRandom rng = new SplittableRandom(6);
        float[][] x = TestUtil.uniform(rng, 10, 3, -1, 1), y = TestUtil.uniform(rng, 10, 2, -1, 1);
        List<Double> rates = new ArrayList<>();
        try (Sequential net = tiny(SGD.builder().learningRate(schedule).momentum(0.5).build())) {
            net.fit(x, y, FitOptions.builder().batchSize(4).epochs(3).verbose(0).callbacks(new Callback() {
                @Override
                public void onBatchEnd(int batch, Map<String, Double> logs) {
                    rates.add(net.optimizer().learningRate()); // the rate of the next update
                }
            }).build());
            assertEquals(9, net.optimizer().iterations(), "3 epochs of 3 batches");
        }
        // After update k (from 1) the next rate is lr(k): 0.1 up to step 2, 0.01 up to step 5, then 0.001.
        assertEquals(List.of(0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001), rates);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aScheduledOptimizerRoundTripsThroughItsConfig() {
        List<Optimizer> optimizers = List.of(
                SGD.builder().learningRate(new ExponentialDecay(0.1, 100, 0.96, true)).momentum(0.9).nesterov(true).build(),
                Adam.builder().learningRate(new CosineDecayRestarts(0.01, 50, 1.5, 0.9, 0.01)).clipnorm(1.0).build(),
                SGD.builder().learningRate(new PiecewiseConstantDecay(new long[] {10, 20}, new double[] {0.1, 0.05, 0.01})).build(),
                Adam.builder().learningRate(new CosineDecay(0.0, 100, 0.0, 0.001, 10)).build());
        for (Optimizer o : optimizers) {
            Map<String, Object> config = o.getConfig();
            Map<String, Object> lr = (Map<String, Object>) config.get("learning_rate");
            assertEquals(o.schedule().name(), lr.get("class_name"));
            for (Map<String, Object> c : List.of(config, (Map<String, Object>) Json.parse(Json.write(config)))) {
                Optimizer back = Optimizers.fromConfig(o.name(), c);
                assertEquals(o.getClass(), back.getClass());
                assertEquals(o.schedule(), back.schedule(), o.name() + ": the same schedule");
                assertEquals(Json.write(config), Json.write(back.getConfig()), o.name() + ": the same config");
            }
        }
        Optimizer plain = Optimizers.fromConfig("SGD", new SGD(0.1).getConfig());
        assertNull(plain.schedule());
        assertEquals(0.1, plain.learningRate(), 1e-9);
    }

    @Test
    void aScheduledRateCannotBeSet() {
        Optimizer o = SGD.builder().learningRate(new ExponentialDecay(0.1, 10, 0.5)).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> o.setLearningRate(0.01));
        assertTrue(e.getMessage().contains("ExponentialDecay"), e.getMessage());
    }
}
