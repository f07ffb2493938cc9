package dev.sinew.layers;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.backend.NativeBackend;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BatchNormalization and LayerNormalization: (1) central finite differences against the analytic
 * backward pass on the reference backend, with respect to the input, gamma and beta, in training
 * mode (and BatchNormalization's inference mode); (2) the native backend equal to the reference on
 * the output (training and inference), dx, every gradient and the moving statistics after a
 * training pass, also with the batch split into uneven shards over three threads (max relative
 * error printed, at most 1e-4); (3) a split batch gives the same bits run after run.
 */
class NormalizationGradientCheckTest {
    static final double FD_TOL = 1e-2, NATIVE_TOL = 1e-4;
    static double worst;

    record Case(String name, Supplier<Layer> layer, Shape input, int batch) {
        @Override
        public String toString() {
            return name + " on " + batch + " x " + input;
        }
    }

    static Stream<Arguments> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("BatchNormalization()", BatchNormalization::new, Shape.of(5), 4));
        c.add(new Case("BatchNormalization()", BatchNormalization::new, Shape.of(3, 2, 3), 3));
        c.add(new Case("BatchNormalization(momentum 0.9, epsilon 1e-5)", () -> new BatchNormalization(0.9, 1e-5),
                Shape.of(2, 3, 4), 2));
        c.add(new Case("BatchNormalization(center=False)", () -> new BatchNormalization(-1, 0.99, 1e-3, false, true),
                Shape.of(4), 5));
        c.add(new Case("BatchNormalization(scale=False)", () -> new BatchNormalization(-1, 0.99, 1e-3, true, false),
                Shape.of(2, 2, 3), 2));
        c.add(new Case("BatchNormalization(center=False, scale=False)", () -> new BatchNormalization(-1, 0.99, 1e-3, false,
                false), Shape.of(3), 4));
        c.add(new Case("BatchNormalization()", BatchNormalization::new, Shape.of(300), 2)); // two channel blocks of 256
        c.add(new Case("LayerNormalization()", LayerNormalization::new, Shape.of(6), 3));
        c.add(new Case("LayerNormalization()", LayerNormalization::new, Shape.of(2, 3, 4), 2));
        c.add(new Case("LayerNormalization(center=False)", () -> new LayerNormalization(-1, 1e-3, false, true), Shape.of(5), 2));
        c.add(new Case("LayerNormalization(scale=False)", () -> new LayerNormalization(-1, 1e-3, true, false), Shape.of(3, 4), 2));
        c.add(new Case("LayerNormalization(center=False, scale=False)", () -> new LayerNormalization(-1, 1e-5, false, false),
                Shape.of(7), 2));
        return c.stream().map(Arguments::of);
    }

    /**
     * A harness whose weights are sensible for normalisation: gamma around 1, beta around 0,
     * moving means around 0 and moving variances in [0.5, 2] (the harness's generic filling would
     * give a negative variance).
     */
    static LayerHarness harness(Case c, Backend b, int batch, long seed) {
        LayerHarness h = new LayerHarness(c.layer().get(), c.input(), batch, b, seed);
        SplittableRandom rng = new SplittableRandom(seed + 1);
        List<String> names = h.layer.weightNames();
        for (int i = 0; i < names.size(); i++) {
            switch (names.get(i)) {
                case "gamma" -> LayerHarness.fill(h.weights.get(i), rng, 0.5, 1.5);
                case "beta", "moving_mean" -> LayerHarness.fill(h.weights.get(i), rng, -0.5, 0.5);
                case "moving_variance" -> LayerHarness.fill(h.weights.get(i), rng, 0.5, 2);
                default -> throw new AssertionError(names.get(i));
            }
        }
        // Channels with different means and spreads, as after a Dense or Conv2D.
        int C = c.input().dim(c.input().rank() - 1);
        for (long i = 0; i < h.x.size(); i++) {
            int ch = (int) (i % C % 8); // small values: x + 1e-3 must be close to exact in float
            h.x.set(i, (float) (0.3 * ch - 0.5 + (1 + 0.5 * ch) * rng.nextDouble(-1, 1)));
        }
        return h;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void finiteDifferencesMatchBackward(Case c) {
        boolean[] modes = c.name().startsWith("Batch") ? new boolean[] {true, false} : new boolean[] {true};
        for (boolean training : modes) {
            try (LayerHarness h = harness(c, Backends.reference(), c.batch(), 17)) {
                h.training = training;
                String mode = training ? " training" : " inference";
                float[] dx = h.backward();
                check(c + mode + " dx", dx, h.numericGradient(h.x, h.x.size(), 1e-3));
                List<Boolean> trainable = h.layer.weightTrainable();
                for (int i = 0; i < h.weights.size(); i++) {
                    if (!trainable.get(i)) continue;
                    check(c + mode + " d" + h.layer.weightNames().get(i), h.grads.get(i).toArray(),
                            h.numericGradient(h.weights.get(i), h.weights.get(i).size(), 1e-3));
                }
            }
        }
    }

    static void check(String what, float[] analytic, float[] numeric) {
        double e = relativeError(analytic, numeric, 1e-3);
        System.out.printf("finite differences  %-80s max rel err %.2e%n", what, e);
        assertTrue(e < FD_TOL, what + ": analytic vs numeric relative error " + e);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void nativeEqualsReference(Case c) {
        for (int batch : new int[] {1, c.batch(), 9}) {
            try (LayerHarness ref = harness(c, Backends.reference(), batch, 23);
                    LayerHarness nat = harness(c, Backends.nativeBackend(), batch, 23)) {
                compareBoth(c + " b" + batch, nat, ref, batch);
            }
        }
    }

    /** Inference, then a training pass (moving statistics), its backward, and inference again. */
    static void compareBoth(String name, LayerHarness nat, LayerHarness ref, int batch) {
        int out = batch * (int) nat.layer.outputShape().size();
        compare(name + " inference", nat.layer.forward(nat.x, batch, false).toArray(),
                ref.layer.forward(ref.x, batch, false).toArray(), out);
        compare(name + " training forward", nat.layer.forward(nat.x, batch, true).toArray(),
                ref.layer.forward(ref.x, batch, true).toArray(), out);
        for (int i = 0; i < ref.weights.size(); i++) {
            compare(name + " " + ref.layer.weightNames().get(i) + " after a training pass", nat.weights.get(i).toArray(),
                    ref.weights.get(i).toArray(), Integer.MAX_VALUE);
        }
        compare(name + " dx", nat.backward(), ref.backward(), Integer.MAX_VALUE);
        List<Boolean> trainable = ref.layer.weightTrainable();
        for (int i = 0; i < ref.weights.size(); i++) {
            if (!trainable.get(i)) continue;
            compare(name + " d" + ref.layer.weightNames().get(i), nat.grads.get(i).toArray(), ref.grads.get(i).toArray(),
                    Integer.MAX_VALUE);
        }
        compare(name + " inference after training", nat.layer.forward(nat.x, batch, false).toArray(),
                ref.layer.forward(ref.x, batch, false).toArray(), out);
    }

    static void compare(String what, float[] nat, float[] ref, int used) {
        int n = Math.min(used, ref.length);
        double e = relativeError(java.util.Arrays.copyOf(nat, n), java.util.Arrays.copyOf(ref, n), 1e-6);
        worst = Math.max(worst, e);
        System.out.printf("native vs reference  %-80s max rel err %.2e%n", what, e);
        assertTrue(e <= NATIVE_TOL, what + ": native vs reference relative error " + e);
    }

    // A batch large enough to be split over three threads (uneven shards: 67 + 67 + 66 images, ...):
    // each shard's statistics and sums are combined in shard order, so the result is the whole
    // batch's, and the same bits every time.
    static Stream<Arguments> shardedCases() {
        return Stream.of(
                Arguments.of(new Case("BatchNormalization()", BatchNormalization::new, Shape.of(12, 12, 16), 200)),
                Arguments.of(new Case("BatchNormalization(center=False, scale=False)",
                        () -> new BatchNormalization(-1, 0.99, 1e-3, false, false), Shape.of(12, 12, 16), 200)),
                Arguments.of(new Case("LayerNormalization()", LayerNormalization::new, Shape.of(12, 12, 16), 200)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shardedCases")
    void shardedBatchesMatchTheReferenceAndRepeatBitForBit(Case c) {
        int before = NativeBackend.threads();
        NativeBackend.setThreads(3);
        try {
            int width = (int) c.input().size();
            assertEquals(3, Backends.nativeBackend().forEachShard(c.batch(), 8L * c.batch() * width, (s, from, to) -> {}),
                    "the layers' passes split into three shards");
            List<float[]> first = null;
            for (int run = 0; run < 2; run++) {
                try (LayerHarness ref = harness(c, Backends.reference(), c.batch(), 5);
                        LayerHarness nat = harness(c, Backends.nativeBackend(), c.batch(), 5)) {
                    compareBoth("sharded " + c + " run " + (run + 1), nat, ref, c.batch());
                    List<float[]> bits = new ArrayList<>();
                    bits.add(nat.layer.forward(nat.x, c.batch(), true).toArray());
                    bits.add(nat.backward());
                    for (Tensor t : nat.weights) bits.add(t.toArray());
                    for (Tensor t : nat.grads) bits.add(t.toArray());
                    if (first == null) first = bits;
                    else for (int i = 0; i < bits.size(); i++) assertArrayEquals(first.get(i), bits.get(i), 0f, "run 2, array " + i);
                }
            }
        } finally {
            NativeBackend.setThreads(before);
        }
    }

    /**
     * The statistics of a split batch are the whole batch's: with three shards the native mean
     * and variance match one pass over the batch in double (shards that normalised with their own
     * statistics would be off by far more than 1e-4 here, where the shards' means differ).
     */
    @Test
    void shardStatisticsCombineToTheBatchStatistics() {
        int before = NativeBackend.threads();
        NativeBackend.setThreads(3);
        Case c = new Case("BatchNormalization()", () -> new BatchNormalization(-1, 0, 1e-3, true, true),
                Shape.of(16, 16, 8), 200);
        try (LayerHarness h = harness(c, Backends.nativeBackend(), c.batch(), 3)) {
            // Later samples are shifted and spread more: each shard alone has other statistics.
            int width = (int) c.input().size();
            for (int n = 0; n < c.batch(); n++) {
                for (int i = 0; i < width; i++) h.x.set((long) n * width + i, h.x.get((long) n * width + i) * (1 + n / 40f) + n / 20f);
            }
            h.layer.forward(h.x, c.batch(), true); // momentum 0: the moving statistics become the batch's
            float[] mean = h.weights.get(2).toArray(), variance = h.weights.get(3).toArray();
            for (int ch = 0; ch < 8; ch++) {
                double s = 0, q = 0;
                long count = (long) c.batch() * 16 * 16;
                for (long r = 0; r < count; r++) s += h.x.get(r * 8 + ch);
                double m = s / count;
                for (long r = 0; r < count; r++) q += Math.pow(h.x.get(r * 8 + ch) - m, 2);
                assertEquals(m, mean[ch], 1e-5 * Math.max(1, Math.abs(m)), "mean of channel " + ch);
                assertEquals(q / count, variance[ch], 1e-5 * (q / count), "variance of channel " + ch);
            }
        } finally {
            NativeBackend.setThreads(before);
        }
    }

    @AfterAll
    static void report() {
        System.out.printf("NormalizationGradientCheckTest: largest native-vs-reference relative error %.3e%n", worst);
    }
}
