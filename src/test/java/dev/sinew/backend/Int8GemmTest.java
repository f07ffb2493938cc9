package dev.sinew.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Cpu.Feature;
import dev.sinew.layers.Int8Kernel;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The int8 kernels (gemm_int8.c) against their Java twins, on both dispatch paths (AVX2, and
 * AVX-512 VNNI where the CPU has it): quantized rows byte for byte, the int32 sums exactly (with
 * unit scales the output is the sum), and the scaled output bit for bit.
 */
class Int8GemmTest {
    final Backend nat = Backends.nativeBackend();
    final Backend ref = Backends.reference();
    final Workspace ws = new Workspace();

    @AfterEach
    void restore() {
        Cpu.enable(EnumSet.allOf(Feature.class));
        ws.close();
    }

    /** Both dispatch paths: the baseline, then everything the CPU has (the same when it lacks VNNI). */
    static List<Set<Feature>> paths() {
        return List.of(EnumSet.of(Feature.AVX2), EnumSet.allOf(Feature.class));
    }

    Tensor floats(float[] v) {
        Tensor t = ws.allocate(Shape.of(Math.max(1, v.length)));
        t.copyFrom(v);
        return t;
    }

    Tensor bytes(long n) {
        Tensor t = ws.allocate(Shape.of((int) Math.max(1, (n + 3) / 4)));
        t.segment().fill((byte) 0x55); // garbage: the kernels must write every byte they later read
        return t;
    }

    /** Quantizes x (M, K) on {@code b}; returns {xq, xscale}. */
    Tensor[] quantizeRows(Backend b, float[] x, int M, int K) {
        Tensor xq = bytes((long) M * Backend.int8RowBytes(K)), xs = floats(new float[M]);
        b.int8QuantizeRows(xq, xs, floats(x), M, K);
        return new Tensor[] {xq, xs};
    }

    float[] gemm(Backend b, Tensor xq, Tensor xs, Int8Kernel w, Tensor wscale, int M) {
        Tensor y = floats(new float[M * w.units()]);
        b.int8Gemm(y, xq, xs, w.wq(), wscale, w.colsum(), M, w.units(), w.in());
        return java.util.Arrays.copyOf(y.toArray(), M * w.units());
    }

    /** x . wq as plain long sums over the logical int8 values. */
    static float[] sums(Tensor xq, Int8Kernel w, int M) {
        int K = w.in(), N = w.units(), kp = Backend.int8RowBytes(K);
        float[] s = new float[M * N];
        for (int m = 0; m < M; m++)
            for (int n = 0; n < N; n++) {
                long sum = 0;
                for (int k = 0; k < K; k++) sum += (long) xq.segment().get(ValueLayout.JAVA_BYTE, (long) m * kp + k) * w.at(k, n);
                s[m * N + n] = sum;
            }
        return s;
    }

    void agree(float[] x, float[] kernel, int M, int N, int K, String what) {
        agree(x, kernel, M, N, K, what, true);
    }

