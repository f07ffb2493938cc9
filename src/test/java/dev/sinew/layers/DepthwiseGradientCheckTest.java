package dev.sinew.layers;

import static dev.sinew.layers.ConvPoolGradientCheckTest.check;
import static dev.sinew.layers.ConvPoolGradientCheckTest.compare;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backends;
import dev.sinew.layers.ConvPoolGradientCheckTest.Case;
import dev.sinew.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DepthwiseConv2D and SeparableConv2D, as {@link ConvPoolGradientCheckTest} does Conv2D: (1)
 * central finite differences against the analytic backward pass on the reference backend, for the
 * input, every kernel and the bias; (2) the native backend equal to the reference on the output,
 * dx and every weight gradient, batches 1 and 3 (max relative error printed, at most 1e-4).
 * Strides 1 and 2, "valid" and "same", depth multipliers 1 and 2, 3 and 8 channels on an odd 7x5
 * image; multipliers 3 to 5; a rectangular window with unequal strides; no bias; activations
 * whose backward reads the pre-activation.
 */
class DepthwiseGradientCheckTest {

    static Stream<Arguments> cases() {
        List<Case> c = new ArrayList<>();
        // 3 channels: C*M below 8, the kernels' channel-by-channel shape; 8 channels: the pixel-by-pixel one
        for (int ch : new int[] {3, 8}) {
            for (int s : new int[] {1, 2}) {
                for (String pad : new String[] {"valid", "same"}) {
                    for (int m : new int[] {1, 2}) {
                        Activation act = s == 1 ? Activation.TANH : Activation.LINEAR;
                        String how = s + ", " + pad + ", M " + m + ", " + act + ")";
                        c.add(new Case("DepthwiseConv2D(3, stride " + how, () -> new DepthwiseConv2D(3, 3, s, s, pad, m, act, true),
                                Shape.of(7, 5, ch)));
                        c.add(new Case("SeparableConv2D(4, 3, stride " + how,
                                () -> new SeparableConv2D(4, 3, 3, s, s, pad, m, act, true), Shape.of(7, 5, ch)));
                    }
                }
            }
        }
        // multipliers the C kernels specialise (3, 4) and one they do not (5), in both shapes
        for (int[] cm : new int[][] {{3, 3}, {3, 4}, {2, 5}, {1, 5}, {1, 3}}) {
            c.add(new Case("DepthwiseConv2D(3, same, M " + cm[1] + ")", () -> new DepthwiseConv2D(3, 1, "same", cm[1], "linear"),
                    Shape.of(5, 6, cm[0])));
        }
        // (not relu here: without a bias some pre-activation sits within a finite-difference step
        // of relu's kink at 0, and the numeric gradient there is neither side's)
        c.add(new Case("DepthwiseConv2D(3x2, strides 2x1, same, M 3, softplus, no bias)",
                () -> new DepthwiseConv2D(3, 2, 2, 1, "same", 3, Activation.SOFTPLUS, false), Shape.of(9, 6, 2)));
        c.add(new Case("SeparableConv2D(5, 2x3, strides 1x2, valid, M 2, sigmoid, no bias)",
                () -> new SeparableConv2D(5, 2, 3, 1, 2, "valid", 2, Activation.SIGMOID, false), Shape.of(6, 7, 2)));
        c.add(new Case("DepthwiseConv2D(5, same, M 1) on one channel", () -> new DepthwiseConv2D(5, 1, "same", 1, "linear"),
                Shape.of(6, 5, 1)));
        c.add(new Case("SeparableConv2D(3, 1x1, M 2)", () -> new SeparableConv2D(3, 1, 1, "valid", 2, "linear"),
                Shape.of(4, 3, 3)));
        for (Activation act : new Activation[] {Activation.GELU, Activation.ELU}) {
            c.add(new Case("DepthwiseConv2D(3, same, M 2, " + act + ")", () -> new DepthwiseConv2D(3, 3, 1, 1, "same", 2, act, true),
                    Shape.of(5, 4, 2)));
            c.add(new Case("SeparableConv2D(3, 3, same, " + act + ")", () -> new SeparableConv2D(3, 3, 3, 1, 1, "same", 1, act, true),
                    Shape.of(5, 4, 2)));
        }
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
}
