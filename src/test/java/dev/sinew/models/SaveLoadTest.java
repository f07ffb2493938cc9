package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.io.Npy;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Input;
import dev.sinew.layers.Layer;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save → load → predict is identical; broken files are rejected clearly; saving is atomic. */
class SaveLoadTest {
    static final Dataset DATA = Datasets.fashionMnistSample().test();

    static Sequential trained() {
        Sequential net = new Sequential(11);
        net.add(new Input(784));
        net.add(new Dense(64, "relu"));
        net.add(new Dropout(0.2));
        net.add(new Dense(32, "tanh"));
        net.add(new Dense(10, "softmax"));
        net.compile("categorical_crossentropy", new SGD(0.05, 0.9, true), "accuracy", "categorical_accuracy");
        net.fit(DATA, FitOptions.builder().batchSize(100).epochs(2).verbose(0).build());
        return net;
    }

    @Test
    void roundTripPredictsBitForBit(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.zip");
        try (Sequential net = trained()) {
            net.save(file);
            float[][] before = net.predict(DATA.x(), 100);
            try (Sequential loaded = Sequential.load(file)) {
                float[][] after = loaded.predict(DATA.x(), 100);
                for (int i = 0; i < before.length; i++) assertArrayEquals(before[i], after[i], 0f, "row " + i);
                assertEquals(net.summary(), loaded.summary());
                assertEquals(net.metricsNames(), loaded.metricsNames());
                SGD opt = (SGD) loaded.optimizer();
                assertEquals(0.05, opt.learningRate(), 1e-9);
                assertEquals(0.9, opt.momentum(), 1e-7);
                assertTrue(opt.nesterov());
                // a loaded model trains on
                assertTrue(Double.isFinite(loaded.fit(DATA, FitOptions.builder().batchSize(100).epochs(1).verbose(0).build()).last("loss")));
            }
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String config = new String(zip.getInputStream(zip.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8);
            System.out.println(config);
            assertTrue(config.contains("\"class_name\": \"Dense\"") && config.contains("\"units\": 64")
                    && config.contains("\"activation\": \"relu\"") && config.contains("\"loss\": \"categorical_crossentropy\""));
            byte[] kernel = zip.getInputStream(zip.getEntry("weights/000_dense_kernel.npy")).readAllBytes();
            String header = new String(kernel, 10, 118, StandardCharsets.US_ASCII);
            assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (784, 64), }", header.trim());
            assertEquals(0, (10 + 118) % 64, "numpy aligns the data to 64 bytes");
            assertArrayEquals(new int[] {784, 64}, Npy.read(kernel, "k").shape());
        }
    }

    @Test
    void convolutionalModelsRoundTripToo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cnn.zip");
        Dataset small = DATA.slice(0, 200);
        try (Sequential net = new Sequential(5)) {
            net.add(new Input(28, 28, 1));
            net.add(new dev.sinew.layers.RandomFlip("horizontal"));
            net.add(new dev.sinew.layers.RandomRotation(0.05));
            net.add(new dev.sinew.layers.RandomZoom(0.1));
            net.add(new dev.sinew.layers.RandomTranslation(0.1, 0.05));
            net.add(new dev.sinew.layers.Conv2D(4, 3, 2, "same", "relu"));
            net.add(new dev.sinew.layers.MaxPooling2D(2, 2, "valid"));
            net.add(new dev.sinew.layers.AveragePooling2D(3, 1, "same"));
            net.add(new dev.sinew.layers.Flatten());
            net.add(new Dense(10, "softmax"));
            net.compile("categorical_crossentropy", new SGD(0.05), "accuracy");
            net.fit(small, FitOptions.builder().batchSize(50).epochs(1).verbose(0).build());
            net.save(file);
            float[][] before = net.predict(small.x(), 50);
            try (Sequential loaded = Sequential.load(file)) {
                assertEquals(net.summary(), loaded.summary());
                float[][] after = loaded.predict(small.x(), 50);
                for (int i = 0; i < before.length; i++) assertArrayEquals(before[i], after[i], 0f, "row " + i);
            }
        }
    }

    @Test
    void brokenFilesAreRejectedClearly(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.zip");
        try (Sequential net = trained()) {
            net.save(good);
        }
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = dir.resolve("truncated.zip");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        assertRejected(truncated, "truncated");

        Path garbage = dir.resolve("garbage.zip");
        Files.write(garbage, "this is not a model".getBytes(StandardCharsets.UTF_8));
        assertRejected(garbage, "not a Sinew model file");

        Path future = dir.resolve("future.zip");
        rewrite(good, future, "metadata.json", "{\"format\": \"sinew.model\", \"format_version\": 99}");
        assertRejected(future, "format version 99", "newer Sinew");

        Path badConfig = dir.resolve("bad-config.zip");
        rewrite(good, badConfig, "config.json", "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [}");
        assertRejected(badConfig, "invalid model config", "invalid JSON");

        assertRejected(dir.resolve("missing.zip"), "no model file");
    }

    static void assertRejected(Path p, String... fragments) {
        IOException e = assertThrows(IOException.class, () -> Sequential.load(p));
        System.out.println("rejected: " + e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), e.getMessage());
    }

    /** A copy of a model zip with one entry's content replaced. */
    static void rewrite(Path from, Path to, String entry, String content) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(e.getName().equals(entry) ? content.getBytes(StandardCharsets.UTF_8) : in.getInputStream(e).readAllBytes());
                out.closeEntry();
            }
        }
    }

    /** A layer whose config cannot be written, to make a save fail half-way. */
    static final class Unsaveable extends Layer {
        @Override
        protected Shape computeOutputShape(Shape in) {
            return in;
        }

        @Override
        public Map<String, Object> getConfig() {
            return Map.of("name", "unsaveable", "oops", new Object());
        }

        @Override
        public void allocate(Workspace w, int capacity) {}

        @Override
        public Tensor forward(Tensor x, int n, boolean training) {
            return x;
        }

        @Override
        public Tensor backward(Tensor dy, int n, boolean need) {
            return need ? dy : null;
        }
    }

    @Test
    void aFailedSaveLeavesThePreviousFileIntact(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.zip");
        try (Sequential net = trained()) {
            net.save(file);
        }
        byte[] before = Files.readAllBytes(file);
        try (Sequential bad = new Sequential(1)) {
            bad.add(new Input(4));
            bad.add(new Unsaveable());
            assertThrows(IllegalArgumentException.class, () -> bad.save(file));
        }
        assertArrayEquals(before, Files.readAllBytes(file), "the old model file is untouched");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        try (Sequential ok = Sequential.load(file)) {
            assertEquals(10, ok.predict(DATA.x(), 500)[0].length);
        }
    }
}
