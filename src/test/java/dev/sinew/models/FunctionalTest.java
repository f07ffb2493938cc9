package dev.sinew.models;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.layers.Activation;
import dev.sinew.layers.Add;
import dev.sinew.layers.Average;
import dev.sinew.layers.Concatenate;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Input;
import dev.sinew.layers.KerasTensor;
import dev.sinew.layers.Maximum;
import dev.sinew.layers.Multiply;
import dev.sinew.layers.Subtract;
import dev.sinew.optimizers.SGD;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The functional API: a chain equals Sequential bit for bit; branches, residual additions,
 * every merge layer and a layer applied twice get their gradients right (finite differences on
 * the reference backend, native = reference); errors name the layers and shapes.
 */
class FunctionalTest {
    static final SplittableRandom R = new SplittableRandom(3);
    static final float[][] X = TestUtil.uniform(R, 6, 4, -1, 1);
    static final float[][] Y = TestUtil.oneHot(R, 6, 3);

    @Test
    void aChainTrainsExactlyAsSequential() {
        float[][] x = TestUtil.uniform(new SplittableRandom(1), 64, 4, -1, 1);
        float[][] y = TestUtil.oneHot(new SplittableRandom(2), 64, 3);
        var in = Input.of(4);
        var out = new Dense(3, "softmax").apply(new Dense(8, "relu").apply(in));
        try (Model f = new Model(in, out, 7); Sequential s = new Sequential(7)) {
            s.add(new Input(4));
            s.add(new Dense(8, "relu"));
            s.add(new Dense(3, "softmax"));
            f.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
            s.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
            FitOptions o = FitOptions.builder().batchSize(16).epochs(3).verbose(0).build();
            assertEquals(s.fit(x, y, o).asMap(), f.fit(x, y, o).asMap());
            for (int i = 0; i < 4; i++) assertArrayEquals(s.getWeights().get(i), f.getWeights().get(i));
            assertArrayEquals(s.predict(x), f.predict(x));
            assertEquals("functional", f.name().replaceAll("_\\d+$", ""));
            assertEquals(List.of("dense", "dense_1"), f.layers().stream().map(l -> l.name()).toList());
        }
    }

    /** A residual block with a branch read twice (x feeds the conv and the Add). */
    static KerasTensor residual(KerasTensor in) {
        KerasTensor x = new Conv2D(2, 3, 1, "same", "linear").apply(in);
        x = new Activation("tanh").apply(x);
        KerasTensor y = new Conv2D(2, 3, 1, "same", "linear").apply(x);
        x = new Add().apply(x, y);
        return new Dense(3, "softmax").apply(new Flatten().apply(x));
    }

    static Model cnn(Backend b, Function<KerasTensor, KerasTensor> body) {
        var in = Input.of(2, 2, 1);
        Model m = new Model(b, 11, null, in, body.apply(in));
        m.compile("categorical_crossentropy", new SGD(0.1));
        // Non-zero biases, so their gradients are exercised too.
        List<float[]> w = m.getWeights();
        for (int i = 0; i < w.size(); i++) if (w.get(i).length <= 3) w.set(i, TestUtil.uniform(new SplittableRandom(i), w.get(i).length, -0.5, 0.5));
        m.setWeights(w);
        return m;
    }

    static Model dense(Backend b, Function<KerasTensor, KerasTensor> body) {
        var in = Input.of(4);
        Model m = new Model(b, 11, null, in, body.apply(in));
        m.compile("categorical_crossentropy", new SGD(0.1));
        return m;
    }

    @Test
    void residualBlockGradients() {
        gradientCheck(b -> cnn(b, FunctionalTest::residual), X); // X's rows are 2x2x1 images
    }

    @Test
    void everyMergeAndASharedLayer() {
        // Subtract, Multiply, Average, Maximum, Concatenate, and one Dense applied to two branches.
        gradientCheck(b -> dense(b, in -> {
            KerasTensor a = new Dense(3, "tanh").apply(in), c = new Dense(3, "tanh").apply(in);
            Dense shared = new Dense(3, "tanh");
            KerasTensor sa = shared.apply(a), sc = shared.apply(c);
            KerasTensor d = new Subtract().apply(sa, sc), m = new Multiply().apply(a, c, sa);
            KerasTensor v = new Average().apply(d, m), mx = new Maximum().apply(a, v);
            return new Dense(3, "softmax").apply(new Concatenate().apply(mx, d, in));
        }), X);
    }

