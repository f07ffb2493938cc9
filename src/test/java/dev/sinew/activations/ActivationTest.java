package dev.sinew.activations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each activation by its Keras name, at two points computed by hand (double precision, Keras's
 * definitions and defaults), on both backends, through a Dense layer whose kernel is the identity.
 */
class ActivationTest {
    static Stream<Arguments> byHand() {
        // name, z1, z2, act(z1), act(z2)
        return Stream.of(
                Arguments.of("leaky_relu", -1f, 2f, -0.2f, 2f),           // negative_slope 0.2
                Arguments.of("elu", -1f, 2f, -0.6321206f, 2f),            // e^-1 - 1
                Arguments.of("selu", -1f, 2f, -1.111331f, 2.101402f),     // 1.0507 * 1.6733 * (e^-1 - 1)
                Arguments.of("gelu", -1f, 1f, -0.1586553f, 0.8413447f),   // z Phi(z), exact
                Arguments.of("gelu_tanh", -1f, 1f, -0.158808f, 0.841192f),
                Arguments.of("silu", -1f, 1f, -0.2689414f, 0.7310586f),   // z / (1 + e^-z)
                Arguments.of("swish", -1f, 1f, -0.2689414f, 0.7310586f),
                Arguments.of("softplus", 0f, 1f, 0.6931472f, 1.313262f),  // ln 2, ln(1 + e)
                Arguments.of("softsign", -3f, 1f, -0.75f, 0.5f),
                Arguments.of("hard_sigmoid", -4f, 1f, 0f, 0.6666667f),    // relu6(z + 3) / 6
                Arguments.of("hard_silu", -1f, 1f, -0.3333333f, 0.6666667f),
                Arguments.of("hard_swish", -1f, 1f, -0.3333333f, 0.6666667f),
                Arguments.of("relu6", -1f, 7f, 0f, 6f),
                Arguments.of("exponential", 0f, 1f, 1f, 2.718282f),
                Arguments.of("mish", -1f, 1f, -0.3034015f, 0.8650984f),   // z tanh(ln(1 + e^z))
                Arguments.of("log_softmax", 0f, (float) Math.log(3), -1.3862944f, -0.2876821f)); // ln 1/4, ln 3/4
    }

    static Sequential identity(Backend b, String activation) {
        Sequential net = new Sequential(b, 0);
        net.add(new Input(2));
        net.add(new Dense(2, activation));
        net.setWeights(List.of(new float[] {1, 0, 0, 1}, new float[] {0, 0}));
        return net;
    }

    @ParameterizedTest(name = "{0}({1}), {0}({2})")
    @MethodSource("byHand")
    void valuesByHand(String name, float z1, float z2, float y1, float y2) {
        for (Backend b : List.of(Backends.reference(), Backends.nativeBackend())) {
            try (Sequential net = identity(b, name)) {
                assertArrayEquals(new float[] {y1, y2}, net.predictOnBatch(new float[][] {{z1, z2}})[0], 2e-6f,
                        name + " on " + b);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("byHand")
    void aliasesAndSpelling(String name) {
        assertEquals(Activation.SILU, Activation.of("swish"));
        assertEquals(Activation.HARD_SILU, Activation.of("Hard_Swish "));
        assertEquals(name.equals("swish") ? "silu" : name.equals("hard_swish") ? "hard_silu" : name,
                Activation.of(name).kerasName());
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void keepsPreActivationOnlyWhenNeeded(Activation act) {
        boolean z = switch (act) {
            case GELU, GELU_TANH, SILU, HARD_SILU, MISH -> true;
            default -> false;
        };
        assertEquals(z, act.needsInput());
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void nativeTrainingStepMatchesReference(Activation act) {
        // one SGD step through Dense(3, act) -> Dense(2): the forward, the activation's backward
        // (from y, or from the kept z) and the weight update must agree across backends.
        float[][] x = {{0.5f, -1.5f}, {2f, 0.25f}}, t = {{1, 0}, {0, 1}};
        float[][][] after = new float[2][][];
        int i = 0;
        for (Backend b : List.of(Backends.reference(), Backends.nativeBackend())) {
            try (Sequential net = new Sequential(b, 3)) {
                net.add(new Input(2));
                net.add(new Dense(3, act));
                net.add(new Dense(2));
                net.compile("mean_squared_error", new SGD(0.1));
                net.trainOnBatch(x, t);
                after[i++] = net.predictOnBatch(x);
            }
        }
        for (int r = 0; r < x.length; r++) assertArrayEquals(after[0][r], after[1][r], 1e-5f, act.kerasName());
    }

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"LEAKY_RELU", "ELU"})
    void negativeParameterRejected(Activation act) {
        try (var z = dev.sinew.tensor.Tensor.of(new float[] {1}, 1)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Backends.reference().biasActivation(z, z, null, 1, 1, act, -0.5f));
            assertTrue(e.getMessage().contains("alpha=-0.5"), e.getMessage());
        }
    }
}
