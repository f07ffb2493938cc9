package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sinew.layers.Activation;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted functional configs (the inbound nodes of a file are untrusted): self-references,
 * cycles, node indices beyond any application, a shared layer applied to tensors of two shapes,
 * and a chain of tens of thousands of layers listed last to first give a {@link ModelFormatException}
 * or a model, never a hang or a {@link StackOverflowError}.
 */
class CraftedFunctionalFileTest {
    @TempDir
    Path dir;
    Path good;

    /** Input(4) -> Activation -> Dense(2): the file whose metadata and training state every crafted file reuses. */
    @BeforeEach
    void saveAGoodModel() throws IOException {
        good = dir.resolve("good.zip");
        var in = Input.of(4);
        try (Model m = new Model(in, new Dense(2).apply(new Activation("linear").apply(in)), 1)) {
            m.save(good);
        }
    }

    static final String INPUT = "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4], \"name\": \"input_layer\"},"
            + " \"name\": \"input_layer\", \"inbound_nodes\": []}";

    static String activation(String name, String inbound) {
        return "{\"class_name\": \"Activation\", \"config\": {\"name\": \"" + name + "\", \"activation\": \"linear\"}, \"name\": \""
                + name + "\", \"inbound_nodes\": " + inbound + "}";
    }

    /** A config of these layers (after the input), with this output, and no weights. */
    Path crafted(String layers, String output) throws IOException {
        String config = "{\"class_name\": \"Functional\", \"config\": {\"name\": \"f\", \"seed\": 1, \"layers\": [" + INPUT
                + (layers.isEmpty() ? "" : ", " + layers) + "], \"input_layers\": [[\"input_layer\", 0, 0]], \"output_layers\": ["
                + output + "]}}";
        CraftedZip zip = CraftedZip.copyOf(good).put("config.json", config);
        Path file = dir.resolve("crafted.zip");
        zip.write(file);
        return file;
    }

    static ModelFormatException rejected(Path file, String... fragments) {
        Throwable t = null;
        try (Model ignored = Model.load(file)) {
            fail("loaded a crafted file");
        } catch (Throwable e) {
            t = e;
        }
        if (!(t instanceof ModelFormatException e)) throw new AssertionError("expected a ModelFormatException, got " + t, t);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        return e;
    }

    @Test
    void theTemplateLoads() throws IOException {
        try (Model m = Model.load(crafted(activation("a", "[[[\"input_layer\", 0, 0, {}]]]"), "[\"a\", 0, 0]"))) {
            assertEquals(1, m.layers().size());
        }
    }

    @Test
    void selfReferencesAndCyclesAreRejected() throws IOException {
        rejected(crafted(activation("a", "[[[\"a\", 0, 0, {}]]]"), "[\"a\", 0, 0]"), "\"a\"", "which no layer makes");
        rejected(crafted(activation("a", "[[[\"b\", 0, 0, {}]]]") + ", " + activation("b", "[[[\"a\", 0, 0, {}]]]"),
                "[\"b\", 0, 0]"), "which no layer makes");
        // The second application reads the first, the first the second.
        rejected(crafted(activation("a", "[[[\"a\", 1, 0, {}]], [[\"a\", 0, 0, {}]]]"), "[\"a\", 1, 0]"), "which no layer makes");
    }

    @Test
    void nodeIndicesBeyondAnyApplicationAreRejected() throws IOException {
        for (String k : new String[] {"1", "4294967296", "9223372036854775807"}) {
            rejected(crafted(activation("a", "[[[\"input_layer\", " + k + ", 0, {}]]]"), "[\"a\", 0, 0]"), "which no layer makes");
            rejected(crafted(activation("a", "[[[\"input_layer\", 0, 0, {}]]]"), "[\"a\", " + k + ", 0]"), "names no tensor");
        }
        rejected(crafted(activation("a", "[[[\"input_layer\", -1, 0, {}]]]"), "[\"a\", 0, 0]"), "node index is -1");
        rejected(crafted(activation("a", "[[[\"nobody\", 0, 0, {}]]]"), "[\"a\", 0, 0]"), "\"nobody\" that the model does not have");
    }

    @Test
    void aSharedLayerAppliedToTwoShapesIsRejected() throws IOException {
        String dense = "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2}, \"name\": \"d\","
                + " \"inbound_nodes\": [[[\"input_layer\", 0, 0, {}]], [[\"d\", 0, 0, {}]]]}";
        rejected(crafted(dense, "[\"d\", 1, 0]"), "Dense \"d\"", "(4,)", "(2,)");
    }

    /**
     * 27,000 Activation layers listed last to first: each application waits for the one listed
     * after it. Rebuilt in passes, that took time quadratic in the count (50 s here) and then
     * overflowed the stack in the graph walk; now it loads in about a second.
     */
    @Test
    void aLongChainListedBackwardsLoadsInLinearTime() throws IOException {
        int n = 27_000;
        StringBuilder layers = new StringBuilder();
        for (int k = n; k >= 1; k--) {
            if (k < n) layers.append(", ");
            layers.append(activation("a" + k, "[[[\"" + (k == 1 ? "input_layer" : "a" + (k - 1)) + "\", 0, 0, {}]]]"));
        }
        Path file = crafted(layers.toString(), "[\"a" + n + "\", 0, 0]");
        // A generous bound (the quadratic rebuild took 50 s): this guards against a hang, not a speed.
        assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
            try (Model m = Model.load(file)) {
                assertEquals(n, m.layers().size());
                float[][] x = {{1, -2, 3, -4}};
                assertEquals(-4f, m.predict(x)[0][3]);
            }
        });
    }
}
