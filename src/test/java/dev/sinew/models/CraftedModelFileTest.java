package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sinew.io.Json;
import dev.sinew.io.Npy;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Input;
import dev.sinew.optimizers.SGD;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, A7: a crafted or damaged model file gives a {@link ModelFormatException} (an
 * {@link IOException}) whose message names the entry and what is wrong, never another exception,
 * an {@link OutOfMemoryError} or a {@link StackOverflowError}; and a load reads no more than the
 * config says the weights need.
 */
class CraftedModelFileTest {
    static final String KERNEL = "weights/000_dense_kernel.npy";
    static final long GB3 = 3L << 30;

    @TempDir
    Path dir;
    Path good;

    /** Input(4) -> Dense(5) -> Dense(2): the file every test starts from. */
    @BeforeEach
    void saveAGoodModel() throws IOException {
        good = dir.resolve("good.zip");
        try (Sequential net = new Sequential(7)) {
            net.add(new Input(4));
            net.add(new Dense(5, "relu"));
            net.add(new Dense(2, "softmax"));
            net.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
            net.save(good);
        }
    }

    /** Loads {@code zip} and checks that it fails with a ModelFormatException whose message holds every fragment. */
    IOException rejected(CraftedZip zip, String... fragments) throws IOException {
        Path file = dir.resolve("crafted.zip");
        zip.write(file);
        return rejected(file, fragments);
    }

