package dev.sinew.layers;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Int8Dense's backward pass (training after quantize("int8")) against finite differences and the
 * native backend against the reference one. Keras's int8 gradient is a custom one: the forward
 * quantizes its input per row, a step function, so the input gradient is defined as
 * {@code dz . (wq / scale)^T}, straight through the rounding. The input-gradient check therefore
 * differentiates the function that definition is the derivative of, the float Dense
 * {@code act(x . Wd + b)} with the dequantized kernel {@code Wd = wq / scale}; the bias enters after
 * the int8 product, so its gradient is checked against differences of the int8 forward itself.
 */
class Int8DenseGradientCheckTest {
    static final double EPS = 1e-3, TOL = 1e-2;

    /** A Dense bound in a harness, its kernel quantized, and a trainable Int8Dense over both. */
    record Quantized(LayerHarness h, Int8Kernel kernel, Int8Dense layer) {
        static Quantized of(Activation act, int in, int units, int n, Backend backend, long seed) {
            LayerHarness h = new LayerHarness(new Dense(units, act).withName("dense"), Shape.of(in), n, backend, seed);
            Int8Kernel q = Int8Kernel.quantize(h.weights.get(0).toArray(), in, units, h.ws);
            Int8Dense l = Int8Dense.forTraining((Dense) h.layer, q);
            l.allocate(h.ws, n);
            return new Quantized(h, q, l);
        }

        /** Forward and backward of the Int8Dense with dL/dy = r: dx; the bias gradient is in h.grads[1]. */
        float[] backward() {
            return h.backward(layer);
        }

        /** Central differences of the int8 forward's L with respect to the bias. */
        float[] numericBiasGradient() {
            return h.numericGradient(layer, h.weights.get(1), h.weights.get(1).size(), EPS);
        }
    }

    @ParameterizedTest(name = "Int8Dense with {0}")
    @EnumSource(Activation.class)
    void finiteDifferencesMatchBackward(Activation act) {
        Quantized q = Quantized.of(act, 4, 5, 3, Backends.reference(), 11);
        try (LayerHarness h = q.h()) {
            float[] dx = java.util.Arrays.copyOf(q.backward(), 3 * 4);
            float[] dBias = h.grads.get(1).toArray();
            check(act + " dbias (int8 forward)", dBias, q.numericBiasGradient());
            // The straight-through function: the float Dense with kernel Wd = wq / scale.
            q.kernel().dequantize(h.weights.get(0));
            check(act + " dx (float Dense on wq / scale)", dx, h.numericGradient(h.x, h.x.size(), EPS));
        }
    }

    @Test
    void nativeMatchesReferenceOverShards() {
        // 784 -> 150 at batch 100: two shards on two threads, as W1's first layer.
        Quantized nat = Quantized.of(Activation.TANH, 784, 150, 100, Backends.nativeBackend(), 13);
        Quantized ref = Quantized.of(Activation.TANH, 784, 150, 100, Backends.reference(), 13);
        try (LayerHarness a = nat.h(); LayerHarness b = ref.h()) {
            same("forward", nat.layer().forward(a.x, 100, true).toArray(), ref.layer().forward(b.x, 100, true).toArray());
            same("dx", nat.backward(), ref.backward());
            same("dbias", a.grads.get(1).toArray(), b.grads.get(1).toArray());
            float[] dx = nat.backward();
            nat.kernel().dequantize(a.weights.get(0)); // the straight-through function, as above
            check("native tanh dx (float Dense on wq / scale)", java.util.Arrays.copyOf(dx, 40), a.numericGradient(a.x, 40, EPS));
        }
    }

    @Test
    void anInferenceInstanceRefusesBackwardAndTrainsNothing() {
        Quantized q = Quantized.of(Activation.RELU, 4, 5, 3, Backends.reference(), 11);
        try (LayerHarness h = q.h()) {
            Int8Dense inference = new Int8Dense((Dense) h.layer, q.kernel());
            assertEquals(0, inference.trainableParameterCount());
            assertEquals(5, q.layer().trainableParameterCount(), "the bias only: the int8 kernel is not trainable");
            inference.allocate(h.ws, 3);
            inference.forward(h.x, 3, true);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> inference.backward(h.dy, 3, true));
            assertTrue(e.getMessage().contains("inference only"), e.getMessage());
        }
    }

    static void same(String what, float[] nat, float[] ref) {
        double e = relativeError(nat, ref, 1e-6);
        System.out.printf("native vs reference  Int8Dense %-10s max rel err %.2e%n", what, e);
        assertTrue(e < 1e-4, what + ": native vs reference relative error " + e);
    }

    static void check(String what, float[] analytic, float[] numeric) {
        double e = relativeError(analytic, numeric, 1e-3);
        System.out.printf("finite differences  %-45s max rel err %.2e%n", what, e);
        assertTrue(e < TOL, what + ": analytic vs numeric relative error " + e);
    }
}
