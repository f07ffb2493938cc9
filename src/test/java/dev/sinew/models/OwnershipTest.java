package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.optimizers.SGD;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * An optimizer instance and a layer instance each belong to one model (issue 9, A1 and A2): before,
 * sharing them silently trained the wrong model or swapped one model's weights for another's.
 */
class OwnershipTest {
    final SplittableRandom rng = new SplittableRandom(9);
    final float[][] x = TestUtil.uniform(rng, 8, 3, -1, 1);
    final float[][] y = TestUtil.uniform(rng, 8, 2, 0, 1);

    static Sequential mlp(long seed) {
        Sequential m = new Sequential(seed);
        m.add(new Input(3));
        m.add(new Dense(4, "tanh"));
        m.add(new Dense(2));
        return m;
    }

    static boolean same(List<float[]> a, List<float[]> b) {
        for (int i = 0; i < a.size(); i++) if (!java.util.Arrays.equals(a.get(i), b.get(i))) return false;
        return true;
    }

    @Test
    void oneOptimizerCannotBeCompiledIntoTwoOpenModels() {
        try (Sequential a = mlp(1); Sequential b = mlp(2)) {
            SGD opt = new SGD(0.1);
            a.compile("mse", opt);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.compile("mse", opt));
            System.out.println("rejected: " + e.getMessage());
            assertTrue(e.getMessage().contains("\"" + a.name() + "\""), e.getMessage());
            assertTrue(e.getMessage().contains("\"" + b.name() + "\""), e.getMessage());
            assertFalse(b.isCompiled(), "the rejected compile left B as it was");

            // A still trains with its optimizer (before the fix the step went to B's weights).
            List<float[]> aBefore = a.getWeights(), bBefore = b.getWeights();
            a.trainOnBatch(x, y);
            assertFalse(same(aBefore, a.getWeights()), "A's weights change when A trains");
            assertTrue(same(bBefore, b.getWeights()), "B's weights do not change when A trains");

            // B with an optimizer of its own trains B only.
            b.compile("mse", new SGD(0.1));
            List<float[]> aAfter = a.getWeights();
            b.trainOnBatch(x, y);
            assertTrue(same(aAfter, a.getWeights()));
            assertFalse(same(bBefore, b.getWeights()));
        }
    }

    @Test
    void anOptimizerIsFreeAgainWhenItsModelClosesOrMovesOn() {
        SGD opt = new SGD(0.1);
        try (Sequential b = mlp(2)) {
            try (Sequential a = mlp(1)) {
                a.compile("mse", opt);
                a.compile("mse", new SGD(0.2)); // A lets go of opt
                b.compile("mse", opt);
                assertThrows(IllegalArgumentException.class, () -> a.compile("mse", opt));
            }
            // Recompiling the same model with its own optimizer is fine (it resets the state).
            b.compile("mse", opt);
            b.trainOnBatch(x, y);
        }
        try (Sequential c = mlp(3)) {
            c.compile("mse", opt); // b is closed: opt is free
            c.trainOnBatch(x, y);
        }
    }

    /**
     * close() of the model that owns an optimizer, racing compile() of another model with that
     * optimizer: the two take the model's gate and the optimizer-owner lock in opposite orders,
     * which must not deadlock (isClosed reads a volatile, without the gate's monitor).
     */
    @Test
    void closingTheOwnerWhileAnotherModelClaimsItsOptimizerDoesNotDeadlock() {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 300; round++) {
                SGD opt = new SGD(0.1);
                Sequential a = mlp(1), b = mlp(2);
                a.compile("mse", opt);
                Thread closer = new Thread(a::close);
                closer.start();
                try {
                    b.compile("mse", opt); // either A is closed by now (accepted) or not (refused)
                } catch (IllegalArgumentException refused) {
                    assertTrue(refused.getMessage().contains(a.name()), refused.getMessage());
                }
                closer.join();
                b.close();
            }
        });
    }

    @Test
    void oneLayerCannotBeAddedToTwoModels() {
        try (Sequential a = mlp(1); Sequential b = new Sequential(2)) {
            a.compile("mse", new SGD(0.1));
            float[][] before = a.predictOnBatch(x);
            Dense shared = (Dense) a.layers().get(0);
            b.add(new Input(3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.add(shared));
            System.out.println("rejected: " + e.getMessage());
            assertTrue(e.getMessage().contains("Dense \"dense\""), e.getMessage());
            assertTrue(e.getMessage().contains("\"" + a.name() + "\""), e.getMessage());
            assertArrayEquals(before, a.predictOnBatch(x), "A's predictions are untouched");

            // B goes on with layers of its own; closing B leaves A working.
            b.add(new Dense(4, "tanh"));
            b.add(new Dense(2));
            b.compile("mse", new SGD(0.1));
            b.trainOnBatch(x, y);
            b.close();
            assertArrayEquals(before, a.predictOnBatch(x));
            List<float[]> aBefore = a.getWeights();
            assertEquals(1, a.trainOnBatch(x, y).length); // [loss]: compiled without metrics
            assertFalse(same(aBefore, a.getWeights()), "A still trains after B closed");
        }
    }

    @Test
    void modelsHaveKerasStyleUniqueNames() {
        try (Sequential a = new Sequential(1); Sequential b = new Sequential(1)) {
            assertTrue(a.name().startsWith("sequential"), a.name());
            assertFalse(a.name().equals(b.name()), a.name() + " vs " + b.name());
            a.add(new Input(2));
            a.add(new Dense(1));
            assertTrue(a.summary().startsWith("Model: \"" + a.name() + "\""), a.summary());
        }
    }

    /** A rejected add names the layer as the model does (the name stays with it, as in Keras). */
    @Test
    void aRejectedLayerIsNamedAsTheModelNamesIt() {
        try (Sequential m = new Sequential(1)) {
            m.add(new Input(4, 4, 1));
            m.add(new dev.sinew.layers.Conv2D(2, 3, "relu")); // "conv2d": 2x2x2 out
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.add(new dev.sinew.layers.Conv2D(2, 5, "relu")));
            assertTrue(e.getMessage().contains("Conv2D \"conv2d_1\""), e.getMessage());
            m.add(new dev.sinew.layers.Conv2D(2, 2, "relu"));
            assertEquals("conv2d_2", m.layers().get(1).name());
        }
    }
}
