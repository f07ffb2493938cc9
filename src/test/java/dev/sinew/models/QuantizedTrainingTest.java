package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.layers.Int8Kernel;
import dev.sinew.layers.KerasTensor;
import dev.sinew.layers.LayerNormalization;
import dev.sinew.optimizers.Adam;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Variable;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training after {@code quantize("int8")}, as Keras 3's Dense after {@code quantize("int8")}: the
 * int8 kernel and its scale are not trainable, the bias is, the forward is the int8 product, the
 * input gradient goes through the dequantized kernel, and the model's float layers train as before.
 */
class QuantizedTrainingTest {
    static final int IN = 8, CLASSES = 3, ROWS = 300;
    static final float[][] X, Y;

    static {
        // Class = which of the first three inputs is largest: learnable by a LayerNormalization's
        // gamma and beta and the biases alone, on top of frozen random kernels.
        SplittableRandom rng = new SplittableRandom(7);
        X = TestUtil.uniform(rng, ROWS, IN, -1, 1);
        Y = new float[ROWS][CLASSES];
        for (int i = 0; i < ROWS; i++) {
            int best = 0;
            for (int c = 1; c < CLASSES; c++) if (X[i][c] > X[i][best]) best = c;
            Y[i][best] = 1f;
        }
    }

    /** Input(8) -> LayerNormalization -> Dense(32, relu) -> Dense(3, softmax), compiled with Adam. */
    static Sequential model(Backend backend) {
        Sequential m = new Sequential(backend, 5, null);
        m.add(new Input(IN));
        m.add(new LayerNormalization());
        m.add(new Dense(32, "relu"));
        m.add(new Dense(CLASSES, "softmax"));
        m.compile("categorical_crossentropy", new Adam(0.01), "accuracy");
        return m;
    }

    static byte[] int8Bytes(Model m, String layer) {
        Int8Kernel q = m.int8Kernel(m.getLayer(layer));
        return q.wq().segment().toArray(ValueLayout.JAVA_BYTE);
    }

    static boolean differs(float[] a, float[] b) {
        return !Arrays.equals(a, b);
    }

    @Test
    void fitAfterQuantizeLowersTheLossTrainingTheBiasesAndTheFloatLayersOnly() {
        try (Sequential m = model(Backends.defaultBackend())) {
            m.fit(X, Y, FitOptions.builder().batchSize(30).epochs(1).verbose(0).build()); // compiled and trained before quantize: the optimizer starts afresh after it
            m.quantize("int8");
            List<float[]> before = m.getWeights(); // gamma, beta, kernel, bias, kernel, bias
            byte[] q1 = int8Bytes(m, "dense"), q2 = int8Bytes(m, "dense_1");
            float loss0 = m.evaluate(X, Y)[0];
            History h = m.fit(X, Y, FitOptions.builder().batchSize(30).epochs(8).verbose(0).build());
            float loss1 = m.evaluate(X, Y)[0];
            System.out.printf("QuantizedTrainingTest: loss after quantize %.4f, after 8 epochs %.4f%n", loss0, loss1);
            assertTrue(loss1 < 0.8 * loss0, "loss " + loss0 + " -> " + loss1);
            assertEquals(8, h.get("loss").size());
            List<float[]> after = m.getWeights();
            assertTrue(differs(before.get(0), after.get(0)), "LayerNormalization gamma trains");
            assertTrue(differs(before.get(1), after.get(1)), "LayerNormalization beta trains");
            assertArrayEquals(before.get(2), after.get(2), "the quantized kernel does not train");
            assertTrue(differs(before.get(3), after.get(3)), "dense bias trains");
            assertArrayEquals(before.get(4), after.get(4), "the quantized kernel does not train");
            assertTrue(differs(before.get(5), after.get(5)), "dense_1 bias trains");
            assertArrayEquals(q1, int8Bytes(m, "dense"), "int8 kernel bytes");
            assertArrayEquals(q2, int8Bytes(m, "dense_1"), "int8 kernel bytes");
        }
    }

    @Test
    void theKernelsBecomeNonTrainableAsKerasInt8Kernels() {
        try (Sequential m = model(Backends.defaultBackend())) {
            long total = m.countParams();
            m.quantize("int8");
            assertEquals(List.of("layer_normalization/gamma", "layer_normalization/beta", "dense/bias", "dense_1/bias"),
                    m.parameterTable().trainable().stream().map(Variable::path).toList());
            long trainable = 2 * IN + 32 + CLASSES;
            assertEquals(trainable, m.parameterTable().trainableSize());
            assertEquals(total, m.countParams(), "the float kernels are still held (saved, and quantized again on load)");
            String summary = m.summary();
            assertTrue(summary.contains(String.format("Trainable params: %,d", trainable)), summary);
            assertTrue(summary.contains(String.format("Non-trainable params: %,d", total - trainable)), summary);
            // Keras's gradients: none for the kernels, the bias's as usual.
            m.computeGradients(Arrays.copyOf(X, 20), Arrays.copyOf(Y, 20));
            List<float[]> g = m.getGradients();
            assertArrayEquals(new float[IN * 32], g.get(2), "no kernel gradient");
            assertTrue(differs(new float[32], g.get(3)), "a bias gradient");
            assertTrue(differs(new float[IN], g.get(0)), "a gamma gradient, through the int8 layer's input gradient");
        }
    }

