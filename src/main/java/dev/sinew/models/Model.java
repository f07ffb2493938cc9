package dev.sinew.models;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.data.Dataset;
import dev.sinew.layers.Activated;
import dev.sinew.layers.Augmentation;
import dev.sinew.layers.Input;
import dev.sinew.layers.KerasTensor;
import dev.sinew.layers.Layer;
import dev.sinew.losses.Loss;
import dev.sinew.losses.Losses;
import dev.sinew.data.NdArray;
import dev.sinew.metrics.Metric;
import dev.sinew.metrics.MetricState;
import dev.sinew.metrics.Metrics;
import dev.sinew.optimizers.Optimizer;
import dev.sinew.optimizers.Optimizers;
import dev.sinew.tensor.Rows;
import dev.sinew.tensor.ParameterTable;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Variable;
import dev.sinew.tensor.Workspace;
import dev.sinew.layers.Layers;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model: layers with their weights, compiled with a loss, an optimizer and metrics, trained
 * with {@code fit} and used with {@code predict}; Keras's {@code Model}. {@link Sequential} builds
 * one as a stack of layers.
 *
 * <p>Memory: all weights live in one off-heap tensor and all their gradients in another (so an
 * optimizer updates the whole model in one call); activations live in buffers sized for the
 * largest batch seen so far. After the first step at a given batch size, a training step
 * allocates nothing. {@link #close()} frees everything; a closed model throws
 * {@link IllegalStateException}. A model that is dropped without {@code close()} is freed once the
 * garbage collector finds it unreachable; {@code close()} stays the deterministic way.
 *
 * <p>Threads: inference ({@link #predict}, {@link #predictOnBatch}, {@link #evaluate},
 * {@link #testOnBatch}) may be called from any number of threads at once: each concurrent caller
 * runs on its own set of activation buffers (kept for reuse, one set per thread that was ever
 * concurrent) over the shared weights, and gets bit for bit what a single-threaded call returns.
 * Training calls ({@link #trainOnBatch}, each step of {@link #fit}), {@link #compile} and
 * {@link #setWeights} are serialised against inference: a prediction sees the
 * weights before or after a step, never halfway. {@link #close()} waits for calls in flight; calls
 * after it fail with "closed". Results depend only on the model, the data, the seed and the thread
 * count ({@code NativeBackend.setThreads}), never on what else the process runs.
 *
 * <p>Errors: data is checked in Java before it reaches native code (row counts, widths, NaN);
 * a rejected call leaves the model as it was. A layer belongs to one model, and an optimizer
 * instance to one open model.
 */
public class Model implements AutoCloseable {
    /** How many models of each automatic name stem ("sequential", "functional") were made. */
    private static final Map<String, AtomicInteger> MODELS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Cleaner CLEANER = Cleaner.create();
    /** Which open model each optimizer instance is compiled into (an optimizer holds one model's state). */
    private static final Map<Optimizer, WeakReference<Model>> OPTIMIZER_OWNERS = new WeakHashMap<>();

    final Backend backend;
    private final long seed;
    final String name;
    final List<Layer> layers = new ArrayList<>();
    final Map<String, Integer> nameCounts = new HashMap<>();
    Shape inputShape;
    Input inputLayer; // a functional model's (named) input

    // Every off-heap byte, freed by close() or, for a model never closed, by the cleaner.
    private final ModelMemory memory = new ModelMemory();
    private final Cleaner.Cleanable cleanable;
    final UseGate gate;

    // Built: weights and gradients, each one flat tensor, with per-layer views.
    private volatile ParameterTable table;
    // The graph, fixed at build: one node per layer application, each after its inputs. A
    // functional model fixes it at construction; a Sequential one chains its layers.
    private List<Node> nodes;
    private List<Node> functionalNodes;
    // Where a layer is applied more than once, the training executor runs a copy of it at each
    // later node, bound to the same weights but to gradients of its own, added in after backward.
    private final List<Tensor[]> sharedGradients = new ArrayList<>();

    // The training executor runs the model's own layers; inference runs on executors of copied
    // layers that share the weights, one per concurrent caller, kept in `idle` between calls.
    private Executor trainer;
    private Tensor lastOutput; // the last training forward pass's output (a layer's buffer)
    private final ArrayDeque<Executor> idle = new ArrayDeque<>();

    // Compiled.
    private volatile Loss loss;
    private boolean fusedLoss;
    private List<Metric> metrics = List.of();
    private Optimizer optimizer;
    private Workspace optimizerSpace;

    private volatile boolean stopTraining;
    private volatile int epoch; // epochs completed by fit

    /**
     * A model named {@code name}, or, when null, the next automatic name of {@code stem} (as Keras:
     * "sequential", "sequential_1", ...; unique in this process). A loaded model keeps its name.
     */
    Model(Backend backend, long seed, String name, String stem) {
        if (backend == null) throw new IllegalArgumentException("backend is null");
        if (name != null && name.isBlank()) throw new IllegalArgumentException("a model name must not be blank, got '" + name + "'");
        this.backend = backend;
        this.seed = seed;
        if (name == null) {
            int k = MODELS.computeIfAbsent(stem, x -> new AtomicInteger()).getAndIncrement();
            name = k == 0 ? stem : stem + "_" + k;
        }
        this.name = name;
        this.gate = new UseGate(name);
        this.cleanable = CLEANER.register(this, memory); // `memory` must not refer to this model
    }

    /**
     * A functional model from {@code input} to {@code output}, as Keras's {@code Model(inputs,
     * outputs)}: every layer applied on the way between them is part of it, and a layer applied
     * twice shares its weights. A random seed.
     * <pre>{@code
     * var in  = Input.of(28, 28, 1);
     * var x   = new Conv2D(32, 3, "relu").apply(in);
     * var out = new Dense(10, "softmax").apply(new Flatten().apply(x));
     * Model model = new Model(in, out);
     * }</pre>
     */
    public Model(KerasTensor input, KerasTensor output) {
        this(input, output, new SplittableRandom().nextLong());
    }

    /** {@link #Model(KerasTensor, KerasTensor)} whose initial weights are fixed by {@code seed}. */
    public Model(KerasTensor input, KerasTensor output, long seed) {
        this(Backends.defaultBackend(), seed, null, input, output);
    }

    /** {@link #Model(KerasTensor, KerasTensor)} on {@code backend}, named {@code name} (null: "functional", ...). */
    public Model(Backend backend, long seed, String name, KerasTensor input, KerasTensor output) {
        this(backend, seed, name, "functional");
        Functional g = new Functional(input, output);
        inputShape = g.input.shape();
        inputLayer = g.input;
        if (inputLayer.name() == null) inputLayer.withName(autoName(inputLayer.defaultNameStem()));
        for (int i = 0; i < g.nodes.size(); i++) {
            Layer l = g.nodes.get(i).layer();
            List<Shape> shapes = g.inputShapes(i);
            if (layers.contains(l)) {
                if (!shapes.equals(l.inputShapes())) {
                    throw new IllegalArgumentException(l.describe() + " is applied to " + shapes + " and to " + l.inputShapes()
                            + "; a layer applied twice shares its weights, so it takes the same input shapes each time");
                }
                continue;
            }
            if (l.modelName() != null) {
                throw new IllegalArgumentException(l.describe() + " already belongs to model \"" + l.modelName()
                        + "\"; a layer can be in one model only (its weights and buffers are that model's)");
            }
            boolean auto = l.name() == null;
            String layerName = auto ? autoName(l.defaultNameStem()) : l.name();
            if (layerName.equals(inputLayer.name()) || layers.stream().anyMatch(x -> x.name().equals(layerName))) {
                throw new IllegalArgumentException("two layers are named \"" + layerName + "\"; layer names must be unique in a model");
            }
            l.withName(layerName);
            if (auto) nameCounts.merge(l.defaultNameStem(), 1, Integer::sum);
            l.build(shapes, backend);
            l.attachTo(this.name, layerWeights);
            layers.add(l);
        }
        functionalNodes = List.copyOf(g.nodes);
    }

    /** The model's name: as given, or unique in this process as in Keras: "sequential", "sequential_1", ... */
    public String name() {
        return name;
    }

    public Backend backend() {
        return backend;
    }

    public long seed() {
        return seed;
    }

    // ------------------------------------------------------------------ building

    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    /** The shape of one input sample (from the {@link Input}), or null before one is added. */
    public Shape inputShape() {
        return inputShape;
    }

    /** The compiled loss, optimizer and metrics (null / empty before {@code compile}). */
    public Loss loss() {
        return loss;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public List<Metric> metrics() {
        return metrics;
    }

    boolean isBuilt() {
        return table != null;
    }

    /** Builds the model (under the write side of the gate) unless it is built already. */
    private void ensureBuilt() {
        if (isBuilt()) return;
        gate.enterWrite();
        try {
            build();
        } finally {
            gate.exitWrite();
        }
    }

    /** Allocates and initialises the weights (once). The caller holds the write side. */
    private void build() {
        if (isBuilt()) return;
        if (inputShape == null || layers.isEmpty()) {
            throw new IllegalStateException("model \"" + name + "\" has no layers; add an Input and at least one layer");
        }
        long total = 0;
        for (Layer l : layers) {
            total += l.parameterCount();
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("model \"" + name + "\" would hold " + total + " weights up to "
                        + l.describe() + "; one model holds at most " + Integer.MAX_VALUE);
            }
        }
        List<ParameterTable.Spec> specs = new ArrayList<>();
        for (Layer l : layers) {
            List<Shape> shapes = l.weightShapes();
            for (int i = 0; i < shapes.size(); i++) {
                specs.add(new ParameterTable.Spec(l.name(), l.weightNames().get(i), shapes.get(i), l.weightTrainable().get(i)));
            }
        }
        ParameterTable t = ParameterTable.allocate(memory.open(), specs);
        SplittableRandom rng = new SplittableRandom(seed);
        bind(layers, t);
        for (Layer l : layers) l.initializeWeights(rng);
        nodes = graph();
        List<Layer> instances = new ArrayList<>();
        java.util.Set<Layer> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Node node : nodes) {
            Layer l = node.layer();
            if (seen.add(l)) {
                instances.add(l);
                continue;
            }
            Layer c = copyOf(l);
            bindLike(c, l, t, memory.open());
            instances.add(c);
        }
        trainer = new Executor(backend, instances, inputsOf(nodes), nodes.size() - 1, inputShape, true, memory);
        table = t; // last: the volatile write publishes a fully built model to inference threads
    }

    /**
     * The model's graph: one node per application of a layer, each after the nodes it reads. A
     * Sequential model is a chain of its layers.
     */
    List<Node> graph() {
        if (functionalNodes != null) return functionalNodes;
        List<Node> chain = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) chain.add(new Node(layers.get(i), new int[] {i - 1}));
        return chain;
    }

    /** The graph (building the model if it is not yet). */
    List<Node> nodes() {
        ensureBuilt();
        return nodes;
    }

    private static int[][] inputsOf(List<Node> nodes) {
        int[][] in = new int[nodes.size()][];
        for (int i = 0; i < in.length; i++) in[i] = nodes.get(i).inputs();
        return in;
    }

    /** Hands each layer (of the model, or an inference copy) views of its weights and gradients. */
    private static void bind(List<Layer> ls, ParameterTable t) {
        int k = 0;
        for (Layer l : ls) {
            List<Tensor> w = new ArrayList<>(), g = new ArrayList<>();
            for (int i = 0; i < l.weightShapes().size(); i++) {
                Variable v = t.variables().get(k++);
                w.add(t.value(v));
                g.add(t.gradient(v)); // null for a weight that is not trainable
            }
            l.bindWeights(w, g);
        }
    }

    /** The next automatic name for {@code stem} ("dense", "dense_1", ...). */
    String autoName(String stem) {
        int k = nameCounts.getOrDefault(stem, 0);
        return k == 0 ? stem : stem + "_" + k;
    }

    /** A new instance of {@code l} from its config, built for the same inputs (not bound to weights). */
    private Layer copyOf(Layer l) {
        Layer c = Layers.fromConfig(l.typeName(), l.getConfig());
        c.build(l.inputShapes(), backend);
        return c;
    }

    /**
     * Binds {@code copy} to the weights of {@code original}. Gradients: the original's views when
     * {@code scratch} is null (inference never writes them); else tensors of its own from
     * {@code scratch}, recorded to be added to the original's after each backward pass.
     */
    private void bindLike(Layer copy, Layer original, ParameterTable t, Workspace scratch) {
        List<Tensor> w = new ArrayList<>(), g = new ArrayList<>();
        for (Variable v : t.variables()) {
            if (!v.layer().equals(original.name())) continue;
            w.add(t.value(v));
            Tensor main = t.gradient(v);
            if (scratch == null || main == null) {
                g.add(main);
            } else {
                Tensor own = scratch.allocate(v.shape());
                sharedGradients.add(new Tensor[] {own, main});
                g.add(own);
            }
        }
        copy.bindWeights(w, g);
    }

    /** The model's weight table: every weight's layer, name, offset, shape and trainability. */
    public ParameterTable parameterTable() {
        ensureBuilt();
        return table;
    }

    private int inputWidth() {
        return (int) inputShape.size();
    }

    /** The layer whose output is the model's. */
    private Layer lastLayer() {
        return nodes != null ? nodes.getLast().layer() : layers.getLast();
    }

    private int outputWidth() {
        return (int) lastLayer().outputShape().size();
    }

    /** Values per target row: the output width, or 1 when the loss takes class indices. */
    private int targetWidth() {
        return loss == null ? outputWidth() : loss.targetWidth(outputWidth());
    }

    /**
     * An executor for one inference call: an idle one, or a new one over copies of the layers
     * (rebuilt from their configs) bound to the same weights. The caller holds the read side.
     */
    private Executor borrow() {
        Executor e;
        synchronized (idle) {
            e = idle.poll();
        }
        if (e != null) return e;
        List<Layer> copies = new ArrayList<>();
        for (Node node : nodes) {
            Layer c = copyOf(node.layer());
            bindLike(c, node.layer(), table, null); // gradient views never written: inference has no backward
            copies.add(c);
        }
        Executor fresh = new Executor(backend, copies, inputsOf(nodes), nodes.size() - 1, inputShape, false, memory);
        fresh.setTargetWidth(targetWidth());
        return fresh;
    }

    private void giveBack(Executor e) {
        synchronized (idle) {
            idle.push(e);
        }
    }

    /**
     * Starts an inference call: enters the gate as a reader and borrows an executor. Every call
     * ends with {@link #exit}. (Not a lambda around the call: inference must allocate nothing but
     * its result.)
     */
    private Executor enter() {
        ensureBuilt();
        boolean counted = gate.enterRead();
        try {
            Executor e = borrow();
            e.countedReader = counted;
            return e;
        } catch (RuntimeException | Error t) {
            if (counted) gate.exitRead();
            throw t;
        }
    }

    private void exit(Executor e) {
        boolean counted = e.countedReader;
        giveBack(e);
        if (counted) gate.exitRead();
    }

    // ------------------------------------------------------------------ compile

    /**
     * Configures training with Keras names for all three, e.g. {@code compile("categorical_crossentropy",
     * "adam", "accuracy")}: the optimizer with Keras's defaults ({@link Optimizers#get}).
     */
    public void compile(String loss, String optimizer, String... metrics) {
        compile(loss, Optimizers.get(optimizer), metrics);
    }

    /** Configures training with Keras names and an optimizer object, e.g. {@code new SGD(0.1)} or {@code new Adam(1e-3)}. */
    public void compile(String loss, Optimizer optimizer, String... metrics) {
        List<Metric> ms = new ArrayList<>();
        for (String m : metrics == null ? new String[0] : metrics) ms.add(Metrics.of(m));
        compile(Losses.of(loss), optimizer, ms.toArray(Metric[]::new));
    }

    /**
     * Configures training with loss and metric objects. An optimizer keeps one model's state, so an
     * instance compiled into another model that is still open is rejected, naming both.
     */
    public void compile(Loss loss, Optimizer optimizer, Metric... metrics) {
        gate.enterWrite();
        try {
            if (loss == null) throw new IllegalArgumentException("compile: loss is null");
            if (optimizer == null) throw new IllegalArgumentException("compile: optimizer is null");
            Metric[] given = metrics == null ? new Metric[0] : metrics;
            for (int i = 0; i < given.length; i++) {
                if (given[i] == null) throw new IllegalArgumentException("compile: metric " + i + " is null");
            }
            List<Metric> ms = List.of(given);
            build();
            int c = outputWidth(), tw = loss.targetWidth(c);
            List<Metric> resolved = new ArrayList<>();
            for (Metric m : ms) {
                // As Keras: "accuracy" means the accuracy that fits the loss's targets.
                Metric r = m instanceof dev.sinew.metrics.Accuracy && tw == 1 && c > 1
                        ? dev.sinew.metrics.SparseCategoricalAccuracy.asAccuracy() : m;
                if (r.targetWidth(c) != tw) {
                    throw new IllegalArgumentException("metric " + m.name() + " reads " + r.targetWidth(c) + " target values per row"
                            + " but loss " + loss.name() + " takes " + tw + (tw == 1 ? " (class indices): use"
                            + " sparse_categorical_accuracy" : " (one-hot rows): use categorical_accuracy"));
                }
                resolved.add(r);
            }
            ms = List.copyOf(resolved);
            claim(optimizer);
            Workspace state = memory.open();
            try {
                optimizer.build(backend, table, state);
            } catch (RuntimeException | Error e) {
                memory.close(state);
                release(optimizer);
                throw e;
            }
            if (this.optimizer != null && this.optimizer != optimizer) release(this.optimizer);
            memory.close(optimizerSpace);
            optimizerSpace = state;
            trainer.setTargetWidth(tw);
            synchronized (idle) {
                for (Executor e : idle) e.setTargetWidth(tw);
            }
            boolean fused = lastLayer() instanceof Activated a && loss.fusesWith(a.activation());
            for (int i = 0; i < trainer.layers.size(); i++) {
                if (trainer.layers.get(i) instanceof Activated a) a.setActivationFusedWithLoss(fused && i == nodes.size() - 1);
            }
            this.fusedLoss = fused;
            this.optimizer = optimizer;
            this.metrics = ms;
            this.loss = loss;
        } finally {
            gate.exitWrite();
        }
    }

    /** Records that {@code optimizer} is this model's, or rejects it if another open model has it. */
    private void claim(Optimizer optimizer) {
        synchronized (OPTIMIZER_OWNERS) {
            WeakReference<Model> ref = OPTIMIZER_OWNERS.get(optimizer);
            Model other = ref == null ? null : ref.get();
            if (other != null && other != this && !other.isClosed()) {
                throw new IllegalArgumentException("optimizer " + optimizer + " is already compiled into model \""
                        + other.name + "\"; model \"" + name + "\" needs an optimizer of its own (an optimizer"
                        + " holds its model's weights and state): compile it with a new " + optimizer.name());
            }
            OPTIMIZER_OWNERS.put(optimizer, new WeakReference<>(this));
        }
    }

    private void release(Optimizer optimizer) {
        synchronized (OPTIMIZER_OWNERS) {
            WeakReference<Model> ref = OPTIMIZER_OWNERS.get(optimizer);
            if (ref != null && ref.get() == this) OPTIMIZER_OWNERS.remove(optimizer);
        }
    }

    public boolean isCompiled() {
        return loss != null;
    }

    /** Names of the values {@link #trainOnBatch} returns: "loss", then each metric. */
    public List<String> metricsNames() {
        List<String> names = new ArrayList<>();
        names.add("loss");
        for (Metric m : metrics) names.add(m.name());
        return names;
    }

    // ------------------------------------------------------------------ training and inference

    /**
     * One gradient step on one batch. Returns {@code [loss, metric...]} for this batch, computed
     * (as in Keras) from the predictions before the update.
     */
    public float[] trainOnBatch(float[][] x, float[][] y) {
        gate.enterWrite();
        try {
            checkCompiled("trainOnBatch");
            int n = loadBatch(trainer, x, y);
            return trainStep(trainer.x, trainer.target(), n);
        } finally {
            gate.exitWrite();
        }
    }

    /** {@link #trainOnBatch(float[][], float[][])} on tensors of shape (batch, ...), without copies. */
    public float[] trainOnBatch(Tensor x, Tensor y) {
        gate.enterWrite();
        try {
            checkCompiled("trainOnBatch");
            int n = checkTensors(x, y);
            trainer.ensureCapacity(n);
            return trainStep(x, y, n);
        } finally {
            gate.exitWrite();
        }
    }

    private float[] trainStep(Tensor x, Tensor y, int n) {
        float[] result = new float[1 + metrics.size()];
        result[0] = (float) forwardBackward(x, y, n);
        optimizer.step();
        // The update changed the weights, not the output buffer: metrics see this batch's predictions.
        scoreMetrics(result, lastOutput, y, n);
        return result;
    }

    /** Inference on the n rows in e's batch buffers: result = [loss, metric...]. */
    private void score(Executor e, float[] result, int n) {
        Tensor out = e.forward(e.x, n, false);
        result[0] = (float) loss.compute(backend, out, e.target(), n, outputWidth(), null, fusedLoss);
        scoreMetrics(result, out, e.target(), n);
    }

    private void scoreMetrics(float[] result, Tensor out, Tensor y, int n) {
        for (int i = 0; i < metrics.size(); i++) {
            result[i + 1] = (float) metrics.get(i).compute(backend, out, y, n, outputWidth());
        }
    }

    /**
     * Forward and backward on one batch without updating the weights; returns the loss and leaves
     * the gradients for {@link #getGradients()}. For gradient checks and custom training loops.
     */
    public double computeGradients(float[][] x, float[][] y) {
        gate.enterWrite();
        try {
            checkCompiled("computeGradients");
            int n = loadBatch(trainer, x, y);
            return forwardBackward(trainer.x, trainer.target(), n);
        } finally {
            gate.exitWrite();
        }
    }

    private double forwardBackward(Tensor x, Tensor y, int n) {
        Tensor out = trainer.forward(x, n, true);
        lastOutput = out;
        double value = loss.compute(backend, out, y, n, outputWidth(), trainer.lossGrad, fusedLoss);
        trainer.backward(trainer.lossGrad, n);
        for (Tensor[] pair : sharedGradients) backend.axpy(pair[0].size(), 1f, pair[0], pair[1]);
        return value;
    }

    /** The model's outputs for a batch, as {@code float[batch][outputs]} (inference: dropout off). Thread-safe. */
    public float[][] predictOnBatch(float[][] x) {
        Executor e = enter();
        try {
            int n = checkX(x);
            e.ensureCapacity(n);
            e.copyBatch(x, null, 0, n);
            return e.forward(e.x, n, false).toRows(n, outputWidth());
        } finally {
            exit(e);
        }
    }

    /** {@link #predictOnBatch(float[][])} on a tensor of shape (batch, ...). Thread-safe. */
    public float[][] predictOnBatch(Tensor x) {
        Executor e = enter();
        try {
            int n = checkTensor(x, inputWidth(), "x");
            checkFinite(x, n, inputWidth(), "x");
            e.ensureCapacity(n);
            return e.forward(x, n, false).toRows(n, outputWidth());
        } finally {
            exit(e);
        }
    }

    /** Loss and metrics on one batch, without training (Keras's {@code test_on_batch}). Thread-safe. */
    public float[] testOnBatch(float[][] x, float[][] y) {
        checkCompiled("testOnBatch");
        Executor e = enter();
        try {
            int n = loadBatch(e, x, y);
            float[] result = new float[1 + metrics.size()];
            score(e, result, n);
            return result;
        } finally {
            exit(e);
        }
    }

    // ------------------------------------------------------------------ integer labels

    /**
     * Class indices as target rows of one value, for the sparse losses
     * ({@code sparse_categorical_crossentropy}): numpy's usual form of labels.
     */
    static float[][] labelRows(int[] labels) {
        if (labels == null) throw new IllegalArgumentException("labels are null");
        float[][] rows = new float[labels.length][1];
        for (int i = 0; i < labels.length; i++) rows[i][0] = labels[i];
        return rows;
    }

    /** {@code long[]} labels (numpy's int64), each a class index that fits an int. */
    static float[][] labelRows(long[] labels) {
        if (labels == null) throw new IllegalArgumentException("labels are null");
        int[] ints = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < Integer.MIN_VALUE || labels[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("label " + labels[i] + " at row " + i + " is not a class index");
            }
            ints[i] = (int) labels[i];
        }
        return labelRows(ints);
    }

    /** {@link #fit(float[][], int[], FitOptions)} with {@code long[]} labels. */
    public History fit(float[][] x, long[] labels, FitOptions options) {
        return fit(x, labelRows(labels), options);
    }

    /** {@link #evaluate(float[][], int[], int)} with {@code long[]} labels. */
    public float[] evaluate(float[][] x, long[] labels, int batchSize) {
        return evaluate(x, labelRows(labels), batchSize);
    }

    /** {@link #trainOnBatch(float[][], float[][])} with class-index labels (sparse losses). */
    public float[] trainOnBatch(float[][] x, int[] labels) {
        return trainOnBatch(x, labelRows(labels));
    }

    /** {@link #testOnBatch(float[][], float[][])} with class-index labels. */
    public float[] testOnBatch(float[][] x, int[] labels) {
        return testOnBatch(x, labelRows(labels));
    }

    /** {@link #fit(float[][], float[][], int, int)} with class-index labels, e.g. with {@code sparse_categorical_crossentropy}. */
    public History fit(float[][] x, int[] labels, int batchSize, int epochs) {
        return fit(x, labelRows(labels), batchSize, epochs);
    }

    /** {@link #fit(float[][], float[][], FitOptions)} with class-index labels. */
    public History fit(float[][] x, int[] labels, FitOptions options) {
        return fit(x, labelRows(labels), options);
    }

    /** {@link #evaluate(float[][], float[][], int)} with class-index labels. */
    public float[] evaluate(float[][] x, int[] labels, int batchSize) {
        return evaluate(x, labelRows(labels), batchSize);
    }

    // ------------------------------------------------------------------ arrays of any shape

    /**
     * x as flat rows after checking its samples against the input shape: the input's shape, that
     * shape without a last axis of 1 (grey images (n, 28, 28) for an input (28, 28, 1)), or flat.
     */
    private float[][] rows(NdArray x, String what) {
        ensureBuilt();
        return Inputs.samples(x, inputShape, name(), what);
    }

    private static float[][] targetRows(NdArray y) {
        if (y == null) throw new IllegalArgumentException("y is null");
        return y.rows(); // (n,) gives one value per row: class indices, or a single target
    }

    /**
     * Trains on arrays of any shape, as Keras's {@code fit} on numpy arrays: x of shape (n, ...)
     * (see {@link NdArray}; images as (n, h, w) or (n, h, w, c)), y of shape (n,) (class indices
     * for the sparse losses, or one target per sample) or (n, k).
     */
    public History fit(NdArray x, NdArray y, FitOptions options) {
        return fit(rows(x, "x"), targetRows(y), options);
    }

    /** {@link #evaluate(float[][], float[][], int)} on arrays of any shape (as {@link #fit(NdArray, NdArray, FitOptions)}). */
    public float[] evaluate(NdArray x, NdArray y, int batchSize) {
        return evaluate(rows(x, "x"), targetRows(y), batchSize);
    }

    /** {@link #predict(float[][], int)} on x of shape (n, ...); one row of outputs per sample. Thread-safe. */
    public float[][] predict(NdArray x, int batchSize) {
        return predict(rows(x, "x"), batchSize);
    }

    /** {@link #predict(NdArray, int)} in batches of 32. Thread-safe. */
    public float[][] predict(NdArray x) {
        return predict(x, 32);
    }

    /** {@link #trainOnBatch(float[][], float[][])} on arrays of any shape. */
    public float[] trainOnBatch(NdArray x, NdArray y) {
        return trainOnBatch(rows(x, "x"), targetRows(y));
    }

    /** {@link #testOnBatch(float[][], float[][])} on arrays of any shape. Thread-safe. */
    public float[] testOnBatch(NdArray x, NdArray y) {
        return testOnBatch(rows(x, "x"), targetRows(y));
    }

    /** {@link #predictOnBatch(float[][])} on x of shape (n, ...). Thread-safe. */
    public float[][] predictOnBatch(NdArray x) {
        return predictOnBatch(rows(x, "x"));
    }

    /** Trains on images {@code [n][h][w]} (grey) with class-index labels. */
    public History fit(float[][][] images, int[] labels, FitOptions options) {
        return fit(NdArray.of(images), NdArray.labels(labels), options);
    }

    /** Trains on images {@code [n][h][w][c]} (channels last) with class-index labels. */
    public History fit(float[][][][] images, int[] labels, FitOptions options) {
        return fit(NdArray.of(images), NdArray.labels(labels), options);
    }

    /** Trains on {@code double} samples and targets (numpy's float64), rounded to float32. */
    public History fit(double[][] x, double[][] y, FitOptions options) {
        return fit(NdArray.of(x), NdArray.of(y), options);
    }

    public float[] evaluate(float[][][] images, int[] labels, int batchSize) {
        return evaluate(NdArray.of(images), NdArray.labels(labels), batchSize);
    }

    public float[] evaluate(float[][][][] images, int[] labels, int batchSize) {
        return evaluate(NdArray.of(images), NdArray.labels(labels), batchSize);
    }

    public float[] evaluate(double[][] x, double[][] y, int batchSize) {
        return evaluate(NdArray.of(x), NdArray.of(y), batchSize);
    }

    /** Outputs for grey images {@code [n][h][w]}. Thread-safe. */
    public float[][] predict(float[][][] images) {
        return predict(NdArray.of(images));
    }

    /** Outputs for images {@code [n][h][w][c]}. Thread-safe. */
    public float[][] predict(float[][][][] images) {
        return predict(NdArray.of(images));
    }

    /** Outputs for {@code double} samples, rounded to float32. Thread-safe. */
    public float[][] predict(double[][] x) {
        return predict(NdArray.of(x));
    }

    // ------------------------------------------------------------------ fit, evaluate, predict

    /** Trains for {@code epochs} passes over (x, y) in shuffled batches of {@code batchSize}. */
    public History fit(float[][] x, float[][] y, int batchSize, int epochs) {
        return fit(x, y, FitOptions.builder().batchSize(batchSize).epochs(epochs).build());
    }

    /**
     * Trains with Keras's {@code fit} options: validation, shuffling, callbacks, verbosity. Each
     * step holds the model alone; other threads' predictions run between steps.
     */
    public History fit(float[][] x, float[][] y, FitOptions options) {
        checkCompiled("fit");
        if (options == null) throw new IllegalArgumentException("fit: options are null");
        return Trainer.fit(this, x, y, options);
    }

    /** {@link #fit(float[][], float[][], FitOptions)} on a {@link Dataset}. */
    public History fit(Dataset data, FitOptions options) {
        if (data == null) throw new IllegalArgumentException("fit: data is null");
        return fit(data.x(), data.y(), options);
    }

    /** Asks {@code fit} to stop after the current epoch (Keras's {@code model.stop_training = True}). */
    public void setStopTraining(boolean stop) {
        this.stopTraining = stop;
    }

    public boolean isStopTrainingRequested() {
        return stopTraining;
    }

    /** Loss and metrics over all of (x, y), in batches of 32; {@code [loss, metric...]}. Thread-safe. */
    public float[] evaluate(float[][] x, float[][] y) {
        return evaluate(x, y, 32);
    }

    /** Loss and metrics over all of (x, y), in batches of {@code batchSize}, as sample-weighted means. Thread-safe. */
    public float[] evaluate(float[][] x, float[][] y, int batchSize) {
        checkCompiled("evaluate");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        Executor e = enter();
        try {
            int rows = checkX(x), ny = checkY(y);
            if (rows != ny) throw new IllegalArgumentException("x has " + rows + " samples but y has " + ny);
            // As Keras: the loss is a mean weighted by batch size, each metric accumulates its own state.
            MetricState[] states = newMetricStates();
            double lossSum = 0;
            for (int from = 0; from < rows; from += batchSize) {
                int to = Math.min(rows, from + batchSize), n = to - from;
                e.ensureCapacity(n);
                e.copyBatch(x, y, from, to);
                Tensor out = e.forward(e.x, n, false);
                float value = (float) loss.compute(backend, out, e.target(), n, outputWidth(), null, fusedLoss);
                lossSum += (double) value * n;
                for (MetricState st : states) st.update(backend, out, e.target(), n, outputWidth());
            }
            float[] r = new float[1 + metrics.size()];
            r[0] = (float) (lossSum / rows);
            for (int k = 0; k < states.length; k++) r[k + 1] = (float) states[k].result();
            return r;
        } finally {
            exit(e);
        }
    }

    /** {@link #evaluate(float[][], float[][], int)} on a {@link Dataset}. */
    public float[] evaluate(Dataset data, int batchSize) {
        if (data == null) throw new IllegalArgumentException("evaluate: data is null");
        return evaluate(data.x(), data.y(), batchSize);
    }

    /** Outputs for every row of x, computed in batches of 32. Thread-safe. */
    public float[][] predict(float[][] x) {
        return predict(x, 32);
    }

    /** Outputs for every row of x, computed in batches of {@code batchSize} (inference: dropout off). Thread-safe. */
    public float[][] predict(float[][] x, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        Executor e = enter();
        try {
            int rows = checkX(x);
            float[][] result = new float[rows][];
            for (int from = 0; from < rows; from += batchSize) {
                int to = Math.min(rows, from + batchSize), n = to - from;
                e.ensureCapacity(n);
                e.copyBatch(x, null, from, to);
                e.forward(e.x, n, false).toRows(n, outputWidth(), result, from);
            }
            return result;
        } finally {
            exit(e);
        }
    }

    /**
     * One training step on rows {@code index[from..to)} of data already checked by
     * {@link #checkData}: adds the batch's predictions (before the update, as Keras) to
     * {@code states}, one per metric, and returns the batch's loss.
     */
    float trainRows(float[][] x, float[][] y, int[] index, int from, int to, MetricState[] states) {
        gate.enterWrite();
        try {
            checkCompiled("fit");
            int n = to - from;
            trainer.ensureCapacity(n);
            trainer.x.copyRowsFrom(x, index, from, to);
            trainer.target().copyRowsFrom(y, index, from, to);
            float value = (float) forwardBackward(trainer.x, trainer.target(), n);
            optimizer.step();
            for (int i = 0; i < states.length; i++) states[i].update(backend, lastOutput, trainer.target(), n, outputWidth());
            return value;
        } finally {
            gate.exitWrite();
        }
    }

    /** A fresh accumulator for each compiled metric, in {@link #metrics()} order. */
    MetricState[] newMetricStates() {
        MetricState[] states = new MetricState[metrics.size()];
        for (int i = 0; i < states.length; i++) states[i] = metrics.get(i).newState();
        return states;
    }

    /** Checks a whole data set once (shapes, row counts, finiteness) so batches need no checks. */
    Dataset checkData(float[][] x, float[][] y, String xName, String yName) {
        ensureBuilt();
        checkOpen();
        int n = checkX(x), ny = checkY(y);
        if (n != ny) {
            throw new IllegalArgumentException(xName + " has " + n + " samples but " + yName + " has " + ny);
        }
        Executor.checkAllFinite(x, xName);
        Executor.checkAllFinite(y, yName);
        loss.checkTargets(y, outputWidth(), yName);
        return new Dataset(x, y);
    }

    // ------------------------------------------------------------------ data checks

    /** Checks x and y, then copies them into e's batch buffers; returns the row count. */
    private int loadBatch(Executor e, float[][] x, float[][] y) {
        int n = checkX(x);
        int ny = checkY(y);
        if (ny != n) {
            throw new IllegalArgumentException("x has " + n + " rows but y has " + ny
                    + "; every sample needs exactly one target row");
        }
        e.ensureCapacity(n);
        e.copyBatch(x, y, 0, n);
        return n;
    }

    private int checkX(float[][] x) {
        int width = Rows.width(x, "x");
        if (width != inputWidth()) {
            throw new IllegalArgumentException(layers.getFirst().describe() + " expects "
                    + inputWidth() + " input features per row (Input shape " + inputShape + "), got "
                    + width + " in x");
        }
        return x.length;
    }

    private int checkY(float[][] y) {
        int width = Rows.width(y, "y");
        if (width != targetWidth()) {
            String hint = width == 1 && outputWidth() > 1
                    ? "; labels are class indices? use sparse_categorical_crossentropy, or one-hot them with Datasets.oneHot"
                    : targetWidth() == 1 && width == outputWidth() ? "; one-hot rows? use categorical_crossentropy" : "";
            throw new IllegalArgumentException("loss " + loss.name() + " expects " + targetWidth()
                    + (targetWidth() == 1 && outputWidth() > 1 ? " class index" : " target values") + " per row (the output of "
                    + lastLayer().describe() + " has " + outputWidth() + "), got " + width + " in y" + hint);
        }
        return y.length;
    }

    private int checkTensors(Tensor x, Tensor y) {
        int n = checkTensor(x, inputWidth(), "x");
        int ny = checkTensor(y, targetWidth(), "y");
        if (ny != n) {
            throw new IllegalArgumentException("x has " + n + " rows but y has " + ny);
        }
        checkFinite(x, n, inputWidth(), "x");
        checkFinite(y, n, targetWidth(), "y");
        return n;
    }

    private int checkTensor(Tensor t, int width, String what) {
        if (t == null) throw new IllegalArgumentException(what + " is null");
        if (t.shape().rank() < 2) {
            throw new IllegalArgumentException(what + " needs a batch dimension: shape (batch, ...), got "
                    + t.shape());
        }
        if (t.rowLength() != width) {
            throw new IllegalArgumentException(what + " rows hold " + t.rowLength() + " values (shape "
                    + t.shape() + ") but " + (what.equals("x") ? layers.getFirst().describe() + " expects "
                    : "the output of " + lastLayer().describe() + " has ") + width);
        }
        return t.shape().dim(0);
    }

    private void checkFinite(Tensor t, int n, int width, String what) {
        long bad = backend.countNonFinite(t, (long) n * width);
        if (bad > 0) {
            throw new IllegalArgumentException(what + " contains " + bad + " NaN or infinite values");
        }
    }

    // ------------------------------------------------------------------ weights

    /** The weights, layer by layer, kernel then bias, each a row-major copy in Keras's layout. */
    public List<float[]> getWeights() {
        return copyOut(true);
    }

    /**
     * The gradients from the last training step or {@link #computeGradients}, in
     * {@link #getWeights()} order (zeros for weights that are not trainable).
     */
    public List<float[]> getGradients() {
        return copyOut(false);
    }

    private List<float[]> copyOut(boolean weights) {
        ensureBuilt();
        boolean counted = gate.enterRead();
        try {
            List<float[]> out = new ArrayList<>();
            for (Variable v : table.variables()) {
                Tensor t = weights ? table.value(v) : table.gradient(v);
                out.add(t == null ? new float[(int) v.size()] : t.toArray()); // no gradient: zeros
            }
            return out;
        } finally {
            if (counted) gate.exitRead();
        }
    }

    /** The model's weight views in {@link #getWeights()} order. */
    private List<Tensor> weightViews() {
        List<Tensor> out = new ArrayList<>();
        for (Variable v : table.variables()) out.add(table.value(v));
        return out;
    }

    /** Replaces all weights; takes exactly what {@link #getWeights()} returns. Checked before anything changes. */
    public void setWeights(List<float[]> weights) {
        gate.enterWrite();
        try {
            build();
            replace(table.variables(), weights, "setWeights", "(kernel and bias per layer)");
        } finally {
            gate.exitWrite();
        }
    }

    /** Checks {@code values} against {@code targets} (count, sizes, finiteness), then copies them in. */
    private void replace(List<Variable> targets, List<float[]> values, String what, String hint) {
        if (values == null || values.size() != targets.size()) {
            throw new IllegalArgumentException(what + " expects " + targets.size() + " arrays " + hint + ", got "
                    + (values == null ? "null" : values.size()));
        }
        for (int i = 0; i < targets.size(); i++) {
            Variable v = targets.get(i);
            float[] w = values.get(i);
            String who = getLayer(v.layer()).describe() + " weight " + i + " (" + v.name() + ")";
            if (w == null || w.length != v.size()) {
                throw new IllegalArgumentException(who + " must have shape " + v.shape() + " = " + v.size() + " values, got "
                        + (w == null ? "null" : w.length));
            }
            for (float x : w) {
                if (!Float.isFinite(x)) throw new IllegalArgumentException(who + " contains a non-finite value " + x);
            }
        }
        for (int i = 0; i < targets.size(); i++) table.value(targets.get(i)).copyFrom(values.get(i));
    }

    /** Each layer's own getWeights / setWeights, through this model's gate and table. */
    final Layer.WeightAccess layerWeights = new Layer.WeightAccess() {
        @Override
        public List<float[]> get(Layer l) {
            ensureBuilt();
            boolean counted = gate.enterRead();
            try {
                List<float[]> out = new ArrayList<>();
                for (Variable v : variablesOf(l)) out.add(table.value(v).toArray());
                return out;
            } finally {
                if (counted) gate.exitRead();
            }
        }

        @Override
        public void set(Layer l, List<float[]> weights) {
            gate.enterWrite();
            try {
                build();
                replace(variablesOf(l), weights, l.describe() + ".setWeights", "(" + String.join(", ", l.weightNames()) + ")");
            } finally {
                gate.exitWrite();
            }
        }
    };

    private List<Variable> variablesOf(Layer l) {
        return table.variables().stream().filter(v -> v.layer().equals(l.name())).toList();
    }

    /**
     * Loads weights that may hold NaN or infinity (a file saved with
     * {@link SaveOption#ALLOW_NON_FINITE}, read back by ModelFileReader); sizes were checked there.
     */
    void setWeightsAllowingNonFinite(List<float[]> weights) {
        gate.enterWrite();
        try {
            build();
            List<Tensor> targets = weightViews();
            for (int k = 0; k < targets.size(); k++) targets.get(k).copyFrom(weights.get(k));
        } finally {
            gate.exitWrite();
        }
    }

    /** The layer named {@code name}, as Keras's {@code model.get_layer(name)}. */
    public Layer getLayer(String name) {
        for (Layer l : layers) if (l.name().equals(name)) return l;
        throw new IllegalArgumentException("No such layer: " + name + ". Existing layers are: "
                + layers.stream().map(Layer::name).toList());
    }

    /**
     * Everything a resumed training run needs, read in one go (no training step in between): the
     * weights, the optimizer's iteration count and state variables (and EMA average), each layer's
     * random-number state, and how many epochs {@code fit} has completed.
     */
    record TrainingState(List<float[]> weights, long iterations, Map<String, float[]> optimizerState, float[] average,
            Map<String, long[]> layerRng, int epoch) {}

    TrainingState trainingState() {
        ensureBuilt();
        boolean counted = gate.enterRead();
        try {
            List<float[]> w = new ArrayList<>();
            for (Variable v : table.variables()) w.add(table.value(v).toArray());
            Map<String, float[]> state = new java.util.LinkedHashMap<>();
            long n = table.trainableSize();
            float[] avg = null;
            long iterations = 0;
            if (optimizer != null) {
                iterations = optimizer.iterations();
                for (Map.Entry<String, Tensor> e : optimizer.stateVariables().entrySet()) {
                    state.put(e.getKey(), firstValues(e.getValue(), optimizer.stateLength(e.getKey())));
                }
                if (optimizer.average() != null) avg = firstValues(optimizer.average(), n);
            }
            Map<String, long[]> rng = new java.util.LinkedHashMap<>();
            for (Layer l : layers) if (l.rngState().length > 0) rng.put(l.name(), l.rngState());
            return new TrainingState(w, iterations, state, avg, rng, epoch);
        } finally {
            if (counted) gate.exitRead();
        }
    }

    private static float[] firstValues(Tensor t, long n) {
        return n == 0 ? new float[0] : t.slice(0, Shape.of((int) n)).toArray();
    }

    /** Restores what {@link #trainingState()} saved (the weights are set separately); sizes were checked by the reader. */
    void restoreTrainingState(long iterations, Map<String, float[]> state, float[] average, Map<String, long[]> rng,
            int epochs) {
        gate.enterWrite();
        try {
            if (optimizer != null) {
                optimizer.setIterations(iterations);
                Map<String, Tensor> vars = optimizer.stateVariables();
                for (Map.Entry<String, float[]> e : state.entrySet()) vars.get(e.getKey()).copyFrom(e.getValue());
                // (copyFrom of an empty array, for a model without trainable weights, copies nothing)
                if (average != null) optimizer.average().copyFrom(average);
            }
            for (Map.Entry<String, long[]> e : rng.entrySet()) getLayer(e.getKey()).setRngState(e.getValue());
            this.epoch = epochs;
        } finally {
            gate.exitWrite();
        }
    }

    /** Epochs completed by {@code fit} (what {@code initialEpoch} resumes from); saved with the model. */
    public int epoch() {
        return epoch;
    }

    void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    /** Number of weight values, trainable or not (Keras's {@code count_params()}). */
    public long countParams() {
        long total = 0;
        for (Layer l : layers) total += l.parameterCount();
        return total;
    }

    // ------------------------------------------------------------------ save and load

    /**
     * Saves the model as a versioned zip: {@code metadata.json}, a Keras-style {@code config.json}
     * (layers, hyper-parameters, compile settings) and each weight as a numpy {@code .npy} file.
     * The write is atomic: a crash mid-save leaves any previous file intact. Weights that are NaN
     * or infinite are refused: see {@link #save(Path, SaveOption...)}.
     */
    public void save(Path path) throws IOException {
        save(path, new SaveOption[0]);
    }

    /**
     * {@link #save(Path)} with options. A model whose weights hold NaN or infinity (its training
     * diverged) is refused with an {@link IllegalStateException} naming the layer and weight, and
     * the file already at {@code path} is left as it was; with {@link SaveOption#ALLOW_NON_FINITE}
     * it is saved anyway, and {@link #load} gives back exactly those values.
     */
    public void save(Path path, SaveOption... options) throws IOException {
        ensureBuilt();
        checkOpen();
        if (path == null) throw new IllegalArgumentException("save: path is null");
        if (options == null) options = new SaveOption[0];
        ModelFile.save(this, path, options); // reads the weights once, through getWeights (a consistent copy)
    }

    /**
     * Makes this model continue from a checkpoint of itself: the weights, the optimizer's
     * iterations and state, each layer's random-number state and the epoch count are taken from
     * {@code path} (a file {@link #save} wrote from a model of the same layers and optimizer).
     * What {@code BackupAndRestore} and a resumed {@code fit} use.
     *
     * @throws IOException when the file is unreadable or describes another architecture or optimizer
     */
    public void restoreFrom(Path path) throws IOException {
        checkCompiled("restoreFrom");
        try (Model saved = ModelFile.load(path, backend)) {
            TrainingState st = saved.trainingState();
            requireSameWeights(path, saved);
            if (!st.optimizerState().keySet().equals(optimizer.stateVariables().keySet())) {
                throw new ModelFormatException(path + " holds the state of " + (saved.optimizer() == null ? "no optimizer"
                        : saved.optimizer().name() + " " + st.optimizerState().keySet()) + ", model \"" + name + "\" trains with "
                        + optimizer.name() + " " + optimizer.stateVariables().keySet());
            }
            if ((st.average() != null) != (optimizer.average() != null)) {
                throw new ModelFormatException(path + ": the EMA setting differs from this model's optimizer");
            }
            Map<String, long[]> rng = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : st.layerRng().entrySet()) {
                if (layers.stream().noneMatch(l -> l.name().equals(e.getKey()))) {
                    throw new ModelFormatException(path + " has random-number state for a layer \"" + e.getKey()
                            + "\" that model \"" + name + "\" does not have");
                }
                rng.put(e.getKey(), e.getValue());
            }
            setWeightsAllowingNonFinite(st.weights());
            restoreTrainingState(st.iterations(), st.optimizerState(), st.average(), rng, st.epoch());
        }
    }

    /**
     * Saves only the weights (Keras's {@code save_weights}): a model file without the compile
     * settings and training state, read back by {@link #loadWeights} into a model of the same layers.
     */
    public void saveWeights(Path path) throws IOException {
        save(path, SaveOption.WEIGHTS_ONLY);
    }

    /** A file's model must hold this model's weights: same count, and each with the same name and shape. */
    private void requireSameWeights(Path path, Model saved) throws ModelFormatException {
        List<Variable> mine = parameterTable().variables(), theirs = saved.parameterTable().variables();
        for (int i = 0; i < Math.max(mine.size(), theirs.size()); i++) {
            if (i >= mine.size() || i >= theirs.size() || !mine.get(i).shape().equals(theirs.get(i).shape())
                    || !mine.get(i).name().equals(theirs.get(i).name())) {
                throw new ModelFormatException(path + " holds weights " + theirs.stream().map(v -> v.path() + " " + v.shape()).toList()
                        + "; model \"" + name + "\" has " + mine.stream().map(v -> v.path() + " " + v.shape()).toList());
            }
        }
    }

    /** Sets this model's weights from a file {@link #saveWeights} or {@link #save} wrote for the same layers. */
    public void loadWeights(Path path) throws IOException {
        checkOpen();
        try (Model saved = ModelFile.load(path, backend)) {
            requireSameWeights(path, saved);
            setWeightsAllowingNonFinite(saved.getWeights());
        }
    }

    /** Loads a model saved by {@link #save} onto the default backend; it predicts exactly as the saved one did. */
    public static Model load(Path path) throws IOException {
        return ModelFile.load(path, Backends.defaultBackend());
    }

    /** Loads a model saved by {@link #save} onto {@code backend}. */
    public static Model load(Path path, Backend backend) throws IOException {
        return ModelFile.load(path, backend);
    }

    // ------------------------------------------------------------------ summary, memory, close

    /** A table of layers, output shapes and parameter counts, in Keras's format. */
    public String summary() {
        checkOpen();
        long trainable = 0;
        for (Layer l : layers) trainable += l.trainableParameterCount();
        return this instanceof Sequential ? Summary.format(name, layers, countParams(), trainable)
                : Summary.functional(name, inputLayer, nodes(), layers, countParams(), trainable);
    }

    /** Off-heap bytes this model holds now: weights, gradients, optimizer state and every executor's batch buffers. */
    public long offHeapBytes() {
        return memory.bytes();
    }

    /**
     * Frees all off-heap memory, after waiting for calls in flight on other threads. Using the
     * model afterwards throws {@link IllegalStateException}; closing again does nothing.
     */
    @Override
    public void close() {
        gate.close(() -> {
            if (optimizer != null) release(optimizer);
            cleanable.clean(); // frees `memory` now, and tells the cleaner it is done
        });
    }

    public boolean isClosed() {
        return gate.isClosed();
    }

    /** What close() or the cleaner frees (for tests). */
    ModelMemory memory() {
        return memory;
    }

    private void checkOpen() {
        gate.checkOpen();
    }

    private void checkCompiled(String what) {
        checkOpen();
        if (loss == null) {
            throw new IllegalStateException("model \"" + name + "\" must be compiled before " + what
                    + ": call compile(loss, optimizer, metrics...)");
        }
    }
}