    static IOException rejected(Path file, String... fragments) {
        Throwable t = null;
        try (Sequential ignored = Sequential.load(file)) {
            fail("loaded a crafted file");
        } catch (Throwable e) {
            t = e;
        }
        if (!(t instanceof ModelFormatException e)) throw new AssertionError("expected a ModelFormatException, got " + t, t);
        System.out.println("rejected: " + e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        return e;
    }

    String config() throws IOException {
        return CraftedZip.copyOf(good).text("config.json");
    }

    /** The good file with config.json's text changed by {@code from -> to} replacements, in pairs. */
    CraftedZip withConfig(String... fromTo) throws IOException {
        String c = config();
        for (int i = 0; i < fromTo.length; i += 2) {
            assertTrue(c.contains(fromTo[i]), fromTo[i] + " not in " + c);
            c = c.replace(fromTo[i], fromTo[i + 1]);
        }
        return CraftedZip.copyOf(good).put("config.json", c);
    }

    /** The 128 bytes that start a float32 .npy of this shape, e.g. "(4, 5)". */
    static byte[] npyHeader(String shape) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        dict += " ".repeat(128 - 10 - 1 - dict.length()) + "\n";
        return ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 1).put((byte) 0).putShort((short) dict.length()).put(dict.getBytes(StandardCharsets.US_ASCII)).array();
    }

    // ------------------------------------------------------------------ zip bombs

    @Test
    void aThreeGigabyteWeightInAThreeMegabyteZipIsRejectedBeforeItIsInflated() throws IOException {
        // Declared honestly: the central directory says 3 GB.
        byte[] bomb = CraftedZip.deflatedZeros(npyHeader("(4, 5)"), GB3);
        System.out.println("zip bomb: " + bomb.length + " bytes of deflate data for " + GB3 + " bytes");
        CraftedZip honest = CraftedZip.copyOf(good).put(new CraftedZip.Entry(KERNEL, true, bomb, 0, GB3 + 128));
        rejected(honest, KERNEL, String.valueOf(GB3 + 128), "(4, 5)");
        assertTrue(Files.size(dir.resolve("crafted.zip")) < 4 << 20, "the crafted file is small");
    }

    @Test
    void aWeightThatInflatesBeyondItsDeclaredSizeIsCutOff() throws IOException {
        // The headers say 208 bytes (a 4x5 float32 .npy); the data inflates to 3 GB.
        byte[] bomb = CraftedZip.deflatedZeros(npyHeader("(4, 5)"), GB3);
        rejected(CraftedZip.copyOf(good).put(new CraftedZip.Entry(KERNEL, true, bomb, 0, 128 + 80)), KERNEL, "more than");
    }

    @Test
    void aConfigBombIsRejected() throws IOException {
        byte[] bomb = CraftedZip.deflatedZeros("{\"a\": \"".getBytes(StandardCharsets.UTF_8), GB3);
        rejected(CraftedZip.copyOf(good).put(new CraftedZip.Entry("config.json", true, bomb, 0, GB3)), "config.json", "larger");
        rejected(CraftedZip.copyOf(good).put(new CraftedZip.Entry("config.json", true, bomb, 0, 2000)), "config.json", "more than");
        rejected(CraftedZip.copyOf(good).put(new CraftedZip.Entry("metadata.json", true, bomb, 0, 100)), "metadata.json", "more than");
    }

    @Test
    void aModelLargerThanTheHeapIsRefusedBeforeItsWeightsAreRead() throws IOException {
        // A legal file, as far as its format goes: a 784 x 600,000 kernel of zeros (1.9 GB), declared
        // honestly, in a few MB. Reading it cannot fit in this JVM's heap (-Xmx2g in the tests).
        int units = 600_000;
        long bytes = 128 + 4L * 784 * units;
        // Reading holds the entry's bytes and the floats made from them: 2 x 1.9 GB.
        assertTrue(2 * bytes > Runtime.getRuntime().maxMemory(), "the test assumes the weights exceed the heap");
        CraftedZip zip = withConfig("\"batch_shape\": [null, 4]", "\"batch_shape\": [null, 784]",
                "\"units\": 5", "\"units\": " + units);
        zip.put(new CraftedZip.Entry(KERNEL, true, CraftedZip.deflatedZeros(npyHeader("(784, " + units + ")"), bytes - 128), 0, bytes));
        rejected(zip, "heap", "-Xmx");
    }

    // ------------------------------------------------------------------ config.json

    @Test
    void deeplyNestedJsonIsRejectedWithoutAStackOverflow() throws IOException {
        for (int depth : new int[] {5_000, 200_000}) {
            String nested = "[".repeat(depth) + "]".repeat(depth);
            rejected(withConfig("\"layers\": [", "\"layers\": [" + nested + ", "), "config.json", "nested deeper than");
        }
        rejected(CraftedZip.copyOf(good).put("metadata.json", "{\"a\": " + "{\"a\": ".repeat(10_000)), "metadata.json",
                "nested deeper than");
    }

    @Test
    void unitsOfTwoToThe31MinusOneAreRejected() throws IOException {
        rejected(withConfig("\"units\": 5", "\"units\": 2147483647"), "config.json", "2147483647");
        rejected(withConfig("\"units\": 5", "\"units\": 2147483648"), "config.json", "2147483648");
        rejected(withConfig("\"units\": 5", "\"units\": 99999999999999999999999"), "config.json", "units");
    }

    @Test
    void aModelWithoutLayersIsRejected() throws IOException {
        rejected(CraftedZip.copyOf(good).put("config.json", "{\"class_name\": \"Sequential\", \"config\": {\"layers\": []}}"),
                "config.json", "no layers");
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) Json.parse(config());
        @SuppressWarnings("unchecked")
        List<Object> layers = (List<Object>) ((Map<String, Object>) c.get("config")).get("layers");
        layers.removeFirst(); // the InputLayer
        rejected(CraftedZip.copyOf(good).put("config.json", Json.write(c)), "config.json", "InputLayer");
    }

    @Test
    void integersInTheConfigMustBeIntegral() throws IOException {
        // 5.0 is the integer 5 written as a float (as Python's json may): accepted.
        Path file = dir.resolve("five.zip");
        withConfig("\"units\": 5", "\"units\": 5.0").write(file);
        try (Sequential loaded = Sequential.load(file); Sequential original = Sequential.load(good)) {
            assertArrayEquals(original.getWeights().get(0), loaded.getWeights().get(0));
        }
        // 5.7 used to load as 5 units.
        rejected(withConfig("\"units\": 5", "\"units\": 5.7"), "config.json", "units", "5.7");
        rejected(withConfig("\"batch_shape\": [null, 4]", "\"batch_shape\": [null, 4.5]"), "config.json", "batch_shape", "4.5");
        rejected(withConfig("\"batch_shape\": [null, 4]", "\"batch_shape\": [null, -4]"), "config.json", "batch_shape", "-4");
        rejected(withConfig("\"seed\": 7", "\"seed\": 7.5"), "config.json", "seed", "7.5");
        rejected(withConfig("\"units\": 5", "\"units\": 1e300"), "config.json", "units");
    }

    @Test
    void aConvolutionsPairsMustBeIntegral() throws IOException {
        Path cnn = dir.resolve("cnn.zip");
        try (Sequential net = new Sequential(1)) {
            net.add(new Input(6, 6, 1));
            net.add(new Conv2D(2, 3, 1, "valid", "relu"));
            net.add(new Flatten());
            net.add(new Dense(2, "softmax"));
            net.save(cnn);
        }
        String c = CraftedZip.copyOf(cnn).text("config.json");
        assertTrue(c.contains("\"kernel_size\": [3, 3]"), c);
        rejected(CraftedZip.copyOf(cnn).put("config.json", c.replace("\"kernel_size\": [3, 3]", "\"kernel_size\": [3, 3.25]")),
                "config.json", "kernel_size", "3.25");
        rejected(CraftedZip.copyOf(cnn).put("config.json", c.replace("\"kernel_size\": [3, 3]", "\"kernel_size\": [3]")),
                "config.json", "kernel_size");
    }

    /** Wrong types, missing keys and odd values anywhere in the config: always an IOException naming config.json. */
    @Test
    void everyMalformedConfigIsAnIOException() throws IOException {
        String[][] edits = {
            {"\"layers\": [", "\"layers\": 3, \"x\": ["},
            {"\"class_name\": \"Dense\"", "\"class_name\": 7"},
            {"\"class_name\": \"Dense\"", "\"class_name\": \"Dance\""},
            {"\"activation\": \"relu\"", "\"activation\": \"relux\""},
            {"\"loss\": \"categorical_crossentropy\"", "\"loss\": 1"},
            {"\"metrics\": [\"accuracy\"]", "\"metrics\": [1]"},
            {"\"metrics\": [\"accuracy\"]", "\"metrics\": \"accuracy\""},
            {"\"learning_rate\": 0.1", "\"learning_rate\": -0.1"},
            {"\"learning_rate\": 0.1", "\"learning_rate\": \"fast\""},
            {"\"class_name\": \"SGD\"", "\"class_name\": \"Adam\""},
            {"\"batch_shape\": [null, 4]", "\"batch_shape\": 4"},
            {"\"batch_shape\": [null, 4]", "\"batch_shape\": [null]"},
            {"\"batch_shape\": [null, 4]", "\"batch_shape\": [null, 2147483647, 2147483647]"},
            {"\"seed\": 7", "\"seed\": null"},
            {"\"class_name\": \"Sequential\"", "\"class_name\": \"Functional\""},
        };
        for (String[] e : edits) rejected(withConfig(e), "config.json");
        rejected(CraftedZip.copyOf(good).put("config.json", "[]"), "config.json");
        rejected(CraftedZip.copyOf(good).put("config.json", "\"text\""), "config.json");
        rejected(CraftedZip.copyOf(good).put("config.json", new byte[] {(byte) 0xff, (byte) 0xfe, 0}), "config.json");
        rejected(CraftedZip.copyOf(good).put("metadata.json", "{\"format\": \"sinew.model\", \"format_version\": 1.5}"),
                "metadata.json", "1.5");
        rejected(CraftedZip.copyOf(good).put("metadata.json", "{\"format\": \"sinew.model\"}"), "metadata.json", "format_version");
        rejected(CraftedZip.copyOf(good).put("metadata.json", "[1]"), "metadata.json");
    }

    // ------------------------------------------------------------------ weights

    @Test
    void aNpyHeaderLengthOf2To31IsRejected() throws IOException {
        byte[] npy = Npy.write(new int[] {4, 5}, new float[20]);
        byte[] v2 = ByteBuffer.allocate(npy.length + 2).order(ByteOrder.LITTLE_ENDIAN)
                .put(npy, 0, 6).put((byte) 2).put((byte) 0).putInt(0x7fffffff).put(npy, 10, npy.length - 10).array();
        rejected(CraftedZip.copyOf(good).put(KERNEL, v2), KERNEL, "header");
    }

    @Test
    void weightsOfTheWrongShapeOrSizeAreRejected() throws IOException {
        rejected(CraftedZip.copyOf(good).put(KERNEL, Npy.write(new int[] {5, 4}, new float[20])), KERNEL, "(5, 4)", "(4, 5)");
        byte[] negative = new String(Npy.write(new int[] {4, 5}, new float[20]), StandardCharsets.ISO_8859_1)
                .replace("(4, 5)", "(-4,-5)").getBytes(StandardCharsets.ISO_8859_1);
        rejected(CraftedZip.copyOf(good).put(KERNEL, negative), KERNEL, "-4");
        byte[] npy = Npy.write(new int[] {4, 5}, new float[20]);
        rejected(CraftedZip.copyOf(good).put(KERNEL, Arrays.copyOf(npy, npy.length - 1)), KERNEL);
        rejected(CraftedZip.copyOf(good).put(KERNEL, Arrays.copyOf(npy, npy.length + 4)), KERNEL);
        CraftedZip missing = CraftedZip.copyOf(good);
        CraftedZip without = new CraftedZip();
        for (String name : List.of("metadata.json", "config.json", "weights/001_dense_bias.npy", "weights/002_dense_1_kernel.npy",
                "weights/003_dense_1_bias.npy")) {
            without.put(name, missing.content(name));
        }
        rejected(without, KERNEL, "missing");
    }

    @Test
    void aWrongChecksumIsRejected() throws IOException {
        CraftedZip zip = CraftedZip.copyOf(good);
        byte[] content = zip.content(KERNEL);
        content[200] ^= 1; // one bit of one weight
        CraftedZip.Entry e = new CraftedZip.Entry(KERNEL, true, CraftedZip.deflate(content), 12345, content.length);
        rejected(zip.put(e), KERNEL, "CRC");
    }

    /** Found by FileFuzzTest: a comment length running past the end made ZipFile throw a bare EOFException. */
    @Test
    void aZipDirectoryRecordRunningPastTheEndIsRejected() throws IOException {
        byte[] zip = Files.readAllBytes(good);
        int end = zip.length - 22; // the end-of-central-directory record; its last two bytes are the comment length
        assertEquals(0x06054b50, ByteBuffer.wrap(zip, end, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        zip[zip.length - 1] = 1; // a 256-byte comment that is not there
        Path file = dir.resolve("comment.zip");
        Files.write(file, zip);
        rejected(file, "not a Sinew model file", "truncated or corrupt");
    }

    @Test
    void theGoodFileStillLoads() throws IOException {
        Path copy = dir.resolve("copy.zip");
        CraftedZip.copyOf(good).write(copy); // the crafting itself is faithful
        try (Sequential a = Sequential.load(good); Sequential b = Sequential.load(copy)) {
            assertEquals(a.getWeights().size(), b.getWeights().size());
            for (int k = 0; k < a.getWeights().size(); k++) assertArrayEquals(a.getWeights().get(k), b.getWeights().get(k));
        }
        assertThrows(IOException.class, () -> Sequential.load(dir.resolve("nothing-here.zip")));
    }
}