    static void gradientCheck(Function<Backend, Model> make, float[][] x) {
        try (Model ref = make.apply(Backends.reference()); Model nat = make.apply(Backends.nativeBackend())) {
            checkGradients(ref, nat, m -> m.computeGradients(x, Y), "functional");
        }
    }

    /**
     * Whole-model gradients: {@code loss} (which runs computeGradients) gives the same loss and
     * gradients on both backends, and central finite differences of it on the reference backend
     * match the analytic gradient of every weight.
     */
    static void checkGradients(Model ref, Model nat, java.util.function.ToDoubleFunction<Model> loss, String what) {
        double lr = loss.applyAsDouble(ref), ln = loss.applyAsDouble(nat);
        assertEquals(lr, ln, 1e-5, "native = reference: loss");
        List<float[]> analytic = ref.getGradients(), native_ = nat.getGradients();
        for (int t = 0; t < analytic.size(); t++) {
            assertTrue(relativeError(analytic.get(t), native_.get(t), 1e-3) < 1e-4, "native = reference: gradient " + t);
        }
        List<float[]> w = ref.getWeights();
        for (int t = 0; t < w.size(); t++) {
            float[] numeric = new float[w.get(t).length];
            for (int i = 0; i < numeric.length; i++) {
                List<float[]> plus = ModelGradientCheckTest.copy(w), minus = ModelGradientCheckTest.copy(w);
                plus.get(t)[i] += 1e-3f;
                minus.get(t)[i] -= 1e-3f;
                ref.setWeights(plus);
                double lp = loss.applyAsDouble(ref);
                ref.setWeights(minus);
                double lm = loss.applyAsDouble(ref);
                numeric[i] = (float) ((lp - lm) / ((double) plus.get(t)[i] - minus.get(t)[i]));
            }
            ref.setWeights(w);
            loss.applyAsDouble(ref); // leave the gradients of the original weights
            double e = relativeError(analytic.get(t), numeric, 1e-3);
            String path = ref.parameterTable().variables().get(t).path();
            System.out.printf("%s finite differences: %s max rel err %.2e%n", what, path, e);
            assertTrue(e < 1e-2, path + ": relative error " + e);
        }
    }

    @Test
    void errorsNameLayersAndShapes() {
        var in = Input.of(4);
        var other = Input.of(4);
        var a = new Dense(3).apply(in);
        var b = new Dense(5).apply(other);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Add().apply(a, new Dense(5).apply(in)));
        assertTrue(e.getMessage().contains("(3,)") && e.getMessage().contains("(5,)") && e.getMessage().contains("Add"), e.getMessage());
        var joined = new Concatenate().apply(a, b);
        e = assertThrows(IllegalArgumentException.class, () -> new Model(in, joined));
        assertTrue(e.getMessage().contains("disconnected"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2D(2, 3).apply(in));
        assertTrue(e.getMessage().contains("Conv2D"), e.getMessage());
        Dense shared = new Dense(2);
        var s1 = shared.apply(in);
        e = assertThrows(IllegalArgumentException.class, () -> shared.apply(a));
        assertTrue(e.getMessage().contains("Dense"), e.getMessage());
        assertTrue(s1.shape().size() == 2);
    }

