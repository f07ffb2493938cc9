package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Backends;
import dev.sinew.backend.Cpu;
import dev.sinew.backend.Cpu.Feature;
import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.data.Splits;
import dev.sinew.examples.Networks;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Input;
import dev.sinew.optimizers.SGD;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model.quantize("int8"), as Keras's: a trained network predicts nearly as before, the error
 * messages, a model that stays usable after refused calls, and save/load. Training after it:
 * QuantizedTrainingTest.
 */
class QuantizeTest {
    static final Splits SPLITS = Datasets.fashionMnistSample().splits(2700, 300, 1);
    static Sequential trained;   // the notebook's MLP after 3 epochs on the sample, float
    static float[][] floatOut;   // its predictions of the sample's test images

    @BeforeAll
    static void train() {
        trained = Networks.notebookMlp(1);
        trained.fit(SPLITS.train(), FitOptions.builder().batchSize(100).epochs(3).verbose(0).build());
        floatOut = trained.predict(SPLITS.test().x(), 250);
    }

    @AfterAll
    static void close() {
        trained.close();
    }

    @AfterEach
    void restoreCpu() {
        Cpu.enable(EnumSet.allOf(Feature.class));
    }

    static int argmax(float[] p) {
        int best = 0;
        for (int c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
        return best;
    }

    /** A copy of the trained model (same weights), so each test quantizes its own. */
    static Sequential copy() {
        Sequential s = Networks.notebookMlp(1);
        s.setWeights(trained.getWeights());
        return s;
    }

    @Test
    void aTrainedNetworkPredictsNearlyAsBeforeOnBothPaths() {
        Dataset test = SPLITS.test();
        int[] truth = test.labels();
        try (Sequential q = copy()) {
            q.quantize("int8");
            assertEquals("int8", q.quantizationMode());
            float[][] vnni = q.predict(test.x(), 250);
            Cpu.enable(EnumSet.of(Feature.AVX2));
            float[][] avx2 = q.predict(test.x(), 250);
            // The int32 sums are exact on every path, and the float steps the same: bit for bit.
            for (int i = 0; i < vnni.length; i++) assertArrayEquals(vnni[i], avx2[i], "row " + i);
            int agree = 0, floatHits = 0, int8Hits = 0;
            double maxDiff = 0;
            boolean differs = false;
            for (int i = 0; i < vnni.length; i++) {
                int a = argmax(floatOut[i]), b = argmax(vnni[i]);
                if (a == b) agree++;
                if (a == truth[i]) floatHits++;
                if (b == truth[i]) int8Hits++;
                for (int c = 0; c < 10; c++) {
                    maxDiff = Math.max(maxDiff, Math.abs(floatOut[i][c] - vnni[i][c]));
                    differs |= floatOut[i][c] != vnni[i][c];
                }
            }
            double n = vnni.length;
            System.out.printf("QuantizeTest: argmax agreement %.4f, accuracy float %.4f int8 %.4f, max |p diff| %.4f%n",
                    agree / n, floatHits / n, int8Hits / n, maxDiff);
            assertTrue(differs, "the int8 path must be what runs: its outputs differ from float32 in the last bits at least");
            assertTrue(agree / n >= 0.97, "argmax agreement " + agree / n);
            assertTrue(maxDiff < 0.2, "largest probability difference " + maxDiff);
            assertTrue(int8Hits >= floatHits - 10, "int8 accuracy " + int8Hits + " vs float " + floatHits);
        }
    }

    @Test
    void nativeMatchesTheReferenceBackend() {
        float[][] x = java.util.Arrays.copyOf(SPLITS.test().x(), 37);
        try (Sequential nat = copy()) {
            Sequential r = new Sequential(Backends.reference(), 1);
            try (r) {
                r.add(new Input(784));
                r.add(new Dense(150, "relu"));
                r.add(new Dense(150, "relu"));
                r.add(new Dense(100, "relu"));
                r.add(new Dense(10, "softmax"));
                r.setWeights(trained.getWeights());
                nat.quantize("int8");
                r.quantize("int8");
                float[][] a = nat.predict(x), b = r.predict(x);
                for (int i = 0; i < a.length; i++) assertArrayEquals(b[i], a[i], 1e-5f, "row " + i);
            }
        }
    }

    @Test
    void kernelChangesAreRefusedAndTheModelStaysUsable() {
        Dataset test = SPLITS.test();
        try (Sequential q = copy()) {
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> q.quantize("int4"));
            assertEquals("quantize: mode must be one of [int8], got mode=\"int4\"", bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> q.quantize(null));
            assertNull(q.quantizationMode(), "a refused mode changes nothing");
            assertArrayEquals(floatOut[0], q.predict(new float[][] {test.x()[0]})[0], 1e-6f); // float still
            q.quantize("int8");
            float[][] before = q.predict(test.x(), 100);
            List<float[]> weights = q.getWeights();
            List<float[]> changed = new java.util.ArrayList<>(weights);
            changed.set(2, weights.get(2).clone());
            changed.get(2)[7] += 0.5f; // dense_1's kernel
            List<float[]> dense = q.getLayer("dense").getWeights();
            dense.set(0, dense.get(0).clone());
            dense.get(0)[0] = -dense.get(0)[0] - 1f;
            for (var call : List.<Runnable>of(() -> q.setWeights(changed), () -> q.getLayer("dense").setWeights(dense))) {
                IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
                assertTrue(e.getMessage().contains("is quantized (int8), so the kernel of Dense") && e.getMessage().contains("cannot change"),
                        e.getMessage());
            }
            q.setWeights(weights); // the kernels as they are: accepted (EarlyStopping's and BackupAndRestore's restore)
            q.quantize("int8"); // again: nothing to do, as Keras skips quantized layers
            float[][] after = q.predict(test.x(), 100);
            for (int i = 0; i < after.length; i++) assertArrayEquals(before[i], after[i]);
            for (int i = 0; i < weights.size(); i++) assertArrayEquals(weights.get(i), q.getWeights().get(i));
            float[] scores = q.evaluate(test, 100); // compiled before quantize: evaluate runs int8
            assertTrue(scores[1] > 0.6, "int8 accuracy " + scores[1]);
            q.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
            assertArrayEquals(scores, q.evaluate(test, 100));
        }
    }

