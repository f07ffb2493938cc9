package dev.sinew.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.data.Idx;
import dev.sinew.data.IdxFormatException;
import dev.sinew.io.Json;
import dev.sinew.io.Npy;
import dev.sinew.layers.AveragePooling2D;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Input;
import dev.sinew.layers.MaxPooling2D;
import dev.sinew.layers.RandomZoom;
import dev.sinew.models.ModelFormatException;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, B3 (files): damaged and random model zips, {@code .npy} arrays and IDX files (raw and
 * gzip), and the JSON inside model files. The properties, for every case:
 * <ul>
 *   <li>a model file either loads, and the model then predicts, or is refused with a
 *       {@link ModelFormatException}; an {@code .npy} gives an array whose size matches its shape,
 *       or an {@link IOException}; an IDX file an array matching its dimensions, or an
 *       {@link IdxFormatException}; JSON a value or an {@link IllegalArgumentException};</li>
 *   <li>nothing else: no other exception, no {@link OutOfMemoryError} or
 *       {@link StackOverflowError} (the tests run with {@code -Xmx2g}), no crash.</li>
 * </ul>
 * Every truncation of each seed file is tried (of the smallest model file only, by default), then
 * seeded random mutations until the time is up. Defaults: 2 s of mutations for model zips and 1 s
 * for each other kind, under 10 s in all. Longer runs:
 * <pre>
 *   ./mvnw test -Dtest=FileFuzzTest -Dsinew.fuzz.seconds=300     # 300 s per kind
 *   ./mvnw test -Dtest=FileFuzzTest -Dsinew.fuzz.iterations=100000 -Dsinew.fuzz.seed=7
 * </pre>
 * A failing case is written to {@code target/fuzz-failures/} and named in the failure with its seed
 * and number. The same seed and number make the same mutation, but of seed model files that carry
 * the time they were saved, so the saved bytes are what reproduces a model case exactly.
 */
class FileFuzzTest {
    static final long SEED = Long.getLong("sinew.fuzz.seed", 20260901L);
    static final Long ITERATIONS = Long.getLong("sinew.fuzz.iterations");
    static final String SECONDS = System.getProperty("sinew.fuzz.seconds");
    static final Map<String, String> COUNTS = Collections.synchronizedMap(new LinkedHashMap<>());

    @TempDir
    static Path dir;

    static final List<byte[]> MODELS = new ArrayList<>();

    @BeforeAll
    static void seedFiles() throws IOException {
        // An MLP with dropout and a compiled optimizer, a small CNN, and an uncompiled model.
        try (Sequential mlp = new Sequential(1)) {
            mlp.add(new Input(4));
            mlp.add(new Dense(5, "relu"));
            mlp.add(new Dropout(0.25));
            mlp.add(new Dense(3, "softmax"));
            mlp.compile("categorical_crossentropy", new SGD(0.05, 0.9, true), "accuracy", "categorical_accuracy");
            MODELS.add(saved(mlp));
        }
        try (Sequential cnn = new Sequential(2)) {
            cnn.add(new Input(6, 6, 1));
            cnn.add(new RandomZoom(0.1));
            cnn.add(new Conv2D(2, 3, 1, "same", "relu"));
            cnn.add(new MaxPooling2D(2, 2, "valid"));
            cnn.add(new AveragePooling2D(2, 1, "same"));
            cnn.add(new Flatten());
            cnn.add(new Dense(2, "sigmoid"));
            cnn.compile("mean_squared_error", new SGD(0.1));
            MODELS.add(saved(cnn));
        }
        try (Sequential plain = new Sequential(3)) {
            plain.add(new Input(3));
            plain.add(new Dense(2, "tanh"));
            plain.getWeights(); // built, never compiled
            MODELS.add(saved(plain));
        }
    }

    static byte[] saved(Sequential model) throws IOException {
        Path p = dir.resolve("seed.zip");
        model.save(p);
        return Files.readAllBytes(p);
    }

    @AfterAll
    static void report() {
        System.out.println("fuzz (seed " + SEED + "): " + COUNTS);
    }

    // ------------------------------------------------------------------ the budget

    /** Runs cases until the iteration count (if given) or the time for this kind is used up. */
    static final class Budget {
        final long deadline;
        long cases;

