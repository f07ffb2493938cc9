package dev.sinew.backend;

import static dev.sinew.TestUtil.relativeError;
import static dev.sinew.TestUtil.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The direct convolution kernels (native/src/conv_direct.c and their Java twins) against the
 * other way to the same numbers: im2col, GEMM and col2im on the reference backend. Each native
 * result is checked against that independent computation, and so is each reference twin. Shapes
 * cover the residual CNN's (28x28x16 to 7x7x64), tiles cut short (pixel counts and channel runs
 * that are no multiple of 6, F with an 8-wide tail), kernel-gradient sums over several chunks of
 * rows, both paddings (an even kernel's "same" is lopsided), and a "valid" stride-2 window that
 * never reaches the last row and column (the frame crops them).
 */
class DirectConvolutionTest {
    static final double TOL = 1e-4;

    record Geometry(int N, int H, int W, int C, int K, int S, String padding, int F) {
        Window window() {
            return Window.of("test", H, W, C, K, K, S, S, padding);
        }

        @Override
        public String toString() {
            return N + "x" + H + "x" + W + "x" + C + " k" + K + " s" + S + " " + padding + " F" + F;
        }
    }

    static Stream<Arguments> geometries() {
        return Stream.of(
                new Geometry(3, 28, 28, 16, 3, 1, "same", 16),
                new Geometry(2, 14, 14, 32, 3, 1, "same", 32),
                new Geometry(2, 7, 7, 64, 3, 1, "same", 64),
                new Geometry(2, 28, 28, 16, 3, 2, "same", 32),
                new Geometry(2, 28, 28, 16, 1, 2, "same", 32),
                new Geometry(2, 28, 28, 1, 3, 1, "same", 16),
                new Geometry(2, 9, 11, 8, 4, 1, "same", 40),
                new Geometry(2, 10, 10, 3, 3, 2, "valid", 8),
                new Geometry(1, 5, 3, 8, 5, 1, "same", 24),
                new Geometry(2, 40, 30, 8, 3, 1, "valid", 8))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void forwardAndKernelGradientEqualIm2colGemm(Geometry c) {
        Window g = c.window();
        SplittableRandom rng = new SplittableRandom(7);
        long rows = (long) c.N() * g.positions();
        float[] x = uniform(rng, (int) (c.N() * g.inputSize()), -1, 1);
        float[] k = uniform(rng, g.patchSize() * c.F(), -1, 1);
        float[] dy = uniform(rng, (int) (rows * c.F()), -1, 1);

        // The independent way: y = im2col(x) K, dK = im2col(x)^T dy, on the reference backend.
        Backend ref = Backends.reference();
        float[] y0, dk0;
        try (Tensor xt = Tensor.of(x, x.length); Tensor kt = Tensor.of(k, k.length); Tensor dyt = Tensor.of(dy, dy.length);
                Tensor cols = Tensor.zeros((int) (rows * g.patchSize())); Tensor y = Tensor.zeros((int) (rows * c.F()));
                Tensor dk = Tensor.zeros(k.length)) {
            ref.im2col(cols, xt, c.N(), g);
            ref.gemm(false, false, (int) rows, c.F(), g.patchSize(), 1f, cols, kt, 0f, y);
            ref.gemm(true, false, g.patchSize(), c.F(), (int) rows, 1f, cols, dyt, 0f, dk);
            y0 = y.toArray();
            dk0 = dk.toArray();
        }
        for (Backend b : new Backend[] {Backends.nativeBackend(), Backends.reference()}) {
            try (Tensor xt = Tensor.of(x, x.length); Tensor kt = Tensor.of(k, k.length); Tensor dyt = Tensor.of(dy, dy.length);
                    Tensor xp = Tensor.zeros((int) (c.N() * g.framedSize())); Tensor y = Tensor.zeros((int) (rows * c.F()));
                    Tensor dk = Tensor.zeros(k.length)) {
                b.padWindows(xp, xt, c.N(), g);
                b.conv2d(y, xp, kt, c.N(), g, c.F());
                dk.copyFrom(uniform(rng, k.length, -9, 9)); // overwritten, not added to
                b.conv2dKernelGradient(dk, xp, dyt, c.N(), g, c.F());
                check(name(b) + " " + c + " y", y.toArray(), y0);
                check(name(b) + " " + c + " dK", dk.toArray(), dk0);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void inputGradientIsTheFlippedConvolutionOfTheFramedGradient(Geometry c) {
        if (c.S() != 1 || c.C() % 8 != 0) return; // Conv2D unfolds these instead
        Window g = c.window();
        SplittableRandom rng = new SplittableRandom(11);
        long rows = (long) c.N() * g.positions();
        float[] k = uniform(rng, g.patchSize() * c.F(), -1, 1);
        float[] dy = uniform(rng, (int) (rows * c.F()), -1, 1);

        float[] dx0; // col2im(dy K^T), on the reference backend
        Backend ref = Backends.reference();
        try (Tensor kt = Tensor.of(k, k.length); Tensor dyt = Tensor.of(dy, dy.length);
                Tensor cols = Tensor.zeros((int) (rows * g.patchSize())); Tensor dx = Tensor.zeros((int) (c.N() * g.inputSize()))) {
            ref.gemm(false, true, (int) rows, g.patchSize(), c.F(), 1f, dyt, kt, 0f, cols);
            ref.col2im(dx, cols, c.N(), g);
            dx0 = dx.toArray();
        }
        Window t = g.transposed(c.F());
        for (Backend b : new Backend[] {Backends.nativeBackend(), Backends.reference()}) {
            try (Tensor kt = Tensor.of(k, k.length); Tensor dyt = Tensor.of(dy, dy.length); Tensor flipped = Tensor.zeros(k.length);
                    Tensor dyp = Tensor.zeros((int) (c.N() * t.framedSize())); Tensor dx = Tensor.zeros((int) (c.N() * g.inputSize()))) {
                b.flipKernel(flipped, kt, c.K(), c.K(), c.C(), c.F());
                b.padWindows(dyp, dyt, c.N(), t);
                b.conv2d(dx, dyp, flipped, c.N(), t, c.C());
                check(name(b) + " " + c + " dx", dx.toArray(), dx0);
            }
        }
    }

    /**
     * The native kernels skip the products of the frame's zero rows (and the forward its zero
     * columns). On finite data whose products do not underflow that must give the full sum's bits,
     * not merely close values (see conv_direct.c for the sign of an underflowed zero and for NaN
     * weights): the same kernel told that every framed row and column holds data is the full sum. The forward and kernel gradient over
     * forward frames, and the input gradient's deeper ones (KH - 1 rows of zeros above and below).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void skippingTheFramesZerosKeepsTheFullSumsBits(Geometry c) {
        Window g = c.window();
        SplittableRandom rng = new SplittableRandom(13);
        long rows = (long) c.N() * g.positions();
        float[] x = uniform(rng, (int) (c.N() * g.inputSize()), -1, 1);
        float[] k = uniform(rng, g.patchSize() * c.F(), -1, 1);
        assertSameBitsAsTheFullSum(c + " forward", g, c.N(), c.F(), x, k, rows * c.F());
        if (c.S() == 1 && c.C() % 8 == 0) {
            Window t = g.transposed(c.F());
            float[] dy = uniform(rng, (int) (rows * c.F()), -1, 1);
            float[] kt = uniform(rng, t.patchSize() * c.C(), -1, 1);
            assertSameBitsAsTheFullSum(c + " input gradient", t, c.N(), c.C(), dy, kt, (long) c.N() * t.positions() * c.C());
        }
    }

    private static void assertSameBitsAsTheFullSum(String what, Window g, int N, int F, float[] x, float[] k, long outputs) {
        Backend nb = Backends.nativeBackend();
        float[] dy = uniform(new SplittableRandom(17), (int) outputs, -1, 1);
        try (Tensor xt = Tensor.of(x, x.length); Tensor kt = Tensor.of(k, k.length); Tensor xp = Tensor.zeros((int) (N * g.framedSize()));
                Tensor y = Tensor.zeros((int) outputs); Tensor full = Tensor.zeros((int) outputs); Tensor dyt = Tensor.of(dy, dy.length);
                Tensor dk = Tensor.zeros(k.length); Tensor dkFull = Tensor.zeros(k.length)) {
            nb.padWindows(xp, xt, N, g);
            nb.conv2d(y, xp, kt, N, g, F);
            dev.sinew.nativ.sinew_h.sinew_conv2d(full.segment(), xp.segment(), kt.segment(), N, g.framedH(), g.framedW(), g.C(),
                    g.KH(), g.KW(), g.SH(), g.SW(), g.OH(), g.OW(), F, 0, g.framedH(), 0, g.framedW());
            sameBits(what + " output", y.toArray(), full.toArray());
            nb.conv2dKernelGradient(dk, xp, dyt, N, g, F);
            dev.sinew.nativ.sinew_h.sinew_conv2d_kernel_gradient(dkFull.segment(), xp.segment(), dyt.segment(), N, g.framedH(),
                    g.framedW(), g.C(), g.KH(), g.KW(), g.SH(), g.SW(), g.OH(), g.OW(), F, 0, g.framedH());
            sameBits(what + " kernel gradient", dk.toArray(), dkFull.toArray());
        }
    }

    private static void sameBits(String what, float[] skipped, float[] full) {
        for (int i = 0; i < full.length; i++) {
            if (Float.floatToRawIntBits(skipped[i]) != Float.floatToRawIntBits(full[i])) {
                throw new AssertionError(what + " " + i + " is " + skipped[i] + " with the frame skipped, " + full[i] + " without");
            }
        }
    }

    static String name(Backend b) {
        return b.getClass().getSimpleName();
    }

    static void check(String what, float[] got, float[] want) {
        double e = relativeError(got, want, 1e-3);
        System.out.printf("direct convolution  %-60s max rel err %.2e%n", what, e);
        assertTrue(e < TOL, what + ": relative error " + e);
    }

    @Test
    void theFlippedKernelTurnsEachTapAndTransposesIt() {
        float[] k = new float[2 * 3 * 2 * 8];
        for (int i = 0; i < k.length; i++) k[i] = i;
        for (Backend b : new Backend[] {Backends.nativeBackend(), Backends.reference()}) {
            try (Tensor kt = Tensor.of(k, k.length); Tensor flipped = Tensor.zeros(k.length)) {
                b.flipKernel(flipped, kt, 2, 3, 2, 8);
                float[] f = flipped.toArray();
                for (int kh = 0; kh < 2; kh++)
                    for (int kw = 0; kw < 3; kw++)
                        for (int ci = 0; ci < 2; ci++)
                            for (int co = 0; co < 8; co++) {
                                float want = k[((kh * 3 + kw) * 2 + ci) * 8 + co];
                                float got = f[(((1 - kh) * 3 + (2 - kw)) * 8 + co) * 2 + ci];
                                assertTrue(want == got, name(b) + ": tap " + kh + "," + kw + " c" + ci + " f" + co);
                            }
            }
        }
    }

    @Test
    void theFramePadsAndCrops() {
        // 3x4 image, 1 channel, kernel 2 "same" stride 1: padding 0 top/left, 1 bottom/right.
        Window same = Window.of("t", 3, 4, 1, 2, 2, 1, 1, "same");
        // 5x5, kernel 2 "valid" stride 2: windows reach rows/columns 0-3 only.
        Window crop = Window.of("t", 5, 5, 1, 2, 2, 2, 2, "valid");
        for (Backend b : new Backend[] {Backends.nativeBackend(), Backends.reference()}) {
            try (Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 12); Tensor xp = Tensor.zeros(20)) {
                b.padWindows(xp, x, 1, same);
                assertArrayEquals(new float[] {1, 2, 3, 4, 0, 5, 6, 7, 8, 0, 9, 10, 11, 12, 0, 0, 0, 0, 0, 0}, xp.toArray(), name(b));
            }
            float[] x25 = new float[25];
            for (int i = 0; i < 25; i++) x25[i] = i;
            try (Tensor x = Tensor.of(x25, 25); Tensor xp = Tensor.zeros(16)) {
                b.padWindows(xp, x, 1, crop);
                assertArrayEquals(new float[] {0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18}, xp.toArray(), name(b));
            }
        }
    }

    @Test
    void badArgumentsAreRefusedInJava() {
        Window g = Window.of("t", 6, 6, 8, 3, 3, 1, 1, "same");
        for (Backend b : new Backend[] {Backends.nativeBackend(), Backends.reference()}) {
            try (Tensor xp = Tensor.zeros((int) g.framedSize()); Tensor k = Tensor.zeros(g.patchSize() * 12);
                    Tensor y = Tensor.zeros(g.positions() * 12); Tensor small = Tensor.zeros(10)) {
                var e = assertThrows(IllegalArgumentException.class, () -> b.conv2d(y, xp, k, 1, g, 12));
                assertTrue(e.getMessage().contains("multiple of 8"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> b.conv2d(y, small, k, 1, g, 8));
                assertThrows(IllegalArgumentException.class, () -> b.conv2d(y, xp, k, 2, g, 8)); // two images in one
                assertThrows(IllegalArgumentException.class, () -> b.conv2dKernelGradient(small, xp, y, 1, g, 8));
                assertThrows(IllegalArgumentException.class, () -> b.padWindows(small, xp, 1, g));
                assertThrows(IllegalArgumentException.class, () -> b.flipKernel(small, k, 3, 3, 8, 8));
            }
        }
        assertThrows(IllegalStateException.class, () -> Window.of("t", 6, 6, 8, 3, 3, 2, 2, "same").transposed(8));
        // A hand-made window whose frame passes the int range (a stride of 2^30 over 3 outputs):
        // refused in Java before any tensor is looked at.
        Window wide = new Window(4, 4, 8, 2, 2, 1, 1 << 30, 0, 0, 3, 3);
        try (Tensor t = Tensor.zeros(8)) {
            var e = assertThrows(IllegalArgumentException.class, () -> Backends.nativeBackend().conv2d(t, t, t, 1, wide, 8));
            assertTrue(e.getMessage().contains("window frame"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Backends.nativeBackend().padWindows(t, t, 1, wide));
        }
    }
}
