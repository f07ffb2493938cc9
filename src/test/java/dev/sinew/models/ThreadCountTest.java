package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.NativeBackend;
import dev.sinew.examples.Networks;
import dev.sinew.optimizers.Adam;
import dev.sinew.optimizers.SGD;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The correctness half of the thread-scaling table: on 1 to 8 threads (8 on a 2-core machine is
 * oversubscribed, which is the point: shards then run in any order and interleaving), W1's network
 * with Adam and the residual CNN of W5 train to the same weights twice, bit for bit, on each
 * thread count; and every thread count stays within float rounding of one thread (the batch is
 * split differently, so the shard sums are added in a different order).
 */
class ThreadCountTest {
    @Test
    void w1sNetworkIsReproduciblePerThreadCountAndAgreesAcrossThem() {
        SplittableRandom rng = new SplittableRandom(11);
        float[][] x = TestUtil.uniform(rng, 100, 784, 0, 1), y = TestUtil.oneHot(rng, 100, 10);
        check("W1 MLP (Adam)", () -> {
            Sequential m = Networks.mlp(784, new int[] {150, 150, 100}, 10, 0, 1);
            m.compile("categorical_crossentropy", new Adam(0.001), "accuracy");
            return m;
        }, x, y, 8, 5e-5);
    }

    @Test
    void theResidualCnnIsReproduciblePerThreadCountAndAgreesAcrossThem() {
        SplittableRandom rng = new SplittableRandom(12);
        float[][] x = TestUtil.uniform(rng, 24, 784, 0, 1), y = TestUtil.oneHot(rng, 24, 10);
        check("W5 residual CNN (SGD)", () -> {
            Model m = Networks.resnet(10, 8, 1);
            m.compile("categorical_crossentropy", new SGD(0.01), "accuracy");
            return m;
        }, x, y, 3, 5e-5);
    }

    /** {@code steps} steps on 1..8 threads, each twice; prints the largest difference from one thread. */
    private static void check(String what, Supplier<Model> make, float[][] x, float[][] y, int steps, double tolerance) {
        int before = NativeBackend.threads();
        try {
            List<float[]> one = null;
            StringBuilder table = new StringBuilder("ThreadCountTest: " + what + ", largest difference from 1 thread (relative to the tensor's largest value):");
            for (int threads = 1; threads <= 8; threads++) {
                NativeBackend.setThreads(threads);
                List<float[]> a = train(make, x, y, steps), b = train(make, x, y, steps);
                for (int i = 0; i < a.size(); i++) {
                    assertArrayEquals(a.get(i), b.get(i), what + ": two runs on " + threads + " threads differ in weight " + i);
                }
                if (one == null) {
                    one = a;
                    continue;
                }
                double worst = 0;
                for (int i = 0; i < a.size(); i++) {
                    float[] p = one.get(i), q = a.get(i);
                    double scale = 1e-30;
                    for (float v : p) scale = Math.max(scale, Math.abs(v));
                    for (int k = 0; k < p.length; k++) worst = Math.max(worst, Math.abs(p[k] - q[k]) / scale);
                }
                table.append(String.format(" %d: %.1e", threads, worst));
                assertTrue(worst < tolerance, what + " on " + threads + " threads is " + worst + " from 1 thread");
            }
            System.out.println(table);
        } finally {
            NativeBackend.setThreads(before);
        }
    }

    private static List<float[]> train(Supplier<Model> make, float[][] x, float[][] y, int steps) {
        try (Model m = make.get()) {
            for (int i = 0; i < steps; i++) m.trainOnBatch(x, y);
            return m.getWeights();
        }
    }
}
