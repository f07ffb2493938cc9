package dev.sinew.backend;

import static dev.sinew.TestUtil.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sinew.backend.Cpu.Feature;
import dev.sinew.nativ.sinew_h;
import dev.sinew.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * libsinew's small GEMM (native/src/gemm_small.c) against ReferenceBackend's gemm, on both dispatch
 * paths (the AVX2 baseline and, where the CPU has it, AVX-512). Shapes: all four transpose
 * combinations; M, N or K of 1; tiles and panels cut short (rows no multiple of 6 or 8, columns
 * with an 8- or 16-wide tail, k past one 160-row packing chunk, 8x8 transpose blocks with edges);
 * the products of the W1 (50-row shards of 784-150-150-100-10) and W4 (20 rows of 2-150-150-100-1)
 * Dense layers; alpha != 1 and beta 0 (C full of NaN, which must not leak), 1 and -0.5.
 * Each element's error is measured against sum_k |a_ik b_kj| (times |alpha|, plus |beta c|), the
 * size rounding scales with, so K = 784 sums are held to the same 1e-5 as K = 2.
 */
class SmallGemmTest {
    static final double TOL = 1e-5;

    record Case(boolean transA, boolean transB, int M, int N, int K, float alpha, float beta) {
        @Override
        public String toString() {
            return (transA ? "T" : "N") + (transB ? "T" : "N") + " " + M + "x" + N + "x" + K + " alpha " + alpha
                    + " beta " + beta;
        }
    }

    static Stream<Case> cases() {
        int[][] shapes = {
            {1, 1, 1}, {1, 37, 1}, {29, 1, 3}, {1, 1, 200}, {5, 8, 1}, {6, 16, 8}, {8, 48, 16},
            {7, 33, 129}, {13, 17, 300}, {9, 48, 5}, {12, 24, 161}, {17, 65, 40}, {3, 200, 9},
            {20, 150, 2}, {20, 150, 150}, {20, 100, 150}, {20, 1, 100}, {2, 150, 20}, {150, 150, 20},
            {100, 1, 20}, {20, 100, 1},
            {50, 150, 784}, {50, 100, 150}, {50, 10, 100}, {784, 150, 50}, {100, 10, 50}, {50, 784, 150},
            {50, 150, 100}, {50, 100, 10}};
        float[][] alphaBeta = {{1f, 0f}, {-0.75f, 1f}, {2.5f, -0.5f}};
        List<Case> all = new ArrayList<>();
        for (int[] s : shapes)
            for (int t = 0; t < 4; t++)
                for (float[] ab : alphaBeta) all.add(new Case((t & 2) != 0, (t & 1) != 0, s[0], s[1], s[2], ab[0], ab[1]));
        return all.stream();
    }

    @AfterEach
    void restore() {
        Cpu.enable(EnumSet.allOf(Feature.class));
    }

    @ParameterizedTest(name = "AVX2 {0}")
    @MethodSource("cases")
    void baselineMatchesReference(Case c) {
        assumeTrue(Cpu.supported().contains(Feature.AVX2), "libsinew's small GEMM is for x86-64-v3");
        Cpu.enable(EnumSet.of(Feature.AVX2));
        check(c);
    }

    @ParameterizedTest(name = "AVX-512 {0}")
    @MethodSource("cases")
    void avx512MatchesReference(Case c) {
        assumeTrue(Cpu.supported().contains(Feature.AVX512), "this CPU has no AVX-512");
        Cpu.enable(EnumSet.of(Feature.AVX2, Feature.AVX512));
        check(c);
    }

    private static void check(Case c) {
        SplittableRandom rng = new SplittableRandom(c.M() * 31L + c.N() * 7L + c.K());
        float[] a = uniform(rng, c.M() * c.K(), -1, 1), b = uniform(rng, c.K() * c.N(), -1, 1);
        float[] c0 = uniform(rng, c.M() * c.N(), -1, 1);
        float[] expected = reference(c, a, b, c0);
        float[] got = small(c, a, b, c.beta() == 0f ? nans(c.M() * c.N()) : c0);
        float[] scale = scale(c, a, b, c0);
        for (int i = 0; i < got.length; i++) {
            double err = Math.abs(got[i] - expected[i]);
            int row = i / c.N(), col = i % c.N();
            assertTrue(err <= TOL * scale[i] + 1e-30, c + ": C[" + row + "][" + col + "] = " + got[i] + ", reference "
                    + expected[i] + " (|diff| " + err + " > " + TOL + " x " + scale[i] + ")");
        }
        // The same call again gives the same bits: the summation order is fixed.
        assertArrayEquals(got, small(c, a, b, c.beta() == 0f ? nans(c.M() * c.N()) : c0), c.toString());
    }

