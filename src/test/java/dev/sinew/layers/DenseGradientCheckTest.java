package dev.sinew.layers;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backends;
import dev.sinew.backend.Cpu;
import dev.sinew.tensor.Shape;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Central finite differences against Dense's analytic backward pass, on the reference backend,
 * for every activation: dL/dx, dL/dkernel and dL/dbias; and, at the W4 and W1 shapes whose products
 * the native backend sends to libsinew's small GEMM (see SmallGemm), native = reference and finite
 * differences on the native backend, on each of the CPU's dispatch paths.
 */
class DenseGradientCheckTest {
    // Float32 storage limits how small a step can be; 1e-3 keeps the round-off (~1e-7 / 1e-3)
    // and the truncation error (~1e-6) well below the tolerance, and rarely straddles a relu kink.
    static final double EPS = 1e-3;
    static final double TOL = 1e-2;

    @ParameterizedTest(name = "Dense with {0}")
    @EnumSource(Activation.class)
    void finiteDifferencesMatchBackward(Activation act) {
        try (LayerHarness h = new LayerHarness(new Dense(5, act), Shape.of(4), 3, Backends.reference(), 11)) {
            float[] dx = h.backward();
            float[] dKernel = h.grads.get(0).toArray(), dBias = h.grads.get(1).toArray();
            check(act + " dx", dx, h.numericGradient(h.x, h.x.size(), EPS));
            check(act + " dkernel", dKernel, h.numericGradient(h.weights.get(0), 20, EPS));
            check(act + " dbias", dBias, h.numericGradient(h.weights.get(1), 5, EPS));
        }
    }

    @Test
    void smallGemmShapesMatchReferenceAndFiniteDifferencesOnEveryDispatchPath() {
        Set<Cpu.Feature> cpu = Cpu.supported();
        try {
            for (Set<Cpu.Feature> path : cpu.contains(Cpu.Feature.AVX512)
                    ? java.util.List.of(EnumSet.of(Cpu.Feature.AVX2), EnumSet.allOf(Cpu.Feature.class))
                    : java.util.List.of(EnumSet.allOf(Cpu.Feature.class))) {
                Cpu.enable(path);
                // W4's 150 -> 150 layer at batch 20 (input gradient 20x150 . (150x150)^T), and W1's
                // 784 -> 150 at batch 100 (two shards of 50 rows on two threads: 50x150x784,
                // 784x150 over 50, 50x784x150).
                for (int[] s : new int[][] {{150, 150, 20}, {784, 150, 100}}) {
                    String what = "Dense " + s[0] + "->" + s[1] + " batch " + s[2] + " " + path;
                    try (LayerHarness ref = new LayerHarness(new Dense(s[1], Activation.TANH), Shape.of(s[0]), s[2],
                                    Backends.reference(), 13);
                            LayerHarness nat = new LayerHarness(new Dense(s[1], Activation.TANH), Shape.of(s[0]), s[2],
                                    Backends.nativeBackend(), 13)) {
                        same(what + " dx", nat.backward(), ref.backward());
                        same(what + " dkernel", nat.grads.get(0).toArray(), ref.grads.get(0).toArray());
                        same(what + " dbias", nat.grads.get(1).toArray(), ref.grads.get(1).toArray());
                        check(what + " native dx", nat.backward(), nat.numericGradient(nat.x, 40, EPS));
                        check(what + " native dkernel", nat.grads.get(0).toArray(),
                                nat.numericGradient(nat.weights.get(0), 40, EPS));
                    }
                }
            }
        } finally {
            Cpu.enable(EnumSet.allOf(Cpu.Feature.class));
        }
    }

    static void same(String what, float[] nat, float[] ref) {
        double e = relativeError(nat, ref, 1e-6);
        System.out.printf("native vs reference  %-50s max rel err %.2e%n", what, e);
        assertTrue(e < 1e-4, what + ": native vs reference relative error " + e);
    }

    static void check(String what, float[] analytic, float[] numeric) {
        double e = relativeError(java.util.Arrays.copyOf(analytic, numeric.length), numeric, 1e-3);
        System.out.printf("finite differences  Dense %-18s max rel err %.2e%n", what, e);
        assertTrue(e < TOL, what + ": analytic vs numeric relative error " + e);
    }
}