        Budget(double defaultSeconds) {
            double s = SECONDS != null ? Double.parseDouble(SECONDS) : defaultSeconds;
            deadline = System.nanoTime() + (long) (s * 1e9);
        }

        boolean more() {
            return ITERATIONS != null ? cases < ITERATIONS : System.nanoTime() < deadline;
        }
    }

    /** The random generator for case {@code n} of a kind: cases are reproducible one by one. */
    static SplittableRandom rng(String kind, long n) {
        return new SplittableRandom(SEED * 0x9E3779B97F4A7C15L + kind.hashCode() * 0x632BE59BD9B4E019L + n);
    }

    /** Collects the first failures (with the input saved) instead of stopping at the first. */
    static final class Failures {
        final List<String> messages = new ArrayList<>();

        void add(String kind, long n, String how, byte[] input, Throwable t) {
            if (messages.size() >= 10) return;
            String file = "?";
            try {
                Path out = Path.of("target", "fuzz-failures");
                Files.createDirectories(out);
                Path f = out.resolve(kind + "-seed" + SEED + "-case" + n + ".bin");
                Files.write(f, input);
                file = f.toString();
            } catch (IOException e) {
                file = "(not saved: " + e + ")";
            }
            messages.add(kind + " case " + n + " (" + how + ", saved as " + file + "): " + t);
            t.printStackTrace();
        }

        void check(String kind) {
            assertTrue(messages.isEmpty(), kind + ": " + messages.size() + " failing cases (seed " + SEED + "):\n"
                    + String.join("\n", messages));
        }
    }

    // ------------------------------------------------------------------ model zips

    @Test
    void modelZips() throws IOException {
        Path file = dir.resolve("fuzz.zip");
        Failures failures = new Failures();
        long[] outcome = new long[2]; // loaded and predicted, refused
        long n = 0;
        // Every truncation of the smallest seed model (of all of them in a long run); the mutations
        // below truncate the others at random offsets.
        boolean longRun = SECONDS != null || ITERATIONS != null;
        for (byte[] model : longRun ? MODELS : List.of(MODELS.stream().min(java.util.Comparator.comparingInt(b -> b.length)).get())) {
            for (int len = 0; len < model.length; len++, n++) {
                loadModel(file, java.util.Arrays.copyOf(model, len), "truncated to " + len, n, outcome, failures);
            }
        }
        long truncations = n;
        Budget budget = new Budget(2);
        while (budget.more()) {
            SplittableRandom rnd = rng("model", budget.cases++);
            byte[] model = MODELS.get(rnd.nextInt(MODELS.size()));
            Mutations.Mutant m = rnd.nextInt(3) == 0 ? Mutations.bytes(model, rnd) : mutateEntry(model, rnd);
            loadModel(file, m.bytes(), m.how(), n++, outcome, failures);
        }
        COUNTS.put("model zips", n + " cases (" + truncations + " truncations, " + budget.cases + " mutations; " + outcome[0]
                + " loaded and predicted, " + outcome[1] + " refused)");
        failures.check("model zips");
        assertTrue(outcome[0] > 0 && outcome[1] > 0, "the cases both load and fail: " + outcome[0] + " / " + outcome[1]);
    }