    @Test
    void inferenceAllocatesNoMoreThanTheFloatModelsAfterWarmUp() {
        try (Sequential f = copy(); Sequential q = copy();
                dev.sinew.tensor.Tensor x = dev.sinew.tensor.Tensor.fromRows(java.util.Arrays.copyOf(SPLITS.test().x(), 200))) {
            q.quantize("int8");
            for (int i = 0; i < 20; i++) {
                f.predictOnBatch(x);
                q.predictOnBatch(x);
            }
            long offHeap = q.offHeapBytes();
            long t = MemoryTest.allAllocatedBytes();
            for (int i = 0; i < 100; i++) f.predictOnBatch(x);
            double floatBytes = (MemoryTest.allAllocatedBytes() - t) / 100.0;
            t = MemoryTest.allAllocatedBytes();
            for (int i = 0; i < 100; i++) q.predictOnBatch(x);
            double int8Bytes = (MemoryTest.allAllocatedBytes() - t) / 100.0;
            System.out.printf("QuantizeTest: heap bytes per predictOnBatch of 200 rows: float %.0f, int8 %.0f (the result is ~%d)%n",
                    floatBytes, int8Bytes, 200 * (16 + 10 * 4) + 816);
            assertEquals(offHeap, q.offHeapBytes(), "off-heap bytes after warm-up");
            assertTrue(int8Bytes <= floatBytes + 256, "heap bytes per call: int8 " + int8Bytes + ", float " + floatBytes);
        }
    }

    @Test
    void threadsPredictingAtOnceGetWhatOneThreadGets() throws Exception {
        float[][] x = java.util.Arrays.copyOf(SPLITS.test().x(), 64);
        try (Sequential q = copy()) {
            q.quantize("int8");
            float[][] want = q.predict(x, 32);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
            try {
                List<java.util.concurrent.Future<float[][]>> got = new java.util.ArrayList<>();
                for (int t = 0; t < 12; t++) got.add(pool.submit(() -> q.predict(x, 32)));
                for (var f : got) {
                    float[][] p = f.get();
                    for (int i = 0; i < p.length; i++) assertArrayEquals(want[i], p[i], "row " + i);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void aDenseTooWideForExactInt32SumsIsRefusedAndTheModelStaysFloat() {
        int in = dev.sinew.backend.Backend.INT8_MAX_K + 1;
        try (Sequential s = new Sequential(1)) {
            s.add(new Input(in));
            s.add(new Dense(2));
            float[][] x = {new float[in]};
            x[0][5] = 1f;
            float[] before = s.predict(x)[0];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.quantize("int8"));
            assertTrue(e.getMessage().contains("at most " + dev.sinew.backend.Backend.INT8_MAX_K + " inputs"), e.getMessage());
            assertNull(s.quantizationMode());
            assertArrayEquals(before, s.predict(x)[0]);
        }
    }

    @Test
    void aViewOfAQuantizedModelRunsItsLayersInInt8() {
        float[][] x = java.util.Arrays.copyOf(SPLITS.test().x(), 30);
        try (Sequential q = copy(); Model features = new Model(q.input(), q.output("dense_1"))) {
            float[][] before = features.predict(x); // float, and leaves an idle float executor behind
            q.quantize("int8");
            assertEquals("int8", features.quantizationMode());
            float[][] after = features.predict(x);
            boolean differs = false;
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < before[i].length; j++) differs |= before[i][j] != after[i][j];
                assertArrayEquals(before[i], after[i], 0.1f, "row " + i);
            }
            assertTrue(differs, "the view runs the int8 layers");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> features.quantize("int8"));
            assertTrue(e.getMessage().contains("cannot be quantized"), e.getMessage());
        }
    }

    @Test
    void saveAndLoadKeepTheQuantization(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("q.sinew");
        float[][] x = java.util.Arrays.copyOf(SPLITS.test().x(), 50);
        try (Sequential q = copy()) {
            q.quantize("int8");
            float[][] want = q.predict(x);
            q.save(file);
            try (Model loaded = Model.load(file)) {
                assertEquals("int8", loaded.quantizationMode());
                float[][] got = loaded.predict(x);
                for (int i = 0; i < got.length; i++) assertArrayEquals(want[i], got[i], "row " + i);
            }
        }
    }

    @Test
    void aFunctionalModelQuantizesItsDenseLayersOnly() {
        float[][] x = java.util.Arrays.copyOf(SPLITS.test().x(), 20);
        var in = Input.of(784);
        // gelu (its backward would need z) and no bias: the int8 forward applies what the Dense has
        var hidden = new Dense(32, "relu").apply(new Dense(48, "gelu").useBias(false).apply(in));
        var out = new Dense(10, "softmax").apply(new Dropout(0.2).apply(hidden));
        try (Model f = new Model(in, out, 3)) {
            float[][] before = f.predict(x);
            f.quantize("int8");
            float[][] after = f.predict(x);
            for (int i = 0; i < x.length; i++) {
                assertEquals(argmax(before[i]), argmax(after[i]), "row " + i);
                assertArrayEquals(before[i], after[i], 0.02f, "row " + i);
            }
        }
    }
}
