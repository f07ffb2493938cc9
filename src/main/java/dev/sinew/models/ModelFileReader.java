package dev.sinew.models;

import dev.sinew.backend.Backend;
import dev.sinew.io.Json;
import dev.sinew.io.Npy;
import dev.sinew.layers.Input;
import dev.sinew.layers.Layer;
import dev.sinew.layers.Layers;
import dev.sinew.optimizers.Optimizer;
import dev.sinew.optimizers.Optimizers;
import dev.sinew.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a model file ({@link ModelFile} describes the format) as if it came from an attacker:
 * whatever the bytes, the result is a working model or a {@link ModelFormatException} naming the
 * file, the entry and the problem, and memory stays bounded by what the config says the model
 * needs. In order:
 * <ol>
 *   <li>the zip's central directory is read ({@link ZipFile}), so entries are found by name and
 *       an entry nobody asks for is never inflated;</li>
 *   <li>{@code metadata.json} and {@code config.json} are read with a cap of {@link #MAX_JSON_BYTES}
 *       and parsed with a nesting limit ({@link Json});</li>
 *   <li>the layers are built from the config, which fixes every weight's shape; nothing is allocated;</li>
 *   <li>each weight entry's declared size is checked against its shape, and all of them together
 *       against the free Java heap, before any weight is inflated;</li>
 *   <li>each weight is inflated with a cap of exactly what its shape needs (a declared size is
 *       only a claim), its CRC checked and its {@code .npy} header checked against the shape;</li>
 *   <li>only then is the model compiled (which allocates its off-heap memory) and given its weights.</li>
 * </ol>
 * Anything unexpected on the way (a {@link RuntimeException} from a layer's constructor, say) is
 * wrapped, with its cause, in a {@link ModelFormatException}: a bad file never escapes as another type.
 */
final class ModelFileReader {
    /** The largest {@code metadata.json} or {@code config.json} read: ample for thousands of layers. */
    static final int MAX_JSON_BYTES = 4 << 20;

    private final Path path;
    private final ZipFile zip;
    private final Backend backend;
    private String entry = "the zip directory"; // what is being read, for messages

    private ModelFileReader(Path path, ZipFile zip, Backend backend) {
        this.path = path;
        this.zip = zip;
        this.backend = backend;
    }

    static Model load(Path path, Backend backend) throws IOException {
        if (path.getFileSystem() != FileSystems.getDefault()) {
            throw new IOException("cannot load " + path + ": models are read from the default file system only"
                    + " (copy the file to a local path first)");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (ZipException | java.io.EOFException | RuntimeException e) {
            // EOFException: an end-of-directory record pointing past the end of the file (found by FileFuzzTest).
            throw new ModelFormatException(path + " is not a Sinew model file: not a zip archive, or a truncated or corrupt one ("
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + ")", e);
        }
        try (zip) {
            return new ModelFileReader(path, zip, backend).read();
        }
    }

    private Model read() throws IOException {
        Model model = null;
        try {
            long version = checkMetadata();
            Map<String, Object> config = map(parseJson("config.json"), "config.json");
            Object kind = config.get("class_name");
            if (!"Sequential".equals(kind) && !"Functional".equals(kind)) {
                throw new IllegalArgumentException("class_name is " + brief(kind) + ", not Sequential or Functional");
            }
            Map<String, Object> inner = map(config.get("config"), "\"config\"");
            List<Object> layers = list(inner.get("layers"), "\"layers\"");
            if (layers.isEmpty()) throw new IllegalArgumentException("the model has no layers");
            long seed = longOf(inner.get("seed"), "\"seed\"");
            String name = inner.get("name") instanceof String n && !n.isBlank() ? n : null;
            if ("Sequential".equals(kind)) {
                Sequential sequential = new Sequential(backend, seed, name);
                model = sequential;
                addLayers(sequential, layers);
            } else {
                model = FunctionalConfig.rebuild(backend, seed, name, inner);
            }
            if (model.layers().isEmpty()) throw new IllegalArgumentException("the model has no layers after its InputLayer");
            Map<String, Object> compile = config.get("compile_config") == null ? null
                    : map(config.get("compile_config"), "\"compile_config\"");

            List<float[]> weights = readWeights(model);

            entry = "config.json";
            if (compile != null) compile(model, compile);
            if (allFinite(weights)) {
                model.setWeights(weights);
            } else {
                model.setWeightsAllowingNonFinite(weights); // saved with SaveOption.ALLOW_NON_FINITE
            }
            // Before the training state: quantizing lays the weights out again (kernels not trainable)
            // and builds the optimizer afresh; a quantized model's state was saved over that layout.
            if (inner.get("quantization") != null) model.quantize(string(inner.get("quantization"), "\"quantization\""));
            // Version 1 files have no training state: the optimizer starts afresh, as it did then.
            if (version >= 2) readTrainingState(model);
            return model;
        } catch (IOException | RuntimeException | StackOverflowError e) {
            if (model != null) model.close();
            if (e instanceof IOException io) throw io;
            // The safety net: whatever a crafted file made fail is reported as a bad file, with its cause.
            String what = e instanceof IllegalArgumentException ? e.getMessage()
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            throw bad((entry.equals("config.json") ? "invalid model config: " : "") + what, e);
        }
    }

    private ModelFormatException bad(String problem, Throwable cause) {
        return new ModelFormatException(path + ": " + entry + ": " + problem, cause);
    }

    private ModelFormatException bad(String problem) {
        return bad(problem, null);
    }

    private long checkMetadata() throws IOException {
        Map<String, Object> meta = map(parseJson("metadata.json"), "metadata.json");
        if (!ModelFile.FORMAT.equals(meta.get("format"))) {
            throw new ModelFormatException(path + " is not a Sinew model file (metadata.json gives the format "
                    + brief(meta.get("format")) + ", not " + ModelFile.FORMAT + ")");
        }
        if (meta.get("format_version") == null) throw bad("no \"format_version\"");
        long version = longOf(meta.get("format_version"), "\"format_version\"");
        if (version > ModelFile.FORMAT_VERSION || version < 1) {
            throw new ModelFormatException(path + " has model format version " + version + "; this Sinew reads versions 1 to "
                    + ModelFile.FORMAT_VERSION + (version > ModelFile.FORMAT_VERSION ? " (it was written by a newer Sinew)" : ""));
        }
        return version;
    }

    private Object parseJson(String name) throws IOException {
        byte[] bytes = readEntry(name, MAX_JSON_BYTES, "the limit for " + name);
        return Json.parse(new String(bytes, StandardCharsets.UTF_8));
    }

    /** Rebuilds the layers (shapes only; {@code add} allocates nothing) in order, the InputLayer first. */
    private void addLayers(Sequential model, List<Object> layers) {
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Object> layer = map(layers.get(i), "layer " + i);
            Object cls = layer.get("class_name");
            Map<String, Object> lc = map(layer.get("config"), "layer " + i + "'s \"config\"");
            boolean isInput = "InputLayer".equals(cls);
            if (i == 0 && !isInput) throw new IllegalArgumentException("the first layer must be an InputLayer, got " + brief(cls));
            if (i > 0 && isInput) throw new IllegalArgumentException("layer " + i + " is a second InputLayer");
            try {
                model.add(i == 0 ? input(lc) : Layers.fromConfig(string(cls, "layer " + i + "'s \"class_name\""), lc));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("layer " + i + " (" + brief(cls) + " " + brief(lc) + "): "
                        + (e instanceof IllegalArgumentException ? "" : e.getClass().getSimpleName() + ": ") + e.getMessage(), e);
            }
        }
    }

    static Input input(Map<String, Object> config) {
        List<Object> shape = list(config.get("batch_shape"), "\"batch_shape\"");
        if (shape.size() < 2 || shape.getFirst() != null) {
            throw new IllegalArgumentException("\"batch_shape\" must be [null, dims...], got " + shape);
        }
        int[] dims = new int[shape.size() - 1];
        for (int i = 0; i < dims.length; i++) {
            long d = longOf(shape.get(i + 1), "\"batch_shape\"");
            if (d <= 0 || d > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("\"batch_shape\" " + shape + " has dimension " + d + "; dimensions are 1 to "
                        + Integer.MAX_VALUE);
            }
            dims[i] = (int) d;
        }
        return new Input(dims);
    }

    /** One weight the config implies: which layer, which of its weights, its shape and its zip entry. */
    private record Weight(Layer layer, String name, Shape shape, String entry) {
        String describe() {
            return layer.describe() + " " + name + " " + shape;
        }
    }

    /**
     * Every weight the layers need, read entry by entry. Sizes are checked first, all together, so
     * a file whose config asks for more than the heap can hold is refused before anything is read.
     */
    private List<float[]> readWeights(Model model) throws IOException {
        List<Weight> expected = new ArrayList<>();
        for (Layer l : model.layers()) {
            for (int i = 0; i < l.weightShapes().size(); i++) {
                expected.add(new Weight(l, l.weightNames().get(i), l.weightShapes().get(i),
                        ModelFile.weightEntry(expected.size(), l, i)));
            }
        }
        long total = 0, largestEntry = 0;
        for (Weight w : expected) {
            long cap = npyCap(w.shape());
            if (cap > Integer.MAX_VALUE - 8) {
                entry = "config.json";
                throw bad(w.describe() + " is larger than the 2 GB one weight entry (" + w.entry() + ") can hold");
            }
            entry = w.entry();
            ZipEntry e = zip.getEntry(entry);
            if (e == null) throw bad("missing: " + w.describe() + " is stored there (a truncated or incomplete file?)");
            if (e.getSize() > cap) {
                throw bad("declares " + e.getSize() + " bytes, but " + w.describe() + " takes " + 4 * w.shape().size()
                        + " bytes plus a .npy header of at most " + Npy.MAX_HEADER_LENGTH);
            }
            total += 4 * w.shape().size();
            largestEntry = Math.max(largestEntry, e.getSize() >= 0 ? e.getSize() : cap);
        }
        entry = "config.json";
        checkHeap(total, largestEntry);

        List<float[]> weights = new ArrayList<>();
        for (Weight w : expected) {
            byte[] bytes = readEntry(w.entry(), npyCap(w.shape()), "what " + w.describe() + " takes");
            Npy.Array a;
            try {
                a = Npy.read(bytes, path + ": " + w.entry());
            } catch (IOException e) {
                throw new ModelFormatException(e.getMessage(), e);
            }
            if (!Arrays.equals(a.shape(), w.shape().dims())) {
                throw bad("holds an array of shape " + Npy.tuple(a.shape()) + " but " + w.layer().describe() + " needs "
                        + w.name() + " " + w.shape());
            }
            weights.add(a.data());
        }
        return weights;
    }

    /**
     * training_state.json and the optimizer's arrays: the iteration count, each state variable
     * (exactly the ones the compiled optimizer has, each one value per trainable weight), the EMA
     * average, every layer's random-number state and the epoch count.
     */
    private void readTrainingState(Model model) throws IOException {
        Map<String, Object> ts = map(parseJson(ModelFile.TRAINING_STATE), ModelFile.TRAINING_STATE);
        long epoch = longOf(ts.get("epoch"), "\"epoch\"");
        if (epoch < 0 || epoch > Integer.MAX_VALUE) throw new IllegalArgumentException("\"epoch\" " + epoch + " is out of range");
        Map<String, long[]> rng = new java.util.LinkedHashMap<>();
        Map<String, Object> layers = map(ts.get("layers"), "\"layers\"");
        for (Map.Entry<String, Object> e : layers.entrySet()) {
            model.getLayer(e.getKey()); // names a layer of this model, or the file is bad
            List<Object> values = list(e.getValue(), "\"layers\"." + e.getKey());
            long[] st = new long[values.size()];
            for (int i = 0; i < st.length; i++) st[i] = longOf(values.get(i), "\"layers\"." + e.getKey());
            rng.put(e.getKey(), st);
        }
        long iterations = 0;
        Map<String, float[]> state = new java.util.LinkedHashMap<>();
        float[] average = null;
        Optimizer optimizer = model.optimizer();
        if (ts.get("optimizer") != null) {
            if (optimizer == null) throw new IllegalArgumentException("optimizer state for a model without a compile_config");
            Map<String, Object> o = map(ts.get("optimizer"), "\"optimizer\"");
            iterations = longOf(o.get("iterations"), "\"iterations\"");
            if (iterations < 0) throw new IllegalArgumentException("\"iterations\" " + iterations + " < 0");
            List<String> names = new ArrayList<>();
            for (Object n : list(o.get("variables"), "\"variables\"")) names.add(string(n, "\"variables\""));
            List<String> expected = List.copyOf(optimizer.stateVariables().keySet());
            if (!new java.util.HashSet<>(names).equals(new java.util.HashSet<>(expected)) || names.size() != expected.size()) {
                throw new IllegalArgumentException(optimizer.name() + " keeps the state variables " + expected + ", the file has "
                        + names);
            }
            int n = (int) model.parameterTable().trainableSize();
            for (String name : names) {
                state.put(name, readVector(ModelFile.optimizerEntry(name), (int) optimizer.stateLength(name)));
            }
            if (Boolean.TRUE.equals(o.get("average"))) {
                if (optimizer.average() == null) throw new IllegalArgumentException("an EMA average for an optimizer without use_ema");
                average = readVector(ModelFile.optimizerEntry("average"), n);
            }
        }
        entry = ModelFile.TRAINING_STATE;
        model.restoreTrainingState(iterations, state, average, rng, (int) epoch);
    }

    /** A float32 .npy of shape (n,), read with a cap of exactly what it takes. */
    private float[] readVector(String name, int n) throws IOException {
        Shape shape = Shape.of(Math.max(n, 1));
        checkHeap(4L * shape.size(), npyCap(shape));
        byte[] bytes = readEntry(name, npyCap(shape), "what " + shape.size() + " values take");
        Npy.Array a;
        try {
            a = Npy.read(bytes, path + ": " + name);
        } catch (IOException e) {
            throw new ModelFormatException(e.getMessage(), e);
        }
        if (!Arrays.equals(a.shape(), new int[] {n})) {
            throw bad("holds an array of shape " + Npy.tuple(a.shape()) + " but the optimizer keeps (" + n + ",)");
        }
        return a.data();
    }

    /** The most bytes a float32 .npy of this shape can take: the data and the longest header we accept. */
    private static long npyCap(Shape shape) {
        return 4 * shape.size() + 12 + Npy.MAX_HEADER_LENGTH;
    }

    /**
     * Loading holds every weight on the heap once (then copies it off-heap) plus one entry's bytes;
     * refusing a model that cannot fit turns what would be an OutOfMemoryError into a clear error.
     */
    private void checkHeap(long weightBytes, long largestEntry) throws ModelFormatException {
        long needed = weightBytes + largestEntry;
        if (needed <= freeHeap()) return;
        System.gc(); // rare: only for models near the heap's size; garbage must not count as used
        if (needed <= freeHeap()) return;
        throw bad("the model it describes has " + weightBytes + " bytes of weights; loading them needs about " + needed
                + " bytes of Java heap, more than the " + freeHeap() + " free (raise -Xmx, now "
                + Runtime.getRuntime().maxMemory() + " bytes)");
    }

    private static long freeHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /**
     * An entry's bytes, never more than {@code cap}: the declared size is checked first, then the
     * inflated data is cut off one byte past the cap (or past the declared size, if smaller), since
     * a crafted entry can inflate far beyond what its headers say. The CRC is checked too.
     */
    private byte[] readEntry(String name, long cap, String capIs) throws IOException {
        entry = name;
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new ModelFormatException(path + " is not a Sinew model file (no " + name
                    + "; the file may be truncated or of another kind)");
        }
        long declared = e.getSize();
        if (declared > cap) throw bad("declares " + declared + " bytes, larger than " + cap + " (" + capIs + ")");
        byte[] bytes;
        try (InputStream in = zip.getInputStream(e)) {
            if (declared >= 0) {
                // At most the cap, which the config's shapes (or MAX_JSON_BYTES) fixed and checkHeap allowed.
                bytes = new byte[(int) declared];
                int got = in.readNBytes(bytes, 0, bytes.length);
                if (got < declared) throw bad("holds " + got + " bytes but its header declares " + declared + " (truncated?)");
                if (in.read() != -1) throw bad("inflates to more than the " + declared + " bytes its header declares");
            } else {
                bytes = in.readNBytes((int) cap + 1); // reads in chunks: allocates only what the entry really holds
                if (bytes.length > cap) throw bad("inflates to more than " + cap + " bytes (" + capIs + ")");
            }
        } catch (ZipException | java.io.EOFException ex) {
            throw bad("corrupt compressed data (" + ex.getMessage() + ")", ex);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
            throw bad(String.format("CRC mismatch (the header says %08x, the data gives %08x): the entry is corrupt",
                    e.getCrc(), crc.getValue()));
        }
        return bytes;
    }

    private static void compile(Model model, Map<String, Object> compile) {
        Map<String, Object> opt = map(compile.get("optimizer"), "\"optimizer\"");
        List<Object> ms = list(compile.get("metrics"), "\"metrics\"");
        Map<String, Object> config = map(opt.get("config"), "the optimizer's \"config\"");
        Optimizer optimizer = Optimizers.fromConfig(string(opt.get("class_name"), "the optimizer's \"class_name\""), config);
        if (compile.get("loss") instanceof List<?>) {
            compileOutputs(model, compile, optimizer, ms);
            return;
        }
        Map<String, Object> lossConfig = compile.get("loss_config") == null ? Map.of()
                : map(compile.get("loss_config"), "\"loss_config\"");
        dev.sinew.losses.Loss loss = dev.sinew.losses.Losses.of(string(compile.get("loss"), "\"loss\""), lossConfig);
        dev.sinew.metrics.Metric[] metricObjects = new dev.sinew.metrics.Metric[ms.size()];
        for (int i = 0; i < metricObjects.length; i++) metricObjects[i] = metric(ms.get(i));
        model.compile(loss, optimizer, metricObjects);
    }

    /** A model of several outputs: "loss", "loss_config", "loss_weights" and "metrics" each hold one entry per output. */
    private static void compileOutputs(Model model, Map<String, Object> compile, Optimizer optimizer, List<Object> ms) {
        List<Object> names = list(compile.get("loss"), "\"loss\"");
        int m = names.size();
        List<Object> configs = compile.get("loss_config") == null ? null : list(compile.get("loss_config"), "\"loss_config\"");
        List<Object> weights = compile.get("loss_weights") == null ? null : list(compile.get("loss_weights"), "\"loss_weights\"");
        if ((configs != null && configs.size() != m) || (weights != null && weights.size() != m) || ms.size() != m) {
            throw new IllegalArgumentException("\"loss\" lists " + m + " losses but \"loss_config\", \"loss_weights\" or \"metrics\""
                    + " has another number of entries");
        }
        List<dev.sinew.losses.Loss> losses = new ArrayList<>();
        List<Double> ws = new ArrayList<>();
        List<List<dev.sinew.metrics.Metric>> metrics = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            Map<String, Object> config = configs == null ? Map.of() : map(configs.get(j), "a \"loss_config\" entry");
            losses.add(dev.sinew.losses.Losses.of(string(names.get(j), "a \"loss\" entry"), config));
            if (weights != null && !(weights.get(j) instanceof Number)) {
                throw new IllegalArgumentException("a \"loss_weights\" entry must be a number, got " + brief(weights.get(j)));
            }
            ws.add(weights == null ? 1.0 : ((Number) weights.get(j)).doubleValue());
            List<dev.sinew.metrics.Metric> mj = new ArrayList<>();
            for (Object e : list(ms.get(j), "a \"metrics\" entry")) mj.add(metric(e));
            metrics.add(mj);
        }
        model.compile(losses, ws, optimizer, metrics);
    }

    /** A "metrics" entry: a name, or a {"class_name", "config"} pair for a metric with options. */
    private static dev.sinew.metrics.Metric metric(Object entry) {
        if (entry instanceof String name) return dev.sinew.metrics.Metrics.of(name);
        Map<String, Object> m = map(entry, "a \"metrics\" entry");
        Map<String, Object> config = m.get("config") == null ? Map.of() : map(m.get("config"), "a metric's \"config\"");
        return dev.sinew.metrics.Metrics.fromConfig(string(m.get("class_name"), "a metric's \"class_name\""), config);
    }

    private static boolean allFinite(List<float[]> weights) {
        for (float[] w : weights) {
            for (float v : w) if (!Float.isFinite(v)) return false;
        }
        return true;
    }

    // ------------------------------------------------------------------ typed access to parsed JSON

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object v, String what) {
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IllegalArgumentException(what + " must be a JSON object, got " + brief(v));
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object v, String what) {
        if (v instanceof List<?> l) return (List<Object>) l;
        throw new IllegalArgumentException(what + " must be a JSON array, got " + brief(v));
    }

    static String string(Object v, String what) {
        if (v instanceof String s) return s;
        throw new IllegalArgumentException(what + " must be a string, got " + brief(v));
    }

    static long longOf(Object v, String what) {
        return Layers.integer(v, what);
    }

    /** A value for a message, cut short: a crafted config can hold megabytes. */
    static String brief(Object v) {
        String s = String.valueOf(v);
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
