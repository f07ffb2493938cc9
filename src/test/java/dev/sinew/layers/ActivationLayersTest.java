package dev.sinew.layers;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Backends;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The activation layers (Activation, ReLU, LeakyReLU, ELU, Softmax): values by hand, finite
 * differences on the reference backend, native = reference, and a save/load round trip.
 */
class ActivationLayersTest {
    record Case(String name, Supplier<Layer> make, Shape input) {
        @Override
        public String toString() {
            return name + " on " + input;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("Activation(gelu)", () -> new Activation("gelu"), Shape.of(6)),
                new Case("Activation(mish)", () -> new Activation("mish"), Shape.of(3, 2, 2)),
                new Case("Activation(softplus)", () -> new Activation("softplus"), Shape.of(6)),
                new Case("Activation(tanh)", () -> new Activation("tanh"), Shape.of(6)),
                new Case("ReLU()", ReLU::new, Shape.of(6)),
                new Case("ReLU(max_value=6)", () -> new ReLU(6.0, 0, 0), Shape.of(6)),
                new Case("ReLU(negative_slope=0.1)", () -> new ReLU(null, 0.1, 0), Shape.of(6)),
                new Case("ReLU(max_value=0.5, negative_slope=0.2, threshold=0.1)", () -> new ReLU(0.5, 0.2, 0.1), Shape.of(6)),
                new Case("LeakyReLU()", LeakyReLU::new, Shape.of(6)),
                new Case("ELU(0.5)", () -> new ELU(0.5), Shape.of(6)),
                new Case("Softmax()", Softmax::new, Shape.of(2, 5)),
                new Case("Activation(log_softmax)", () -> new Activation("log_softmax"), Shape.of(2, 5))).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void finiteDifferencesAndNativeAgreement(Case c) {
        try (LayerHarness ref = new LayerHarness(c.make().get(), c.input(), 3, Backends.reference(), 5);
                LayerHarness nat = new LayerHarness(c.make().get(), c.input(), 3, Backends.nativeBackend(), 5)) {
            float[] dx = ref.backward();
            double e = relativeError(dx, ref.numericGradient(ref.x, ref.x.size(), 1e-3), 1e-3);
            System.out.printf("finite differences  %-26s max rel err %.2e%n", c.name(), e);
            assertTrue(e < 1e-2, c + ": analytic vs numeric relative error " + e);
            float[] dxNative = nat.backward();
            double a = relativeError(dxNative, dx, 1e-6);
            System.out.printf("native vs reference %-26s max rel err %.2e%n", c.name(), a);
            assertTrue(a < 1e-4, c + ": native vs reference " + a);
        }
    }

    static float[] predict(Layer layer, float[] x) {
        try (Sequential net = new Sequential(Backends.nativeBackend(), 0)) {
            net.add(new Input(x.length));
            net.add(layer);
            return net.predictOnBatch(new float[][] {x})[0];
        }
    }

    @Test
    void valuesByHand() {
        float[] x = {-1, 0.5f, 7};
        assertArrayEquals(new float[] {0, 0.5f, 7}, predict(new ReLU(), x), 0f);
        assertArrayEquals(new float[] {0, 0.5f, 6}, predict(new ReLU(6.0, 0, 0), x), 0f);
        // threshold 1: x > 1 passes (capped at 6), else 0.1 (x - 1): [-0.2, -0.05, 6]
        assertArrayEquals(new float[] {-0.2f, -0.05f, 6}, predict(new ReLU(6.0, 0.1, 1), x), 1e-7f);
        assertArrayEquals(new float[] {-0.3f, 0.5f, 7}, predict(new LeakyReLU(), x), 1e-7f);       // Keras 3: 0.3
        assertArrayEquals(new float[] {-0.2f, 0.5f, 7}, predict(new Activation("leaky_relu"), x), 1e-7f); // function: 0.2
        assertArrayEquals(new float[] {-0.3160603f, 0.5f, 7}, predict(new ELU(0.5), x), 1e-6f);   // 0.5 (e^-1 - 1)
        // softmax [ln 1, ln 3] = [1/4, 3/4]
        assertArrayEquals(new float[] {0.25f, 0.75f}, predict(new Softmax(), new float[] {0, (float) Math.log(3)}), 1e-6f);
        assertEquals("re_lu", new ReLU().defaultNameStem());
        assertEquals("leaky_re_lu", new LeakyReLU().defaultNameStem());
    }

    @Test
    void badParametersNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LeakyReLU(-1)).getMessage().contains("negative_slope=-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ELU(Double.NaN)).getMessage().contains("alpha=NaN"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Softmax(0)).getMessage().contains("axis=0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ReLU(null, 0, -0.5)).getMessage().contains("threshold=-0.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ReLU(-1.0, 0, 0)).getMessage().contains("max_value=-1.0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Activation("nope")).getMessage().contains("'nope'"));
    }

    @Test
    void saveLoadRoundTrip(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("act.zip");
        float[][] x = {{0.5f, -1.5f, 2f}, {-0.25f, 1f, -3f}}, t = {{1, 0}, {0, 1}};
        try (Sequential net = new Sequential(7)) {
            net.add(new Input(3));
            net.add(new Dense(8));
            net.add(new LeakyReLU(0.25));
            net.add(new Dense(8));
            net.add(new ELU(0.5));
            net.add(new Dense(8));
            net.add(new ReLU(6.0, 0.1, 0.05));
            net.add(new Dense(8));
            net.add(new Activation("gelu"));
            net.add(new Dense(2));
            net.add(new Softmax());
            net.compile("categorical_crossentropy", new SGD(0.1));
            net.trainOnBatch(x, t);
            net.save(file);
            float[][] before = net.predictOnBatch(x);
            try (Sequential loaded = Sequential.load(file)) {
                float[][] after = loaded.predictOnBatch(x);
                for (int i = 0; i < x.length; i++) assertArrayEquals(before[i], after[i], 0f, "row " + i);
                assertEquals(net.summary(), loaded.summary());
                List<Layer> layers = loaded.layers();
                assertEquals(0.25, ((LeakyReLU) layers.get(1)).negativeSlope(), 1e-7);
                assertEquals(0.5, ((ELU) layers.get(3)).alpha(), 1e-7);
                assertEquals(net.layers().get(5).getConfig(), layers.get(5).getConfig());
                assertEquals(0.05, ((ReLU) layers.get(5)).threshold(), 1e-7);
                assertEquals(dev.sinew.activations.Activation.GELU, ((Activation) layers.get(7)).activation());
            }
        }
    }
}
