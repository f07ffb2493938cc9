package dev.sinew.layers;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backends;
import dev.sinew.tensor.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Central finite differences against Dense's analytic backward pass, on the reference backend,
 * for every activation: dL/dx, dL/dkernel and dL/dbias.
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

    static void check(String what, float[] analytic, float[] numeric) {
        double e = relativeError(analytic, numeric, 1e-3);
        System.out.printf("finite differences  Dense %-18s max rel err %.2e%n", what, e);
        assertTrue(e < TOL, what + ": analytic vs numeric relative error " + e);
    }
}