    /**
     * A model refused while its layers are being built (here: two layers named "x") must leave
     * them free. The layers before the refused one used to be left owned by the model that was
     * never made, so the corrected graph was refused too ("Dense "y" is new but Dense "x" already
     * belongs to model ...").
     */
    @Test
    void aModelRefusedHalfWayLeavesItsLayersFree() {
        var in = Input.of(4);
        Dense a = new Dense(3), b = new Dense(3);
        a.withName("x");
        b.withName("x");
        var out = b.apply(a.apply(in));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Model(in, out, 1).close());
        assertTrue(e.getMessage().contains("two layers are named \"x\""), e.getMessage());
        assertEquals(null, a.modelName());
        a.withName("first"); // in no model: it may still be renamed
        b.withName("second");
        try (Model m = new Model(in, out, 1)) {
            assertEquals(List.of("first", "second"), m.layers().stream().map(l -> l.name()).toList());
            assertEquals(m.name(), a.modelName());
            m.compile("mse", new SGD(0.1));
            m.trainOnBatch(X, TestUtil.uniform(R, 6, 3, -1, 1));
        }
    }

    /**
     * Augmentation passes no gradient back, so after a trained weight it is refused when the model
     * is made, as Sequential.add refuses it; it used to be accepted and to fail in the first
     * training step's backward pass.
     */
    @Test
    void augmentationAfterATrainedWeightIsRefusedWhenTheModelIsMade() {
        var in = Input.of(16);
        var rotated = new dev.sinew.layers.RandomRotation(0.2).apply(new dev.sinew.layers.Reshape(4, 4, 1).apply(new Dense(16).apply(in)));
        var out = new Dense(2, "softmax").apply(new Flatten().apply(rotated));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Model(in, out, 1).close());
        assertTrue(e.getMessage().contains("RandomRotation") && e.getMessage().contains("before every layer with weights"), e.getMessage());
        // Applied to the input (and then read by a branch with weights), it is fine.
        var image = Input.of(4, 4, 1);
        var aug = new dev.sinew.layers.RandomRotation(0.2).apply(image);
        try (Model m = new Model(image, new Dense(2, "softmax").apply(new Concatenate().apply(new Flatten().apply(aug),
                new Flatten().apply(new Conv2D(1, 1).apply(aug)))), 1)) {
            m.compile("categorical_crossentropy", new SGD(0.1));
            m.trainOnBatch(new float[][] {new float[16]}, new float[][] {{1, 0}});
        }
    }

    /** Five inputs of 2^30 values joined: the axis's extent was summed in an int and wrapped round to 2^30. */
    @Test
    void concatenatingBeyondTheIntRangeIsRefused() {
        var big = Input.of(1 << 30);
        for (int k : new int[] {2, 5}) {
            KerasTensor[] xs = new KerasTensor[k];
            java.util.Arrays.fill(xs, big);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Concatenate().apply(xs));
            assertTrue(e.getMessage().contains("Concatenate") && e.getMessage().contains(k * (1L << 30) + " values")
                    && e.getMessage().contains("(1073741824,)"), e.getMessage());
        }
    }

    @Test
    void aSharedResidualModelSavesLoadsAndSummarises(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var in = Input.of(4);
        Dense shared = new Dense(4, "tanh");
        KerasTensor a = shared.apply(in);
        KerasTensor b = shared.apply(new Dense(4, "relu").apply(a)); // shared, applied to a later layer's output
        KerasTensor out = new Dense(3, "softmax").apply(new Concatenate().apply(new Add().apply(a, b), in));
        try (Model m = new Model(in, out, 5)) {
            m.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
            m.fit(X, Y, FitOptions.builder().batchSize(3).epochs(2).verbose(0).build());
            java.nio.file.Path file = dir.resolve("f.zip");
            m.save(file);
            try (Model back = Model.load(file)) {
                assertEquals(Model.class, back.getClass());
                assertArrayEquals(m.predict(X), back.predict(X));
                assertEquals(m.summary(), back.summary());
                assertEquals(m.metricsNames(), back.metricsNames());
                // Training continues identically from the file.
                FitOptions o = FitOptions.builder().batchSize(3).epochs(3).initialEpoch(2).verbose(0).build();
                assertEquals(m.fit(X, Y, o).asMap(), back.fit(X, Y, o).asMap());
            }
            String summary = m.summary();
            assertTrue(summary.contains("Connected to") && summary.contains("add (Add)") && summary.contains("dense[0][0], dense[1][0]")
                    && summary.contains("add[0][0], input_layer[0][0]"), summary);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> Sequential.load(file));
            assertTrue(e.getMessage().contains("functional") && e.getMessage().contains("Model.load"), e.getMessage());
        }
    }

    @Test
    void theIssuesExampleAsWritten() {
        var in = Input.of(28, 28, 1);
        var x = new Conv2D(32, 3, "same").apply(in);
        x = new dev.sinew.layers.BatchNormalization().apply(x);
        x = new Activation("relu").apply(x);
        var y = new Conv2D(32, 3, "same").apply(x);
        x = new Add().apply(x, y);
        var out = new Dense(10, "softmax").apply(new dev.sinew.layers.GlobalAveragePooling2D().apply(x));
        try (Model model = new Model(in, out, 3)) {
            model.compile("categorical_crossentropy", "adam", "accuracy");
            float[][] images = TestUtil.uniform(new SplittableRandom(9), 8, 784, 0, 1);
            float[][] labels = TestUtil.oneHot(new SplittableRandom(10), 8, 10);
            float first = model.trainOnBatch(images, labels)[0], last = first;
            for (int i = 0; i < 20; i++) last = model.trainOnBatch(images, labels)[0];
            assertTrue(last < first, "it learns: " + first + " -> " + last);
            assertTrue(model.summary().contains("(None, 28, 28, 32)"), model.summary());
        }
    }
}