    @Test
    void nativeTrainsAsTheReferenceBackend() {
        try (Sequential nat = model(Backends.nativeBackend()); Sequential ref = model(Backends.reference())) {
            ref.setWeights(nat.getWeights());
            nat.quantize("int8");
            ref.quantize("int8");
            for (int step = 0; step < 5; step++) {
                float[][] x = Arrays.copyOfRange(X, 40 * step, 40 * step + 40), y = Arrays.copyOfRange(Y, 40 * step, 40 * step + 40);
                assertArrayEquals(ref.trainOnBatch(x, y), nat.trainOnBatch(x, y), 1e-5f, "step " + step);
            }
            List<float[]> a = nat.getWeights(), b = ref.getWeights();
            for (int i = 0; i < a.size(); i++) assertArrayEquals(b.get(i), a.get(i), 1e-5f, "weight " + i);
        }
    }

    @Test
    void saveAndLoadAfterTrainingKeepTheWeightsTheOptimizerStateAndTheQuantization(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trained-int8.sinew");
        try (Sequential m = model(Backends.defaultBackend())) {
            m.quantize("int8");
            m.fit(X, Y, FitOptions.builder().batchSize(30).epochs(2).verbose(0).build());
            m.save(file);
            try (Model loaded = Model.load(file)) {
                assertEquals("int8", loaded.quantizationMode());
                assertEquals(m.parameterTable().trainable(), loaded.parameterTable().trainable());
                assertArrayEquals(int8Bytes(m, "dense"), int8Bytes(loaded, "dense"));
                List<float[]> a = m.getWeights(), b = loaded.getWeights();
                for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "weight " + i);
                // Adam's moments and step count came back: the next step is the same bit for bit.
                float[][] x = Arrays.copyOf(X, 30), y = Arrays.copyOf(Y, 30);
                assertArrayEquals(m.trainOnBatch(x, y), loaded.trainOnBatch(x, y));
                a = m.getWeights();
                b = loaded.getWeights();
                for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "weight " + i + " after a step");
            }
        }
    }

    @Test
    void badInputIsRefusedClearlyAndTheModelStillTrains() {
        try (Sequential m = model(Backends.defaultBackend())) {
            m.quantize("int8");
            List<float[]> before = m.getWeights();
            IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                    () -> m.trainOnBatch(new float[][] {new float[IN + 1]}, new float[][] {new float[CLASSES]}));
            assertTrue(wide.getMessage().contains(String.valueOf(IN)), wide.getMessage());
            float[][] nan = {new float[IN]};
            nan[0][3] = Float.NaN;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.trainOnBatch(nan, new float[][] {Y[0]}));
            assertTrue(e.getMessage().toLowerCase().contains("nan"), e.getMessage());
            List<float[]> changed = m.getWeights();
            changed.get(2)[0] += 1f;
            IllegalStateException k = assertThrows(IllegalStateException.class, () -> m.setWeights(changed));
            assertTrue(k.getMessage().contains("kernel of Dense") && k.getMessage().contains("cannot change"), k.getMessage());
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), m.getWeights().get(i), "weight " + i);
            float[] r = m.trainOnBatch(Arrays.copyOf(X, 30), Arrays.copyOf(Y, 30));
            assertTrue(Float.isFinite(r[0]));
            assertFalse(Arrays.equals(before.get(3), m.getWeights().get(3)), "it trains after the refused calls");
        }
    }

    @Test
    void aQuantizedTrainingStepAllocatesNothingAfterWarmUp() {
        try (Sequential m = model(Backends.defaultBackend()); Tensor x = Tensor.fromRows(Arrays.copyOf(X, 100));
                Tensor y = Tensor.fromRows(Arrays.copyOf(Y, 100))) {
            m.quantize("int8");
            for (int i = 0; i < 2_000; i++) m.trainOnBatch(x, y); // warm up the JIT
            long offHeap = m.offHeapBytes();
            int steps = 2_000;
            long start = MemoryTest.allAllocatedBytes();
            for (int i = 0; i < steps; i++) m.trainOnBatch(x, y);
            double perStep = (MemoryTest.allAllocatedBytes() - start) / (double) steps;
            System.out.printf("QuantizedTrainingTest: %.1f heap bytes per int8 training step%n", perStep);
            assertEquals(offHeap, m.offHeapBytes(), "off-heap bytes");
            assertTrue(perStep < 64, "heap bytes per step: " + perStep); // the result array (24 bytes)
        }
    }

    @Test
    void aViewMadeBeforeQuantizeReadsTheWeightsWhereTheyAreAfterIt() {
        try (Sequential m = model(Backends.defaultBackend());
                Model view = new Model(m.input(), m.output("dense"))) {
            view.predict(Arrays.copyOf(X, 5)); // leaves an idle executor over the old layout
            m.quantize("int8");
            m.fit(X, Y, FitOptions.builder().batchSize(30).epochs(1).verbose(0).build());
            List<float[]> own = m.getWeights(), seen = view.getWeights();
            assertEquals(4, seen.size());
            for (int i = 0; i < 4; i++) assertArrayEquals(own.get(i), seen.get(i), "weight " + i);
            float[][] p = view.predict(Arrays.copyOf(X, 5));
            assertEquals(32, p[0].length);
        }
    }

    @Test
    void aViewMadeBeforeQuantizeHandsOutTheTableLaidOutSince() {
        try (Sequential m = model(Backends.defaultBackend()); Model view = new Model(m.input(), m.output("dense"))) {
            m.quantize("int8");
            var t = view.parameterTable(); // no inference call on the view first
            assertTrue(t == m.parameterTable(), "the view hands out its model's present table");
            for (Variable v : t.variables()) t.value(v).toArray(); // the old table is freed: this would throw
            assertEquals(List.of("layer_normalization/gamma", "layer_normalization/beta", "dense/bias"),
                    t.trainable().stream().filter(v -> !v.layer().equals("dense_1")).map(Variable::path).toList());
        }
    }

    /**
     * A checkpoint saved in the other mode (float vs quantized) lays its optimizer state over
     * other trainable weights: restoreFrom refuses it, naming both modes, before changing anything.
     */
    @Test
    void restoreFromACheckpointOfTheOtherModeIsRefusedAndChangesNothing(@TempDir Path dir) throws Exception {
        Path floatFile = dir.resolve("float.sinew"), quantizedFile = dir.resolve("int8.sinew");
        FitOptions one = FitOptions.builder().batchSize(30).epochs(1).verbose(0).build();
        try (Sequential m = model(Backends.defaultBackend()); Sequential f = model(Backends.defaultBackend())) {
            m.fit(X, Y, one);
            m.save(floatFile);
            m.quantize("int8");
            m.fit(X, Y, one);
            m.save(quantizedFile);
            m.fit(X, Y, one);
            f.fit(X, Y, one);
            for (Model target : new Model[] {m, f}) {
                Path other = target == m ? floatFile : quantizedFile;
                List<float[]> w = target.getWeights();
                long iterations = target.optimizer().iterations();
                int epoch = target.epoch();
                var e = assertThrows(ModelFormatException.class, () -> target.restoreFrom(other));
                assertTrue(e.getMessage().contains(target == m ? "saved from a float model" : "saved from a quantized (int8) model")
                        && e.getMessage().contains("quantize(\"int8\") on both or on neither"), e.getMessage());
                assertEquals(iterations, target.optimizer().iterations());
                assertEquals(epoch, target.epoch());
                List<float[]> after = target.getWeights();
                for (int i = 0; i < w.size(); i++) assertArrayEquals(w.get(i), after.get(i), "weight " + i);
                target.fit(X, Y, one); // still trains
            }
            m.restoreFrom(quantizedFile); // the same mode is taken
            assertEquals("int8", m.quantizationMode());
        }
    }

    @Test
    void aDenseAppliedTwiceTrainsItsBiasFromBothApplications() {
        var in = Input.of(4);
        Dense shared = new Dense(4, "tanh");
        KerasTensor out = new Dense(2, "softmax").apply(shared.apply(shared.apply(in)));
        float[][] x = Arrays.copyOf(X, 40), y = new float[40][2];
        for (int i = 0; i < 40; i++) {
            x[i] = Arrays.copyOf(x[i], 4);
            y[i][x[i][0] > x[i][1] ? 0 : 1] = 1f;
        }
        try (Model nat = new Model(Backends.nativeBackend(), 3, null, in, out)) {
            var in2 = Input.of(4);
            Dense shared2 = new Dense(4, "tanh");
            try (Model ref = new Model(Backends.reference(), 3, null, in2,
                    new Dense(2, "softmax").apply(shared2.apply(shared2.apply(in2))))) {
                for (Model m : List.of(nat, ref)) m.compile("categorical_crossentropy", new Adam(0.01));
                ref.setWeights(nat.getWeights());
                nat.quantize("int8");
                ref.quantize("int8");
                List<float[]> before = nat.getWeights();
                for (int s = 0; s < 3; s++) assertArrayEquals(ref.trainOnBatch(x, y), nat.trainOnBatch(x, y), 1e-5f);
                List<float[]> a = nat.getWeights(), b = ref.getWeights();
                for (int i = 0; i < a.size(); i++) assertArrayEquals(b.get(i), a.get(i), 1e-5f, "weight " + i);
                assertArrayEquals(before.get(0), a.get(0), "the shared kernel is frozen");
                assertTrue(differs(before.get(1), a.get(1)), "the shared bias trains");
            }
        }
    }
}