    void agree(float[] x, float[] kernel, int M, int N, int K, String what, boolean finite) {
        Int8Kernel w = Int8Kernel.quantize(kernel, K, N, ws);
        Tensor ones = floats(filled(Math.max(M, N), 1f));
        Tensor[] r = quantizeRows(ref, x, M, K);
        float[] refY = gemm(ref, r[0], r[1], w, w.scale(), M);
        float[] refSums = gemm(ref, r[0], ones, w, ones, M);
        assertArrayEquals(sums(r[0], w, M), refSums, what + ": reference sums");
        if (finite) for (float v : refY) assertTrue(Float.isFinite(v), what + ": non-finite reference output " + v);
        for (Set<Feature> path : paths()) {
            String at = what + " on " + Cpu.enable(path);
            Tensor[] q = quantizeRows(nat, x, M, K);
            long rowBytes = (long) M * Backend.int8RowBytes(K);
            for (long i = 0; i < rowBytes; i++) {
                assertEquals(r[0].segment().get(ValueLayout.JAVA_BYTE, i), q[0].segment().get(ValueLayout.JAVA_BYTE, i),
                        at + ": quantized input byte " + i);
            }
            assertArrayEquals(java.util.Arrays.copyOf(r[1].toArray(), M), java.util.Arrays.copyOf(q[1].toArray(), M), at + ": scales");
            assertArrayEquals(refSums, gemm(nat, q[0], ones, w, ones, M), at + ": int32 sums");
            assertArrayEquals(refY, gemm(nat, q[0], q[1], w, w.scale(), M), at + ": output");
        }
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static float[] gaussian(int n, SplittableRandom rng, double sd) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble(-1, 1) * sd + (rng.nextInt(8) == 0 ? rng.nextDouble(-3, 3) : 0));
        return a;
    }

    @Test
    void nativeAgreesWithReferenceOverShapesWithTails() {
        // M: 1 and around the 4-row (VNNI) and 2-row (AVX2) tiles; N: tails of the 16-unit blocks and
        // of the 4-block tile; K: not multiples of 4, 16 or 64.
        int[][] shapes = {{1, 1, 1}, {1, 10, 784}, {3, 17, 5}, {5, 33, 63}, {4, 64, 64}, {9, 65, 130}, {2, 129, 67},
                {7, 80, 3}, {13, 150, 784}, {6, 100, 150}, {11, 16, 4}, {1, 255, 257}};
        SplittableRandom rng = new SplittableRandom(14);
        for (int[] s : shapes) {
            int M = s[0], N = s[1], K = s[2];
            agree(gaussian(M * K, rng, 2), gaussian(K * N, rng, 0.1), M, N, K, "M=" + M + " N=" + N + " K=" + K);
        }
    }

    @Test
    void zeroRowsAndZeroUnitsGiveZerosNotNaN() {
        int M = 5, N = 20, K = 9;
        SplittableRandom rng = new SplittableRandom(3);
        float[] x = gaussian(M * K, rng, 1), w = gaussian(K * N, rng, 1);
        for (int k = 0; k < K; k++) x[2 * K + k] = 0f;  // row 2 all zeros
        for (int k = 0; k < K; k++) w[k * N + 7] = 0f;  // unit 7 all zeros
        agree(x, w, M, N, K, "zeros");
        Int8Kernel q = Int8Kernel.quantize(w, K, N, ws);
        Tensor[] r = quantizeRows(nat, x, M, K);
        float[] y = gemm(nat, r[0], r[1], q, q.scale(), M);
        for (int n = 0; n < N; n++) assertEquals(0f, y[2 * N + n], "zero row, unit " + n);
        for (int m = 0; m < M; m++) assertEquals(0f, y[m * N + 7], "zero unit, row " + m);
    }

    @Test
    void fullScaleProductsDoNotSaturate() {
        // Every x and w quantizes to ±127 with matching signs: each product is +16129, each pair
        // 32258 (an int16 pair sum that must not saturate), each sum K * 16129.
        int M = 5, N = 18, K = 131;
        float[] x = new float[M * K], w = new float[K * N];
        for (int i = 0; i < x.length; i++) x[i] = (i % K) % 3 == 0 ? -2f : 2f;
        for (int k = 0; k < K; k++) for (int n = 0; n < N; n++) w[k * N + n] = k % 3 == 0 ? -0.5f : 0.5f;
        agree(x, w, M, N, K, "full scale");
        Int8Kernel q = Int8Kernel.quantize(w, K, N, ws);
        Tensor ones = floats(filled(N, 1f));
        for (Set<Feature> path : paths()) {
            Cpu.enable(path);
            Tensor[] r = quantizeRows(nat, x, M, K);
            for (float v : gemm(nat, r[0], ones, q, ones, M)) assertEquals(K * 16129f, v, path.toString());
        }
    }

    @Test
    void extremeValuesAgree() {
        int M = 6, N = 19, K = 21;
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = gaussian(M * K, rng, 1), w = gaussian(K * N, rng, 1);
        float[] specials = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL, -Float.MIN_VALUE, 1e30f, -1e-30f, 0.5f, -0.5f};
        for (int i = 0; i < K; i++) x[i] = specials[i % specials.length];               // row 0: extremes
        for (int i = 0; i < K; i++) x[K + i] = i == 3 ? 1e20f : 1e-20f;                    // row 1: one huge
        // Row 2: max 127 makes the scale 127 / (127 + 1e-7) = 1 in float, so x * scale = -9.5, -8.5, ...:
        // exact halves, where round-half-to-even (Keras's ops.round) and half-away-from-zero differ.
        for (int i = 0; i < K; i++) x[2 * K + i] = i == K - 1 ? 127f : i - 9.5f;
        for (int k = 0; k < K; k++) w[k * N] = specials[k % specials.length];              // unit 0: extremes
        // Row 0 against unit 0: both scales ~4e-37, their product underflows to 0 and the output is
        // inf or NaN, in Keras too (it divides by the product); native and reference must still agree.
        agree(x, w, M, N, K, "extremes", false);
    }

    @Test
    void handComputedTinyCase() {
        // Keras's Dense test case: kernel [[1, -2], [3, -4]], input [[-1, 2]]; x W = [5, -6].
        // Unit scales: 127 / 3 (3 + 1e-7 rounds to 3 in float) and 127 / 4 = 31.75, so unit 0 is
        // [round(42.33), round(127)] = [42, 127] and unit 1 [round(-63.5), round(-127)] = [-64, -127]
        // (half to even). Input scale 127 / 2 = 63.5: x = [round(-63.5), 127] = [-64, 127].
        // Sums: -64 * 42 + 127 * 127 = 13441; -64 * -64 + 127 * -127 = -12033.
        Int8Kernel w = Int8Kernel.quantize(new float[] {1, -2, 3, -4}, 2, 2, ws);
        assertEquals(42, w.at(0, 0));
        assertEquals(127, w.at(1, 0));
        assertEquals(-64, w.at(0, 1));
        assertEquals(-127, w.at(1, 1));
        for (Set<Feature> path : paths()) {
            Cpu.enable(path);
            for (Backend b : List.of(nat, ref)) {
                Tensor[] q = quantizeRows(b, new float[] {-1, 2}, 1, 2);
                assertEquals(-64, q[0].segment().get(ValueLayout.JAVA_BYTE, 0));
                assertEquals(127, q[0].segment().get(ValueLayout.JAVA_BYTE, 1));
                assertEquals(0, q[0].segment().get(ValueLayout.JAVA_BYTE, 2), "padding");
                assertEquals(63.5f, q[1].get(0));
                Tensor ones = floats(new float[] {1, 1});
                assertArrayEquals(new float[] {13441, -12033}, gemm(b, q[0], ones, w, ones, 1), b + " " + path);
                float[] y = gemm(b, q[0], q[1], w, w.scale(), 1);
                assertEquals(13441f / (127f / 3f * 63.5f), y[0], 0f);
                assertEquals(-12033f / (31.75f * 63.5f), y[1], 0f);
                assertEquals(5f, y[0], 1e-3);   // ~5.0001
                assertEquals(-6f, y[1], 0.05);  // ~-5.968: the rounding of -63.5 costs 0.5%
            }
        }
    }

    @Test
    void sizesAreCheckedBeforeNativeCode() {
        Int8Kernel w = Int8Kernel.quantize(new float[] {1, 2, 3, 4, 5, 6}, 3, 2, ws);
        Tensor xq = bytes(4), xs = floats(new float[1]), y = floats(new float[2]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> nat.int8Gemm(y, xq, xs, w.wq(), w.scale(), w.colsum(), 2, 2, 3));
        assertTrue(e.getMessage().contains("int8Gemm"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> nat.int8QuantizeRows(xq, xs, floats(new float[3]), 1, Backend.INT8_MAX_K + 1));
        assertTrue(e.getMessage().contains("at most " + Backend.INT8_MAX_K), e.getMessage());
    }
}
