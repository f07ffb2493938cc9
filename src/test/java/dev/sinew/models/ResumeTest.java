package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Input;
import dev.sinew.optimizers.Adam;
import dev.sinew.optimizers.Optimizer;
import dev.sinew.optimizers.SGD;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint and resume, bit for bit (issue 10, item 6): 3 epochs straight equal 1 epoch, save,
 * load, and 2 more ({@code initialEpoch(1)}): the same weight bits, optimizer state and counters.
 * The model has a Dropout layer, so its mask counter must travel in the file too.
 */
class ResumeTest {
    @TempDir
    Path dir;

    final SplittableRandom rng = new SplittableRandom(11);
    final float[][] x = TestUtil.uniform(rng, 600, 20, -1, 1);
    final float[][] y = TestUtil.oneHot(rng, 600, 4);

    static Sequential model(Optimizer optimizer) {
        Sequential m = new Sequential(5);
        m.add(new Input(20));
        m.add(new Dense(32, "relu"));
        m.add(new Dropout(0.2));
        m.add(new Dense(4, "softmax"));
        m.compile("categorical_crossentropy", optimizer, "accuracy");
        return m;
    }

    FitOptions epochs(int from, int to) {
        return FitOptions.builder().batchSize(50).epochs(to).initialEpoch(from).verbose(0).build();
    }

    void resumesBitForBit(Supplier<Optimizer> optimizer) throws IOException {
        List<float[]> straight;
        Sequential.TrainingState straightState;
        try (Sequential a = model(optimizer.get())) {
            a.fit(x, y, epochs(0, 3));
            straight = a.getWeights();
            straightState = a.trainingState();
            assertEquals(3, a.epoch());
        }
        Path file = dir.resolve("after-1.zip");
        try (Sequential b = model(optimizer.get())) {
            b.fit(x, y, epochs(0, 1));
            b.save(file);
        }
        try (Sequential c = Sequential.load(file)) {
            assertEquals(1, c.epoch());
            assertEquals(12, c.optimizer().iterations(), "600 rows in batches of 50: 12 steps per epoch");
            History h = c.fit(x, y, epochs(1, 3));
            assertEquals(2, h.epochs(), "epochs 2 and 3 only");
            List<float[]> resumed = c.getWeights();
            for (int i = 0; i < straight.size(); i++) {
                assertArrayEquals(straight.get(i), resumed.get(i), "weight " + i + " after resuming");
            }
            Sequential.TrainingState st = c.trainingState();
            assertEquals(straightState.iterations(), st.iterations());
            assertEquals(straightState.optimizerState().keySet(), st.optimizerState().keySet());
            for (String k : st.optimizerState().keySet()) {
                assertArrayEquals(straightState.optimizerState().get(k), st.optimizerState().get(k), "optimizer state " + k);
            }
            assertArrayEquals(straightState.layerRng().get("dropout"), st.layerRng().get("dropout"), "dropout's mask counter");
            System.out.printf("ResumeTest: %s, 3 epochs straight vs 1 + save/load + 2: identical bits in %d weights, %s%n",
                    c.optimizer().name(), straight.size(), st.optimizerState().keySet());
        }
    }

    @Test
    void sgdWithMomentumResumesBitForBit() throws IOException {
        resumesBitForBit(() -> SGD.builder().learningRate(0.05).momentum(0.9).build());
    }

    @Test
    void adamResumesBitForBit() throws IOException {
        resumesBitForBit(() -> new Adam(0.003));
    }

    /** Every optimizer's state travels: Nadam's scalar u_product, Adagrad's accumulators, EMA averages... */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "lion"})
    void everyOptimizerResumesBitForBit(String name) throws IOException {
        resumesBitForBit(() -> dev.sinew.optimizers.Optimizers.get(name));
    }

    @Test
    void anOptimizerWithEmaAndCentredRmspropResumesBitForBit() throws IOException {
        resumesBitForBit(() -> dev.sinew.optimizers.Optimizers.fromConfig("RMSprop",
                java.util.Map.of("centered", true, "momentum", 0.5, "use_ema", true, "ema_momentum", 0.9)));
    }

    /** Without the training state the run would not resume exactly: the test above can fail. */
    @Test
    void aFreshOptimizerDoesNotResumeTheSame() throws IOException {
        List<float[]> straight;
        try (Sequential a = model(new Adam(0.003))) {
            a.fit(x, y, epochs(0, 3));
            straight = a.getWeights();
        }
        try (Sequential b = model(new Adam(0.003))) {
            b.fit(x, y, epochs(0, 1));
            b.compile("categorical_crossentropy", new Adam(0.003), "accuracy"); // state and iterations lost
            b.fit(x, y, epochs(1, 3));
            assertFalse(java.util.Arrays.equals(straight.get(0), b.getWeights().get(0)));
        }
    }

    /** A version 1 file (weights only) still loads: same predictions, a fresh optimizer. */
    @Test
    void versionOneFilesStillLoad() throws IOException {
        Path v2 = dir.resolve("v2.zip"), v1 = dir.resolve("v1.zip");
        float[][] before;
        try (Sequential m = model(SGD.builder().learningRate(0.05).momentum(0.9).build())) {
            m.fit(x, y, epochs(0, 1));
            before = m.predict(x);
            m.save(v2);
        }
        // What Sinew wrote before format version 2: no training_state.json, no optimizer/ entries.
        try (ZipFile in = new ZipFile(v2.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(v1))) {
            for (Enumeration<? extends ZipEntry> es = in.entries(); es.hasMoreElements(); ) {
                ZipEntry e = es.nextElement();
                if (e.getName().equals(ModelFile.TRAINING_STATE) || e.getName().startsWith("optimizer/")) continue;
                byte[] bytes;
                try (InputStream s = in.getInputStream(e)) {
                    bytes = s.readAllBytes();
                }
                if (e.getName().equals("metadata.json")) {
                    String meta = new String(bytes, StandardCharsets.UTF_8);
                    assertTrue(meta.contains("\"format_version\": 2"), meta);
                    bytes = meta.replace("\"format_version\": 2", "\"format_version\": 1").getBytes(StandardCharsets.UTF_8);
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        try (Sequential m = Sequential.load(v1)) {
            assertArrayEquals(before, m.predict(x));
            assertEquals(0, m.optimizer().iterations());
            assertEquals(0, m.epoch());
            m.fit(x, y, epochs(0, 1)); // and it trains
        }
    }
}
