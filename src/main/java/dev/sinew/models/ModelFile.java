package dev.sinew.models;

import dev.sinew.io.AtomicFile;
import dev.sinew.io.Json;
import dev.sinew.io.Npy;
import dev.sinew.layers.Layer;
import dev.sinew.metrics.Metric;
import dev.sinew.tensor.Shape;
import dev.sinew.backend.Backend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The saved-model format, a zip modelled on Keras's {@code .keras} files:
 * <pre>
 *   metadata.json   {"format": "sinew.model", "format_version": 1, ...}
 *   config.json     {"class_name": "Sequential", "config": {"layers": [...]}, "compile_config": {...}}
 *   weights/000_dense_kernel.npy, weights/001_dense_bias.npy, ...   (numpy float32, Keras layouts)
 *   training_state.json  {"epoch": 3, "optimizer": {"iterations": 1800, "variables": ["momentum", "velocity"],
 *                         "average": false}, "layers": {"dropout": [1800]}}          (format version 2)
 *   optimizer/momentum.npy, optimizer/velocity.npy, ...   (each flat over the trainable weights, in table order)
 * </pre>
 * With the training state a model saved mid-training and loaded continues bit for bit as the
 * uninterrupted run ({@code fit} with {@code initialEpoch}); a version 1 file has weights only and
 * loads with a fresh optimizer.
 * A reader accepts format versions up to {@link #FORMAT_VERSION} and rejects newer ones;
 * {@link ModelFileReader} reads a file as untrusted input. Saving goes through {@link AtomicFile}.
 */
final class ModelFile {
    static final String FORMAT = "sinew.model";
    /** 2: adds training_state.json and optimizer/*.npy (resume bit for bit); 1 had weights only. */
    static final int FORMAT_VERSION = 2;

    private ModelFile() {}

    static void save(Model model, Path path, SaveOption... options) throws IOException {
        Model.TrainingState state = model.trainingState(); // one consistent read; checks the model is open
        List<float[]> weights = state.weights();
        if (!java.util.Arrays.asList(options).contains(SaveOption.ALLOW_NON_FINITE)) requireFinite(model, weights, path);
        boolean full = !java.util.Arrays.asList(options).contains(SaveOption.WEIGHTS_ONLY);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("format_version", (long) FORMAT_VERSION);
        meta.put("saved_by", "Sinew");

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("class_name", model instanceof Sequential ? "Sequential" : "Functional");
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("name", model.name());
        inner.put("seed", model.seed());
        if (model instanceof Sequential) {
            inner.put("layers", sequentialLayers(model));
        } else {
            functionalLayers(model, inner);
        }
        // Sinew's own key: the weights saved are the float ones; load quantizes them again (same int8 weights).
        if (model.quantizationMode() != null) inner.put("quantization", model.quantizationMode());
        config.put("config", inner);
        if (model.isCompiled() && full) config.put("compile_config", compileConfig(model));

        Map<String, Object> training = new LinkedHashMap<>();
        training.put("epoch", (long) state.epoch());
        if (model.isCompiled() && full) {
            Map<String, Object> opt = new LinkedHashMap<>();
            opt.put("iterations", state.iterations());
            opt.put("variables", List.copyOf(state.optimizerState().keySet()));
            opt.put("average", state.average() != null);
            training.put("optimizer", opt);
        }
        Map<String, Object> rng = new LinkedHashMap<>();
        state.layerRng().forEach((layer, s) -> rng.put(layer, java.util.Arrays.stream(s).boxed().map(Object.class::cast).toList()));
        training.put("layers", rng);

        // Serialised before the file is opened: a config that cannot be written fails with nothing on disk.
        byte[] metaJson = Json.write(meta).getBytes(StandardCharsets.UTF_8);
        byte[] configJson = Json.write(config).getBytes(StandardCharsets.UTF_8);
        byte[] trainingJson = Json.write(training).getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(path, out -> {
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                put(zip, "metadata.json", metaJson);
                put(zip, "config.json", configJson);
                int k = 0;
                for (Layer l : model.layers()) {
                    List<Shape> shapes = l.weightShapes();
                    for (int i = 0; i < shapes.size(); i++, k++) {
                        put(zip, weightEntry(k, l, i), Npy.write(shapes.get(i).dims(), weights.get(k)));
                    }
                }
                put(zip, TRAINING_STATE, trainingJson);
                for (Map.Entry<String, float[]> e : full ? state.optimizerState().entrySet()
                        : Map.<String, float[]>of().entrySet()) {
                    put(zip, optimizerEntry(e.getKey()), Npy.write(new int[] {e.getValue().length}, e.getValue()));
                }
                if (state.average() != null && full) {
                    put(zip, optimizerEntry("average"), Npy.write(new int[] {state.average().length}, state.average()));
                }
            }
        });
    }

    /**
     * Keras's compile_config. One output: {@code "loss"} a name (with {@code "loss_config"} for its
     * options) and {@code "metrics"} a list. Several: {@code "loss"}, {@code "loss_config"},
     * {@code "loss_weights"} and {@code "metrics"} each a list with one entry per output, in the
     * order of {@code output_layers}.
     */
    private static Map<String, Object> compileConfig(Model model) {
        Map<String, Object> compile = new LinkedHashMap<>();
        if (model.losses().size() == 1) {
            compile.put("loss", model.loss().name());
            // Options (from_logits, label_smoothing, delta) beside the name, when a loss has any.
            if (!model.loss().getConfig().isEmpty()) compile.put("loss_config", new LinkedHashMap<>(model.loss().getConfig()));
        } else {
            compile.put("loss", model.losses().stream().map(l -> (Object) l.name()).toList());
            compile.put("loss_config", model.losses().stream().map(l -> (Object) new LinkedHashMap<>(l.getConfig())).toList());
            compile.put("loss_weights", List.copyOf(model.lossWeights()));
        }
        compile.put("optimizer", Map.of("class_name", model.optimizer().name(), "config", model.optimizer().getConfig()));
        if (model.losses().size() == 1) {
            compile.put("metrics", model.metrics().stream().map(ModelFile::metricEntry).toList());
        } else {
            compile.put("metrics", model.metricsPerOutput().stream().map(ms -> (Object) ms.stream().map(ModelFile::metricEntry).toList())
                    .toList());
        }
        return compile;
    }

    private static Map<String, Object> inputEntry(dev.sinew.tensor.Shape shape, String name) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("class_name", "InputLayer");
        List<Object> batchShape = new ArrayList<>();
        batchShape.add(null);
        for (int d : shape.dims()) batchShape.add((long) d);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("batch_shape", batchShape);
        if (name != null) c.put("name", name);
        input.put("config", c);
        return input;
    }

    /** A Sequential model's layers: the InputLayer, then each layer's class and config. */
    private static List<Object> sequentialLayers(Model model) {
        List<Object> layers = new ArrayList<>();
        layers.add(inputEntry(model.inputShape(), null));
        for (Layer l : model.layers()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("class_name", l.typeName());
            entry.put("config", l.getConfig());
            layers.add(entry);
        }
        return layers;
    }

    /**
     * A functional model as Keras writes one: each layer with its {@code inbound_nodes}, one per
     * application, each the list of {@code [layer name, node index, tensor index, {}]} it reads
     * (node index: which application of that layer); then {@code input_layers} and
     * {@code output_layers}, one {@code [layer name, node index, tensor index]} per model input
     * and output, in order.
     */
    private static void functionalLayers(Model model, Map<String, Object> inner) {
        List<Node> nodes = model.nodes();
        Map<Layer, List<Object>> inbound = new java.util.IdentityHashMap<>();
        int[] application = new int[nodes.size()];
        Map<Layer, Integer> count = new java.util.IdentityHashMap<>();
        List<dev.sinew.layers.Input> inputs = model.inputLayers;
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            application[i] = count.merge(n.layer(), 1, Integer::sum) - 1;
            List<Object> reads = new ArrayList<>();
            for (int j : n.inputs()) {
                reads.add(j < 0 ? List.of(inputs.get(-1 - j).name(), 0L, 0L, Map.of())
                        : List.of(nodes.get(j).layer().name(), (long) application[j], 0L, Map.of()));
            }
            inbound.computeIfAbsent(n.layer(), k -> new ArrayList<>()).add(reads);
        }
        List<Object> layers = new ArrayList<>();
        List<Object> inputLayers = new ArrayList<>();
        for (dev.sinew.layers.Input input : inputs) {
            Map<String, Object> in = inputEntry(input.shape(), input.name());
            in.put("name", input.name());
            in.put("inbound_nodes", List.of());
            layers.add(in);
            inputLayers.add(List.of(input.name(), 0L, 0L));
        }
        for (Layer l : model.layers()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("class_name", l.typeName());
            entry.put("config", l.getConfig());
            entry.put("name", l.name());
            entry.put("inbound_nodes", inbound.get(l));
            layers.add(entry);
        }
        inner.put("layers", layers);
        inner.put("input_layers", inputLayers);
        List<Object> outputLayers = new ArrayList<>();
        for (int out : model.outputNodes()) outputLayers.add(List.of(nodes.get(out).layer().name(), (long) application[out], 0L));
        inner.put("output_layers", outputLayers);
    }

    /**
     * A diverged model would save into a file of NaNs; refusing it here, before the temporary file,
     * keeps the last good file at {@code path}.
     */
    private static void requireFinite(Model model, List<float[]> weights, Path path) {
        int k = 0;
        for (Layer l : model.layers()) {
            for (int i = 0; i < l.weightShapes().size(); i++, k++) {
                float[] w = weights.get(k);
                int bad = 0, first = -1;
                for (int j = 0; j < w.length; j++) {
                    if (!Float.isFinite(w[j])) {
                        if (bad++ == 0) first = j;
                    }
                }
                if (bad > 0) {
                    throw new IllegalStateException("not saving the model to " + path + ": " + l.describe() + " "
                            + l.weightNames().get(i) + " has " + bad + " of " + w.length + " values NaN or infinite (the first, at"
                            + " index " + first + ", is " + w[first] + "): its training has diverged. Nothing was written (a file"
                            + " already there is unchanged); to save it anyway, pass SaveOption.ALLOW_NON_FINITE");
                }
            }
        }
    }

    static final String TRAINING_STATE = "training_state.json";

    /** An optimizer state variable: one flat array over the model's trainable weights, in table order. */
    static String optimizerEntry(String variable) {
        return "optimizer/" + variable + ".npy";
    }

    static String weightEntry(int k, Layer l, int i) {
        return String.format("weights/%03d_%s_%s.npy", k, l.name(), l.weightNames().get(i));
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    /** Loads a model; see {@link ModelFileReader} for what is checked. */
    static Model load(Path path, Backend backend) throws IOException {
        if (path == null) throw new IllegalArgumentException("load: path is null");
        if (backend == null) throw new IllegalArgumentException("load: backend is null");
        if (!Files.isRegularFile(path)) throw new IOException("no model file at " + path);
        return ModelFileReader.load(path, backend);
    }

    /** A metric as its name, or, when it has options, as Keras's {"class_name", "config"} pair. */
    private static Object metricEntry(Metric m) {
        if (m.getConfig().isEmpty()) return m.name();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", m.name());
        config.putAll(m.getConfig());
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("class_name", m.className());
        entry.put("config", config);
        return entry;
    }
}