    @Test
    void denseLayerShapesOfW1AndW4RouteHereAndMatchTheReference() {
        assertTrue(SmallGemm.faster(false, true, 20, 150, 150) || !Cpu.supported().contains(Feature.AVX2));
        assertTrue(SmallGemm.faster(false, false, 50, 150, 784) || !Cpu.supported().contains(Feature.AVX2));
        // Through Backend.gemm as the layers call it: forward, kernel gradient, input gradient.
        for (Case c : List.of(new Case(false, false, 50, 150, 784, 1f, 0f), new Case(true, false, 784, 150, 50, 1f, 0f),
                new Case(false, true, 50, 784, 150, 1f, 0f), new Case(false, true, 20, 150, 150, 1f, 0f))) {
            SplittableRandom rng = new SplittableRandom(5);
            float[] a = uniform(rng, c.M() * c.K(), -1, 1), b = uniform(rng, c.K() * c.N(), -1, 1);
            float[] c0 = nans(c.M() * c.N());
            float[] expected = reference(c, a, b, c0);
            float[] scale = scale(c, a, b, c0);
            try (Tensor ta = Tensor.of(a, a.length); Tensor tb = Tensor.of(b, b.length); Tensor tc = Tensor.of(c0, c0.length)) {
                NativeBackend.get().gemm(c.transA(), c.transB(), c.M(), c.N(), c.K(), 1f, ta, tb, 0f, tc);
                float[] got = tc.toArray();
                for (int i = 0; i < got.length; i++) {
                    assertTrue(Math.abs(got[i] - expected[i]) <= TOL * scale[i], c + " at " + i + ": " + got[i] + " vs " + expected[i]);
                }
            }
        }
    }

    private static float[] small(Case c, float[] a, float[] b, float[] c0) {
        try (Tensor ta = Tensor.of(a, a.length); Tensor tb = Tensor.of(b, b.length); Tensor tc = Tensor.of(c0, c0.length)) {
            sinew_h.sinew_sgemm_small(c.transA() ? 1 : 0, c.transB() ? 1 : 0, c.M(), c.N(), c.K(), c.alpha(), ta.segment(),
                    c.transA() ? c.M() : c.K(), tb.segment(), c.transB() ? c.K() : c.N(), c.beta(), tc.segment(), c.N());
            return tc.toArray();
        }
    }

    private static float[] reference(Case c, float[] a, float[] b, float[] c0) {
        try (Tensor ta = Tensor.of(a, a.length); Tensor tb = Tensor.of(b, b.length); Tensor tc = Tensor.of(c0, c0.length)) {
            Backends.reference().gemm(c.transA(), c.transB(), c.M(), c.N(), c.K(), c.alpha(), ta, tb, c.beta(), tc);
            return tc.toArray();
        }
    }

    /** |alpha| sum_k |op(A)_ik op(B)_kj| + |beta c_ij|: the size of the terms rounding works on. */
    private static float[] scale(Case c, float[] a, float[] b, float[] c0) {
        float[] s = new float[c.M() * c.N()];
        for (int i = 0; i < c.M(); i++)
            for (int j = 0; j < c.N(); j++) {
                double sum = 0;
                for (int k = 0; k < c.K(); k++) {
                    float x = c.transA() ? a[k * c.M() + i] : a[i * c.K() + k];
                    float y = c.transB() ? b[j * c.K() + k] : b[k * c.N() + j];
                    sum += Math.abs((double) x * y);
                }
                double old = c.beta() == 0f ? 0 : Math.abs((double) c.beta() * c0[i * c.N() + j]);
                s[i * c.N() + j] = (float) (Math.abs(c.alpha()) * sum + old);
            }
        return s;
    }

    private static float[] nans(int n) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, Float.NaN);
        return x;
    }
}