    /** The zip rebuilt with one entry's content mutated: JSON by token, .npy by bytes (mostly in the header). */
    static Mutations.Mutant mutateEntry(byte[] model, SplittableRandom rnd) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (var zin = new java.util.zip.ZipInputStream(new ByteArrayInputStream(model))) {
            for (ZipEntry e; (e = zin.getNextEntry()) != null; ) entries.put(e.getName(), zin.readAllBytes());
        }
        List<String> names = new ArrayList<>(entries.keySet());
        // config.json most often: it has the most to interpret.
        String name = rnd.nextInt(2) == 0 ? "config.json" : names.get(rnd.nextInt(names.size()));
        byte[] content = entries.get(name);
        Mutations.Mutant m;
        if (name.endsWith(".json")) {
            m = Mutations.json(new String(content, StandardCharsets.UTF_8), rnd);
        } else if (rnd.nextInt(4) > 0 && content.length > 128) {
            Mutations.Mutant head = Mutations.bytes(java.util.Arrays.copyOf(content, 128), rnd);
            byte[] joined = java.util.Arrays.copyOf(head.bytes(), head.bytes().length + content.length - 128);
            System.arraycopy(content, 128, joined, head.bytes().length, content.length - 128);
            m = new Mutations.Mutant(joined, ".npy header: " + head.how());
        } else {
            m = Mutations.bytes(content, rnd);
        }
        int action = rnd.nextInt(20);
        if (action == 0) {
            entries.remove(name);
        } else {
            entries.put(name, m.bytes());
        }
        if (action == 1) entries.put(name + "x", m.bytes()); // an extra entry, ignored
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zout = new ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                zout.putNextEntry(new ZipEntry(e.getKey()));
                zout.write(e.getValue());
                zout.closeEntry();
            }
        }
        return new Mutations.Mutant(out.toByteArray(), (action == 0 ? "removed " + name : name + ": " + m.how()));
    }

    static void loadModel(Path file, byte[] bytes, String how, long n, long[] outcome, Failures failures) {
        try {
            Files.write(file, bytes);
            try (Sequential model = Sequential.load(file)) {
                long width = model.inputShape().size();
                if (width <= 100_000) {
                    float[][] x = new float[2][(int) width];
                    for (int i = 0; i < width; i++) x[1][i] = (i % 7) - 3;
                    float[][] y = model.predict(x);
                    assertEquals(2, y.length);
                    assertEquals(model.layers().getLast().outputShape().size(), y[0].length);
                }
                outcome[0]++;
            }
        } catch (ModelFormatException e) {
            outcome[1]++;
            if (!e.getMessage().startsWith(file.toString())) failures.add("model", n, how, bytes, e);
        } catch (Throwable t) {
            failures.add("model", n, how, bytes, t);
        }
    }

    // ------------------------------------------------------------------ .npy

    @Test
    void npyArrays() {
        List<byte[]> seeds = List.of(Npy.write(new int[] {4, 5}, new float[20]), Npy.write(new int[] {3}, new float[] {1, 2, 3}),
                Npy.write(new int[] {2, 1, 3, 2}, new float[12]));
        Failures failures = new Failures();
        long[] outcome = new long[2];
        long n = 0;
        for (byte[] s : seeds) {
            for (int len = 0; len < s.length; len++) readNpy(java.util.Arrays.copyOf(s, len), "truncated to " + len, n++, outcome, failures);
        }
        Budget budget = new Budget(1);
        while (budget.more()) {
            SplittableRandom rnd = rng("npy", budget.cases++);
            byte[] s = seeds.get(rnd.nextInt(seeds.size()));
            Mutations.Mutant m = Mutations.bytes(s, rnd);
            if (rnd.nextBoolean()) { // aim at the header's text: the shape tuple and the dict
                String text = new String(m.bytes(), StandardCharsets.ISO_8859_1);
                Mutations.Mutant t = Mutations.json(text.replace('(', '[').replace(')', ']'), rnd);
                String back = new String(t.bytes(), StandardCharsets.ISO_8859_1).replace('[', '(').replace(']', ')');
                m = new Mutations.Mutant(back.getBytes(StandardCharsets.ISO_8859_1), m.how() + "; " + t.how());
            }
            readNpy(m.bytes(), m.how(), n++, outcome, failures);
        }
        COUNTS.put("npy", n + " cases (" + outcome[0] + " read, " + outcome[1] + " refused)");
        failures.check("npy");
    }

    static void readNpy(byte[] bytes, String how, long n, long[] outcome, Failures failures) {
        try {
            Npy.Array a = Npy.read(bytes, "w.npy");
            long size = 1;
            for (int d : a.shape()) {
                assertTrue(d >= 0, "dimension " + d);
                size *= d;
            }
            assertEquals(size, a.data().length);
            outcome[0]++;
        } catch (IOException e) {
            outcome[1]++;
            if (!e.getMessage().startsWith("w.npy")) failures.add("npy", n, how, bytes, e);
        } catch (Throwable t) {
            failures.add("npy", n, how, bytes, t);
        }
    }

    // ------------------------------------------------------------------ IDX

    static byte[] idx(int[] dims, SplittableRandom rnd) {
        long size = 1;
        for (int d : dims) size *= d;
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + (int) size);
        b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        byte[] data = new byte[(int) size];
        rnd.nextBytes(data);
        return b.put(data).array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    @Test
    void idxFiles() throws IOException {
        SplittableRandom init = new SplittableRandom(SEED);
        List<byte[]> seeds = new ArrayList<>();
        for (int[] dims : new int[][] {{5, 4, 3}, {12}, {2, 3, 2, 2}}) {
            byte[] raw = idx(dims, init);
            seeds.add(raw);
            seeds.add(gzip(raw));
        }
        Path file = dir.resolve("fuzz.idx");
        Failures failures = new Failures();
        long[] outcome = new long[2];
        long n = 0;
        for (byte[] s : seeds) {
            for (int len = 0; len < s.length; len++) readIdx(file, java.util.Arrays.copyOf(s, len), "truncated to " + len, n++, outcome, failures);
        }
        Budget budget = new Budget(1);
        while (budget.more()) {
            SplittableRandom rnd = rng("idx", budget.cases++);
            byte[] s = seeds.get(rnd.nextInt(seeds.size()));
            Mutations.Mutant m;
            if (s[0] == 0x1f && rnd.nextBoolean()) { // gzip of a mutated raw file: the damage gets past the inflater
                Mutations.Mutant inner = Mutations.bytes(seeds.get(seeds.indexOf(s) - 1), rnd);
                m = new Mutations.Mutant(gzip(inner.bytes()), "gzip of: " + inner.how());
            } else {
                m = Mutations.bytes(s, rnd);
            }
            readIdx(file, m.bytes(), m.how(), n++, outcome, failures);
        }
        COUNTS.put("idx", n + " cases, each from a file and a stream (" + outcome[0] + " read, " + outcome[1] + " refused)");
        failures.check("idx");
    }

    static void readIdx(Path file, byte[] bytes, String how, long n, long[] outcome, Failures failures) {
        try {
            Files.write(file, bytes);
            Idx.Array fromFile = null, fromStream = null;
            IdxFormatException fileError = null, streamError = null;
            try {
                fromFile = Idx.read(file);
            } catch (IdxFormatException e) {
                fileError = e;
            }
            try {
                fromStream = Idx.read(new ByteArrayInputStream(bytes), "s.idx");
            } catch (IdxFormatException e) {
                streamError = e;
            }
            assertEquals(fileError == null, streamError == null, "a file and a stream of the same bytes agree: " + fileError + " / "
                    + streamError);
            if (fromFile != null) {
                long size = 1;
                for (int d : fromFile.dims()) size *= d;
                assertEquals(size, fromFile.data().length);
                assertTrue(java.util.Arrays.equals(fromFile.data(), fromStream.data()));
                outcome[0]++;
            } else {
                outcome[1]++;
            }
        } catch (Throwable t) {
            failures.add("idx", n, how, bytes, t);
        }
    }

    // ------------------------------------------------------------------ JSON

    @Test
    void jsonInModelFiles() throws IOException {
        List<String> seeds = new ArrayList<>();
        for (byte[] model : MODELS) {
            Path p = dir.resolve("json-seed.zip");
            Files.write(p, model);
            try (ZipFile z = new ZipFile(p.toFile())) {
                for (String name : List.of("config.json", "metadata.json")) {
                    seeds.add(new String(z.getInputStream(z.getEntry(name)).readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        Failures failures = new Failures();
        long[] outcome = new long[2];
        Budget budget = new Budget(1);
        while (budget.more()) {
            long n = budget.cases++;
            SplittableRandom rnd = rng("json", n);
            Mutations.Mutant m = Mutations.json(seeds.get(rnd.nextInt(seeds.size())), rnd);
            try {
                Json.parse(new String(m.bytes(), StandardCharsets.UTF_8));
                outcome[0]++;
            } catch (IllegalArgumentException e) {
                outcome[1]++;
            } catch (Throwable t) {
                failures.add("json", n, m.how(), m.bytes(), t);
            }
        }
        COUNTS.put("json", budget.cases + " cases (" + outcome[0] + " parsed, " + outcome[1] + " refused)");
        failures.check("json");
    }
}
