package dev.sinew.layers;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backends;
import dev.sinew.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conv2D, MaxPooling2D, AveragePooling2D and Flatten: (1) central finite differences against the
 * analytic backward pass on the reference backend; (2) the native backend equal to the reference
 * on the output, dx and every weight gradient (max relative error printed, at most 1e-4).
 * Strides 1 and 2, both paddings, 1 and 3 channels, odd image sizes, kernel sizes 1, 3 and 5;
 * Conv2D on both of its paths (im2col + GEMM for 2-4 filters, direct for multiples of 8).
 */
class ConvPoolGradientCheckTest {
    static final double FD_TOL = 1e-2, NATIVE_TOL = 1e-4;
    static double worst;

    record Case(String name, Supplier<Layer> layer, Shape input) {
        @Override
        public String toString() {
            return name + " on " + input;
        }
    }

    static Stream<Arguments> cases() {
        List<Case> c = new ArrayList<>();
        for (int k : new int[] {1, 3, 5}) {
            for (int s : new int[] {1, 2}) {
                for (String pad : new String[] {"valid", "same"}) {
                    for (int ch : new int[] {1, 3}) {
                        Activation act = k == 3 ? Activation.TANH : Activation.LINEAR;
                        c.add(new Case("Conv2D(2, " + k + ", stride " + s + ", " + pad + ", " + act + ")",
                                () -> new Conv2D(2, k, k, s, s, pad, act), Shape.of(7, 5, ch)));
                    }
                }
            }
        }
        c.add(new Case("Conv2D(4, 3x2, strides 2x1, same, relu)", () -> new Conv2D(4, 3, 2, 2, 1, "same", Activation.RELU),
                Shape.of(9, 6, 2)));
        // activations whose backward reads the kept pre-activation z, and one parameterised one
        for (Activation act : new Activation[] {Activation.GELU, Activation.MISH, Activation.ELU}) {
            c.add(new Case("Conv2D(3, 3x3, same, " + act + ")", () -> new Conv2D(3, 3, 3, 1, 1, "same", act),
                    Shape.of(5, 4, 2)));
        }
        // The direct path (filters a multiple of 8): 8 filters (one vector) and 24 (a tile of two
        // and one of one); strides 1 and 2 (whose input gradient is unfolded); 3 channels (input
        // gradient unfolded) and 8 (direct); image sizes whose pixel count is no multiple of the
        // 6-pixel tile.
        for (int k : new int[] {1, 3}) {
            for (int s : new int[] {1, 2}) {
                for (String pad : new String[] {"valid", "same"}) {
                    for (int ch : new int[] {3, 8}) {
                        Activation act = k == 3 ? Activation.TANH : Activation.LINEAR;
                        c.add(new Case("direct Conv2D(8, " + k + ", stride " + s + ", " + pad + ", " + act + ")",
                                () -> new Conv2D(8, k, k, s, s, pad, act), Shape.of(7, 5, ch)));
                    }
                }
            }
        }
        c.add(new Case("direct Conv2D(24, 3x2, same, elu)", () -> new Conv2D(24, 3, 2, 1, 1, "same", Activation.ELU),
                Shape.of(5, 4, 8)));
        // Windows the frame handles unevenly: strides beyond the kernel (frame rows and columns
        // cropped), an even kernel's lopsided "same" padding with a direct input gradient (the
        // transposed window pads 1 before, 0 after), a kernel larger than its image.
        c.add(new Case("direct Conv2D(8, 2x1, strides 3, same, tanh)", () -> new Conv2D(8, 2, 1, 3, 3, "same", Activation.TANH),
                Shape.of(7, 5, 8)));
        c.add(new Case("direct Conv2D(8, 2x3, same, tanh) over 8 channels", () -> new Conv2D(8, 2, 3, 1, 1, "same", Activation.TANH),
                Shape.of(4, 5, 8)));
        c.add(new Case("direct Conv2D(8, 5x4, same, tanh) over a 2x3 image", () -> new Conv2D(8, 5, 4, 1, 1, "same", Activation.TANH),
                Shape.of(2, 3, 8)));
        c.add(new Case("direct Conv2D(16, 5, strides 2x1, valid, gelu)", () -> new Conv2D(16, 5, 5, 2, 1, "valid", Activation.GELU),
                Shape.of(8, 6, 1)));
        for (int p : new int[] {2, 3}) {
            for (String pad : new String[] {"valid", "same"}) {
                for (int s : new int[] {1, 2}) {
                    c.add(new Case("MaxPooling2D(" + p + ", " + s + ", " + pad + ")", () -> new MaxPooling2D(p, s, pad), Shape.of(7, 5, 3)));
                    c.add(new Case("AveragePooling2D(" + p + ", " + s + ", " + pad + ")", () -> new AveragePooling2D(p, s, pad),
                            Shape.of(7, 5, 3)));
                }
            }
        }
        c.add(new Case("Flatten", Flatten::new, Shape.of(3, 5, 2)));
        return c.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void finiteDifferencesMatchBackward(Case c) {
        try (LayerHarness h = new LayerHarness(c.layer().get(), c.input(), 2, Backends.reference(), 17)) {
            float[] dx = h.backward();
            check(c + " dx", dx, h.numericGradient(h.x, h.x.size(), 1e-3));
            for (int i = 0; i < h.weights.size(); i++) {
                check(c + " d" + h.layer.weightNames().get(i), h.grads.get(i).toArray(),
                        h.numericGradient(h.weights.get(i), h.weights.get(i).size(), 1e-3));
            }
        }
    }

    static void check(String what, float[] analytic, float[] numeric) {
        double e = relativeError(analytic, numeric, 1e-3);
        System.out.printf("finite differences  %-70s max rel err %.2e%n", what, e);
        assertTrue(e < FD_TOL, what + ": analytic vs numeric relative error " + e);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void nativeEqualsReference(Case c) {
        for (int batch : new int[] {1, 3}) {
            try (LayerHarness ref = new LayerHarness(c.layer().get(), c.input(), batch, Backends.reference(), 23);
                    LayerHarness nat = new LayerHarness(c.layer().get(), c.input(), batch, Backends.nativeBackend(), 23)) {
                compare(c + " b" + batch + " forward", nat.layer.forward(nat.x, batch, true).toArray(),
                        ref.layer.forward(ref.x, batch, true).toArray(), batch * (int) nat.layer.outputShape().size());
                compare(c + " b" + batch + " dx", nat.backward(), ref.backward(), Integer.MAX_VALUE);
                for (int i = 0; i < ref.weights.size(); i++) {
                    compare(c + " b" + batch + " d" + ref.layer.weightNames().get(i), nat.grads.get(i).toArray(),
                            ref.grads.get(i).toArray(), Integer.MAX_VALUE);
                }
            }
        }
    }

    static void compare(String what, float[] nat, float[] ref, int used) {
        int n = Math.min(used, ref.length);
        double e = relativeError(java.util.Arrays.copyOf(nat, n), java.util.Arrays.copyOf(ref, n), 1e-6);
        worst = Math.max(worst, e);
        System.out.printf("native vs reference  %-70s max rel err %.2e%n", what, e);
        assertTrue(e <= NATIVE_TOL, what + ": native vs reference relative error " + e);
    }

    @AfterAll
    static void report() {
        System.out.printf("ConvPoolGradientCheckTest: largest native-vs-reference relative error %.3e%n", worst);
    }
}
