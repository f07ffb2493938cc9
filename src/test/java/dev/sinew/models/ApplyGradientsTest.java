package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.optimizers.Adam;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * trainOnBatch split in two, as distributed training uses it: computeGradients, then
 * applyGradients with those gradients, must be exactly one trainOnBatch; lastTrainingOutput gives
 * the rows that step's forward pass computed; Trainer.fit with the model's own steps is fit.
 */
class ApplyGradientsTest {
    static final float[][] X = {{1, 2}, {-1, 0.5f}, {0.25f, -3}};
    static final float[][] Y = {{1, 0}, {0, 1}, {1, 0}};

    static Sequential net() {
        Sequential net = new Sequential(3);
        net.add(new Input(2));
        net.add(new Dense(4, "relu"));
        net.add(new Dense(2, "softmax"));
        net.compile("categorical_crossentropy", new Adam(0.01), "accuracy");
        return net;
    }

    @Test
    void computeThenApplyIsOneTrainOnBatch() {
        try (Sequential a = net(); Sequential b = net()) {
            for (int step = 0; step < 3; step++) {
                a.trainOnBatch(X, Y);
                b.computeGradients(X, Y);
                b.applyGradients(b.getGradients());
            }
            List<float[]> wa = a.getWeights(), wb = b.getWeights();
            for (int k = 0; k < wa.size(); k++) assertArrayEquals(wa.get(k), wb.get(k), "weight " + k);
            assertEquals(a.optimizer().iterations(), b.optimizer().iterations());
        }
    }

    @Test
    void lastTrainingOutputIsTheStepsForwardPass() {
        try (Sequential a = net(); Sequential b = net()) {
            float[][] before = b.predictOnBatch(X); // no dropout: training and inference forward agree
            a.computeGradients(X, Y);
            float[][] out = a.lastTrainingOutput();
            assertEquals(3, out.length);
            for (int i = 0; i < 3; i++) assertArrayEquals(before[i], out[i], 1e-7f, "row " + i);
            a.applyGradients(a.getGradients()); // an update does not change them: they are the step's predictions
            assertArrayEquals(out[2], a.lastTrainingOutput()[2]);
            var none = assertThrows(IllegalStateException.class, b::lastTrainingOutput);
            assertEquals("model \"" + b.name() + "\" has not trained on a batch yet", none.getMessage());
        }
    }

    @Test
    void wrongGradientsAreNamedAndChangeNothing() {
        try (Sequential a = net()) {
            List<float[]> w = a.getWeights();
            List<float[]> g = new ArrayList<>(a.getWeights());
            g.set(1, new float[3]);
            var e = assertThrows(IllegalArgumentException.class, () -> a.applyGradients(g));
            assertEquals("applyGradients: gradient 1 (dense/bias) must have shape (4,) = 4 values, got 3", e.getMessage());
            var count = assertThrows(IllegalArgumentException.class, () -> a.applyGradients(List.of(new float[8])));
            assertEquals("applyGradients expects 4 arrays (getGradients() order), got 1", count.getMessage());
            for (int k = 0; k < w.size(); k++) assertArrayEquals(w.get(k), a.getWeights().get(k));
            assertEquals(0, a.optimizer().iterations());
        }
    }

    @Test
    void trainerWithTheModelsOwnStepsIsFit() {
        float[][] x = new float[12][], y = new float[12][];
        for (int i = 0; i < 12; i++) {
            x[i] = X[i % 3];
            y[i] = Y[i % 3];
        }
        FitOptions o = FitOptions.builder().batchSize(5).epochs(2).seed(4).verbose(0).build();
        try (Sequential a = net(); Sequential b = net()) {
            History ha = a.fit(x, y, o);
            float[][][] xs = {x}, ys = {y};
            History hb = Trainer.fit(b, 12, o, (epoch, step, order, from, to, states) -> b.trainRows(xs, ys, order, from, to, states));
            assertEquals(ha, hb);
            for (int k = 0; k < a.getWeights().size(); k++) assertArrayEquals(a.getWeights().get(k), b.getWeights().get(k));
            var split = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.fit(b, 12, FitOptions.builder().validationSplit(0.5).build(), (e, s, ord, f, t, st) -> 0f));
            assertEquals("validationSplit takes the last samples of arrays in memory; give validationData instead", split.getMessage());
        }
    }
}
