package dev.sinew.models;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.data.Dataset;
import dev.sinew.layers.Activated;
import dev.sinew.layers.Augmentation;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Int8Dense;
import dev.sinew.layers.Int8Kernel;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model: layers with their weights, compiled with a loss, an optimizer and metrics, trained
 * with {@code fit} and used with {@code predict}; Keras's {@code Model}. {@link Sequential} builds
 * one as a stack of layers; {@link #Model(List, List)} from a graph of layer applications (the
 * functional API), with any number of inputs and outputs.
 *
 * <p>Several inputs and outputs: data goes in and comes out as lists, one array per input and
 * one per output, in the order the model was built with ({@code fit(List.of(xa, xb),
 * List.of(ya, yb), options)}, {@code predict(List.of(xa, xb))}). Each output has its own loss and
 * metrics, and the loss trained is {@code sum_k weight_k * loss_k}
 * ({@link #compile(List, List, Optimizer, List)}, or by output name with
 * {@link #compile(Map, Map, Optimizer, Map)}). Results are named as Keras 3 names them:
 * {@code loss}, then {@code <output>_loss} for each output, then {@code <output>_<metric>}
 * ({@link #metricsNames()}), where an output is named by the layer that makes it. A model of one
 * input and one output takes plain arrays, as before, and is unaffected by any of this.
 *
 * <p>Views: a model built from the layers of another model (typically
 * {@code new Model(model.input(), model.output("conv2d"))}, Keras's feature extractor) holds no
 * weights of its own: it reads that model's, as they are at each call, and is inference-only
 * ({@code predict}, {@code summary}, {@code getWeights}, {@code save}; compile, fit and
 * setWeights are refused, naming the model to train instead). It must not outlive the model it
 * reads: once that model is closed, the view's calls fail saying so.
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
 * a rejected call leaves the model as it was. A layer belongs to one model (other models may
 * only view it), and an optimizer instance to one open model.
 */
public class Model implements AutoCloseable {
    /** How many models of each automatic name stem ("sequential", "functional") were made. */
    private static final Map<String, AtomicInteger> MODELS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Cleaner CLEANER = Cleaner.create();
    /** Which open model each optimizer instance is compiled into (an optimizer holds one model's state). */
    private static final Map<Optimizer, WeakReference<Model>> OPTIMIZER_OWNERS = new WeakHashMap<>();
    /**
     * Which model holds each layer's weights, so that a model built from another's layers can find
     * the weights to share. Weak both ways: neither keeps a dropped model or layer alive. (Layers
     * compare by identity.)
     */
    private static final Map<Layer, WeakReference<Model>> LAYER_OWNERS = new WeakHashMap<>();

    final Backend backend;
    private final long seed;
    final String name;
    final List<Layer> layers = new ArrayList<>();
    final Map<String, Integer> nameCounts = new HashMap<>();
    Shape inputShape; // the (first) input's sample shape
    List<Input> inputLayers = List.of(); // a functional model's (named) inputs, in order

    // Every off-heap byte, freed by close() or, for a model never closed, by the cleaner.
    private final ModelMemory memory = new ModelMemory();
    private final Cleaner.Cleanable cleanable;
    final UseGate gate;
    // A view: the model whose weights this one reads (and keeps reachable); null for a model of its own.
    private Model owner;

    // Built: weights and gradients, each one flat tensor, with per-layer views (a view's: its owner's).
    private volatile ParameterTable table;
    private List<Variable> variables; // this model's weights in getWeights order (a view's: a part of its owner's)
    // The graph, fixed at build: one node per layer application, each after its inputs. A
    // functional model fixes it at construction; a Sequential one chains its layers.
    private List<Node> nodes;
    private List<Node> functionalNodes;
    private int[] outputNodes; // per model output, the node that makes it
    // The symbolic tensors (functional: those it was built from; Sequential: made on first request).
    private List<KerasTensor> inputTensors, outputTensors, nodeTensors;
    // Where a layer is applied more than once, the training executor runs a copy of it at each
    // later node, bound to the same weights but to gradients of its own, added in after backward.
    private final List<Tensor[]> sharedGradients = new ArrayList<>();
    // Such copies of layers that draw random numbers (Dropout, augmentation): before each training
    // forward each takes the original's step and a seed derived from its own (Layer.followRandomState).
    private final List<RandomCopy> randomCopies = new ArrayList<>();
    private Workspace tableSpace; // the table's memory
    private final List<Workspace> copySpaces = new ArrayList<>(); // those copies' gradients

    private record RandomCopy(Layer copy, Layer original, int application) {}

    // After quantize("int8"): each Dense layer's int8 kernel, which inference executors run instead
    // of the float one (null: a float model). Written under the write side of the gate.
    private volatile Map<Layer, Int8Kernel> int8;

    // The training executor runs the model's own layers; inference runs on executors of copied
    // layers that share the weights, one per concurrent caller, kept in `idle` between calls.
    private Executor trainer;
    private final ArrayDeque<Executor> idle = new ArrayDeque<>();
    private final Tensor[] tensorX = new Tensor[1], tensorY = new Tensor[1]; // trainOnBatch(Tensor, Tensor)'s, reused

    // Compiled. `loss` (the first output's) is written last: its volatile write publishes the rest.
    private volatile Loss loss;
    private List<Loss> losses = List.of();
    private double[] lossWeights = new double[0];
    private List<List<Metric>> outputMetrics = List.of();
    private List<Metric> metrics = List.of();  // every output's, in order
    private int[] metricOutput = new int[0];   // per metric, its output
    private boolean[] fusedLoss = new boolean[0];
    private List<String> metricsNames = List.of("loss");
    private double[] outputLoss = new double[0]; // the last training step's loss per output, unweighted
    private int lastTrainRows; // rows of the last training step's batch (lastTrainingOutput reads them)
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
     * Built from the layers of another model, it is a view of that model's weights (see the class
     * comment): {@code new Model(model.input(), model.output("conv2d"))}.
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
        this(backend, seed, name, List.of(nonNull(input, "input")), List.of(nonNull(output, "output")));
    }

    /**
     * A functional model of several inputs and outputs, as Keras's {@code Model(inputs=[a, b],
     * outputs=[c, d])}. Data is then passed as lists in these orders; each output is named by the
     * layer that makes it (what {@link #compile(Map, Map, Optimizer, Map)} and the logs use).
     * An output may also feed other layers. Every input must be used; a tensor that does not lead
     * back to the inputs is an error ("Graph disconnected") naming the layer that reads it.
     * <pre>{@code
     * var image = Input.of(28, 28, 1), meta = Input.of(3);
     * var f = new Dense(32, "relu").apply(new Flatten().apply(new Conv2D(8, 3, "relu").apply(image)));
     * var joined = new Concatenate().apply(f, meta);
     * var digit = new Dense(10, "softmax").withName("digit").apply(joined);
     * var size  = new Dense(1).withName("size").apply(joined);
     * Model m = new Model(List.of(image, meta), List.of(digit, size));
     * }</pre>
     */
    public Model(List<KerasTensor> inputs, List<KerasTensor> outputs) {
        this(inputs, outputs, new SplittableRandom().nextLong());
    }

    /** {@link #Model(List, List)} whose initial weights are fixed by {@code seed}. */
    public Model(List<KerasTensor> inputs, List<KerasTensor> outputs, long seed) {
        this(Backends.defaultBackend(), seed, null, inputs, outputs);
    }

    /** {@link #Model(List, List)} on {@code backend}, named {@code name} (null: "functional", ...). */
    public Model(Backend backend, long seed, String name, List<KerasTensor> inputs, List<KerasTensor> outputs) {
        this(backend, seed, name, "functional");
        Functional g = new Functional(inputs, outputs);
        Model shares = weightOwner(g.layers);
        inputLayers = List.copyOf(g.inputs);
        inputShape = inputLayers.getFirst().shape();
        Set<String> taken = new HashSet<>();
        Set<Layer> added = Collections.newSetFromMap(new IdentityHashMap<>());
        if (shares != null) for (Layer l : g.layers) taken.add(l.name());
        for (Input in : inputLayers) {
            if (in.name() == null) {
                String stem = in.defaultNameStem(), fresh = autoName(stem);
                while (taken.contains(fresh)) {
                    nameCounts.merge(stem, 1, Integer::sum);
                    fresh = autoName(stem);
                }
                in.withName(fresh);
                nameCounts.merge(stem, 1, Integer::sum);
            }
            if (taken.contains(in.name())) {
                throw new IllegalArgumentException("two layers are named \"" + in.name() + "\"; layer names must be unique in a model");
            }
            taken.add(in.name());
        }
        if (shares == null) {
            boolean[] trained = new boolean[g.nodes.size()]; // a weight that training updates is at or before node i
            for (int i = 0; i < g.nodes.size(); i++) {
                Layer l = g.nodes.get(i).layer();
                List<Shape> shapes = g.inputShapes(i);
                boolean upstream = false; // the layers before node i are built: each node comes after its inputs
                for (int j : g.nodes.get(i).inputs()) upstream |= j >= 0 && trained[j];
                if (l instanceof Augmentation && upstream) {
                    // Refused here, as Sequential.add refuses it, not by the first training step's backward pass.
                    throw new IllegalArgumentException(l.describe() + " must come before every layer with weights (it passes"
                            + " no gradient back); apply it to a model input, before them");
                }
                if (!added.add(l)) {
                    trained[i] = upstream || l.trainableParameterCount() > 0;
                    if (!shapes.equals(l.inputShapes())) {
                        throw new IllegalArgumentException(l.describe() + " is applied to " + shapes + " and to " + l.inputShapes()
                                + "; a layer applied twice shares its weights, so it takes the same input shapes each time");
                    }
                    continue;
                }
                boolean auto = l.name() == null;
                String layerName = auto ? autoName(l.defaultNameStem()) : l.name();
                if (taken.contains(layerName)) {
                    throw new IllegalArgumentException("two layers are named \"" + layerName + "\"; layer names must be unique in a model");
                }
                taken.add(layerName);
                l.withName(layerName);
                if (auto) nameCounts.merge(l.defaultNameStem(), 1, Integer::sum);
                l.build(shapes, backend);
                layers.add(l);
                trained[i] = upstream || l.trainableParameterCount() > 0;
            }
            // Only once every layer is accepted: a model refused half-way leaves its layers free
            // for the next attempt, not owned by a model that never came to be.
            for (Layer l : layers) adopt(l);
        } else {
            layers.addAll(g.layers);
        }
        functionalNodes = List.copyOf(g.nodes);
        outputNodes = g.outputs.clone();
        inputTensors = g.inputTensors;
        outputTensors = g.outputTensors;
        nodeTensors = List.copyOf(g.tensors);
        if (shares != null) view(shares);
    }

    private static KerasTensor nonNull(KerasTensor t, String what) {
        if (t == null) throw new IllegalArgumentException("a model needs an input and an output tensor; the " + what + " is null");
        return t;
    }

    /**
     * The model whose weights layers {@code ls} use: null when all are new (this model will own
     * them), the one model they all belong to, else an error naming two layers that differ.
     */
    private static Model weightOwner(List<Layer> ls) {
        Model found = null;
        Layer foundLayer = null, fresh = null;
        for (Layer l : ls) {
            if (l.modelName() == null) {
                fresh = l;
                continue;
            }
            WeakReference<Model> ref;
            synchronized (LAYER_OWNERS) {
                ref = LAYER_OWNERS.get(l);
            }
            Model m = ref == null ? null : ref.get();
            if (m == null || m.isClosed()) {
                throw new IllegalArgumentException(l.describe() + " belongs to model \"" + l.modelName() + "\", which is closed"
                        + " (or was dropped): its weights are gone, so no model can use the layer any more");
            }
            if (found != null && found != m) {
                throw new IllegalArgumentException(l.describe() + " belongs to model \"" + m.name + "\" and " + foundLayer.describe()
                        + " to model \"" + found.name + "\"; a model can share the weights of one other model only");
            }
            found = m;
            foundLayer = l;
        }
        if (found != null && fresh != null) {
            throw new IllegalArgumentException(fresh.describe() + " is new but " + foundLayer.describe() + " already belongs to model \""
                    + found.name + "\"; a model either owns all its layers, or uses only the layers of one other model as an"
                    + " inference-only view of its weights (a feature extractor). To train new layers on such features, predict them"
                    + " with the view and fit a new model on them, or build the whole model from new layers");
        }
        return found;
    }

    /** Records that this model holds {@code l}'s weights (and tells the layer). */
    final void adopt(Layer l) {
        l.attachTo(this.name, layerWeights);
        synchronized (LAYER_OWNERS) {
            LAYER_OWNERS.put(l, new WeakReference<>(this));
        }
    }

    /** Makes this model a view of {@code shares}'s weights: built at once, over that model's table. */
    private void view(Model shares) {
        try {
            shares.ensureBuilt();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("model \"" + shares.name + "\" is closed: no model can use its layers any more", e);
        }
        owner = shares;
        nodes = functionalNodes;
        List<Variable> vs = new ArrayList<>();
        for (Layer l : layers) vs.addAll(shares.variablesOf(l));
        variables = List.copyOf(vs);
        table = shares.table; // last: publishes a built model
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

    /**
     * The shape of one input sample (from the {@link Input}), or null before one is added; for a
     * model of several inputs, the first one's ({@link #inputShapes()} has all).
     */
    public Shape inputShape() {
        return inputShape;
    }

    /** The sample shape of each input, in order (one for a Sequential model). */
    public List<Shape> inputShapes() {
        if (inputLayers.isEmpty()) return inputShape == null ? List.of() : List.of(inputShape);
        return inputLayers.stream().map(Input::shape).toList();
    }

    /** How many inputs the model takes. */
    public int inputCount() {
        return inputLayers.isEmpty() ? 1 : inputLayers.size();
    }

    /** How many outputs the model gives. */
    public int outputCount() {
        return outputNodes == null ? 1 : outputNodes.length;
    }

    /** The names of the inputs (their Input layers'), in order; Keras's {@code model.input_names}. */
    public List<String> inputNames() {
        return inputs().stream().map(t -> t.layer().name()).toList();
    }

    /**
     * The names of the outputs, in order: each the name of the layer that makes it, as Keras's
     * {@code model.output_names}. They key {@link #compile(Map, Map, Optimizer, Map)} and prefix
     * the logged losses and metrics of a model of several outputs.
     */
    public List<String> outputNames() {
        List<String> out = new ArrayList<>();
        for (int j = 0; j < outputCount(); j++) out.add(outputLayer(j).name());
        return out;
    }

    /**
     * The model's input as a symbolic tensor, Keras's {@code model.input}: what a model built from
     * this one's layers starts from ({@code new Model(model.input(), model.output("conv2d"))}).
     * A model of several inputs has {@link #inputs()} instead.
     */
    public KerasTensor input() {
        List<KerasTensor> in = inputs();
        if (in.size() != 1) throw new IllegalStateException("model \"" + name + "\" has " + in.size() + " inputs: use inputs()");
        return in.getFirst();
    }

    /** The model's inputs as symbolic tensors, in order (Keras's {@code model.inputs}). */
    public List<KerasTensor> inputs() {
        symbolic();
        return inputTensors;
    }

    /** The model's output as a symbolic tensor (Keras's {@code model.output}); {@link #outputs()} for several. */
    public KerasTensor output() {
        List<KerasTensor> out = outputs();
        if (out.size() != 1) throw new IllegalStateException("model \"" + name + "\" has " + out.size() + " outputs: use outputs()");
        return out.getFirst();
    }

    /** The model's outputs as symbolic tensors, in order (Keras's {@code model.outputs}). */
    public List<KerasTensor> outputs() {
        symbolic();
        return outputTensors;
    }

    /**
     * The symbolic output of the layer named {@code layerName} in this model, Keras's
     * {@code model.get_layer(name).output}: with {@link #input()}, what a feature extractor is
     * built from, {@code new Model(model.input(), model.output("conv2d"))}, a view that shares
     * this model's weights. A layer applied more than once has no single output: an error.
     */
    public KerasTensor output(String layerName) {
        Layer l = getLayer(layerName);
        symbolic();
        KerasTensor found = null;
        int count = 0;
        for (int i = 0; i < nodeTensors.size(); i++) {
            if (nodeTensors.get(i).layer() == l) {
                found = nodeTensors.get(i);
                count++;
            }
        }
        if (count != 1) {
            throw new IllegalArgumentException(l.describe() + " is applied " + count + " times in model \"" + name + "\", so the"
                    + " notion of its output is ill-defined (as in Keras); take the tensor from where it was applied");
        }
        return found;
    }

    /**
     * The symbolic tensors of a Sequential model, made once it is built: an Input of its shape
     * (named "input_layer" unless a layer has that name), then each layer applied in turn.
     */
    private synchronized void symbolic() {
        if (nodeTensors != null) return;
        ensureBuilt();
        String inName = "input_layer";
        for (int k = 1; hasLayer(inName); k++) inName = "input_layer_" + k;
        KerasTensor in = Input.of(inputShape.dims());
        in.layer().withName(inName);
        List<KerasTensor> ts = new ArrayList<>();
        KerasTensor t = in;
        for (Node n : nodes) {
            t = n.layer().apply(t);
            ts.add(t);
        }
        inputTensors = List.of(in);
        outputTensors = List.of(t);
        nodeTensors = List.copyOf(ts);
    }

    private boolean hasLayer(String layerName) {
        for (Layer l : layers) if (l.name().equals(layerName)) return true;
        return false;
    }

    /**
     * Whether this model is a view of another model's weights (built from its layers), and so
     * inference-only; {@link #viewOf()} names that model.
     */
    public boolean isView() {
        return owner != null;
    }

    /** The model whose weights this view reads, or null for a model that holds its own. */
    public Model viewOf() {
        return owner;
    }

    /** The compiled loss (the first output's), or null before {@code compile}. */
    public Loss loss() {
        return loss;
    }

    /** The compiled loss of each output, in order (empty before {@code compile}). */
    public List<Loss> losses() {
        return losses;
    }

    /** The weight of each output's loss in the total, in order (empty before {@code compile}). */
    public List<Double> lossWeights() {
        List<Double> w = new ArrayList<>();
        for (double d : lossWeights) w.add(d);
        return List.copyOf(w);
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The compiled metrics, every output's in output order (empty before {@code compile}). */
    public List<Metric> metrics() {
        return metrics;
    }

    /** The compiled metrics of each output (after resolving "accuracy" to the one its loss needs). */
    public List<List<Metric>> metricsPerOutput() {
        return outputMetrics;
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
        Workspace space = memory.open();
        ParameterTable t = ParameterTable.allocate(space, specs(Map.of()));
        SplittableRandom rng = new SplittableRandom(seed);
        for (Layer l : layers) bindLike(l, l, t, null);
        for (Layer l : layers) l.initializeWeights(rng);
        nodes = graph();
        if (outputNodes == null) outputNodes = new int[] {nodes.size() - 1};
        trainer = trainer(t, null);
        tableSpace = space;
        variables = t.variables();
        table = t; // last: the volatile write publishes a fully built model to inference threads
    }

    /** What each layer declares about its weights, in Keras order; the kernels of {@code frozen} (Dense layers) not trainable. */
    private List<ParameterTable.Spec> specs(Map<Layer, ?> frozen) {
        List<ParameterTable.Spec> specs = new ArrayList<>();
        for (Layer l : layers) {
            List<Shape> shapes = l.weightShapes();
            for (int i = 0; i < shapes.size(); i++) {
                boolean trainable = l.weightTrainable().get(i) && !(i == 0 && frozen.containsKey(l));
                specs.add(new ParameterTable.Spec(l.name(), l.weightNames().get(i), shapes.get(i), trainable));
            }
        }
        return specs;
    }

    /**
     * The training executor over table {@code t}: the model's own layers at each layer's first
     * application, bound copies at later ones (gradients of their own, added in after backward);
     * with {@code kernels}, each quantized Dense runs as a trainable {@link Int8Dense}.
     */
    private Executor trainer(ParameterTable t, Map<Layer, Int8Kernel> kernels) {
        List<Layer> instances = new ArrayList<>();
        Map<Layer, Integer> applications = new IdentityHashMap<>();
        for (Node node : nodes) {
            Layer l = node.layer(), run = l;
            int application = applications.merge(l, 1, Integer::sum) - 1;
            if (application > 0) {
                run = copyOf(l);
                Workspace scratch = memory.open();
                copySpaces.add(scratch);
                bindLike(run, l, t, scratch);
                if (l.rngState().length > 0) randomCopies.add(new RandomCopy(run, l, application));
            }
            Int8Kernel q = kernels == null ? null : kernels.get(l);
            instances.add(q == null ? run : Int8Dense.forTraining((Dense) run, q));
        }
        return new Executor(backend, instances, inputsOf(nodes), outputNodes, inputShapes(), true, memory);
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

    /** Per output, the node that makes it (building the model if it is not yet). */
    int[] outputNodes() {
        ensureBuilt();
        return outputNodes.clone();
    }

    private static int[][] inputsOf(List<Node> nodes) {
        int[][] in = new int[nodes.size()][];
        for (int i = 0; i < in.length; i++) in[i] = nodes.get(i).inputs();
        return in;
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
     * Binds {@code copy} (the original itself, or a copy of it) to the weights of {@code original},
     * found in the table by layer name. Gradients: the original's views when {@code scratch} is null
     * (the layer itself, or an inference copy, which never writes them); else tensors of its own
     * from {@code scratch}, recorded to be added to the original's after each backward pass.
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

    /** The weight table holding the model's weights (a view's: the table of the model it reads). */
    public ParameterTable parameterTable() {
        ensureBuilt();
        if (owner != null) { // a view made before its model's quantize reads the table laid out since
            int held = enterRead();
            try {
                followOwner();
            } finally {
                exitRead(held);
            }
        }
        return table;
    }

    private int inputWidth() {
        return (int) inputShape.size();
    }

    private int inputWidth(int k) {
        return (int) (inputLayers.isEmpty() ? inputShape : inputLayers.get(k).shape()).size();
    }

    /** The layer that makes output j. */
    private Layer outputLayer(int j) {
        List<Node> g = nodes != null ? nodes : functionalNodes;
        return g == null ? layers.getLast() : g.get(outputNodes[j]).layer();
    }

    /** The layer whose output is the model's (the first output's). */
    private Layer lastLayer() {
        return outputLayer(0);
    }

    private int outputWidth() {
        return outputWidth(0);
    }

    private int outputWidth(int j) {
        return (int) outputLayer(j).outputShape().size();
    }

    /** Values per target row: the output width, or 1 when the loss takes class indices. */
    private int targetWidth() {
        return targetWidth(0);
    }

    private int targetWidth(int j) {
        return losses.isEmpty() ? outputWidth(j) : losses.get(j).targetWidth(outputWidth(j));
    }

    /** Where results go: [total loss, each output's loss (several outputs only), metrics...]. */
    int lossSlots() {
        return losses.size() > 1 ? 1 + losses.size() : 1;
    }

    /** The unweighted loss of output j in the last training step. */
    double lastOutputLoss(int j) {
        return outputLoss[j];
    }

    /**
     * An executor for one inference call: an idle one, or a new one over copies of the layers
     * (rebuilt from their configs) bound to the same weights. The caller holds the read side.
     */
    private Executor borrow() {
        Executor e;
        Map<Layer, Int8Kernel> kernels = int8Kernels();
        synchronized (idle) {
            // A view's executors made before the model it reads was quantized run float layers.
            while ((e = idle.poll()) != null && e.int8 != kernels) e.free();
        }
        if (e != null) return e;
        List<Layer> copies = new ArrayList<>();
        for (Node node : nodes) {
            Layer c = copyOf(node.layer());
            bindLike(c, node.layer(), table, null); // gradient views never written: inference has no backward
            Int8Kernel q = kernels == null ? null : kernels.get(node.layer());
            copies.add(q == null ? c : new Int8Dense((Dense) c, q));
        }
        Executor fresh = new Executor(backend, copies, inputsOf(nodes), outputNodes, inputShapes(), false, memory);
        fresh.int8 = kernels;
        for (int j = 0; j < outputNodes.length; j++) fresh.batch.setTargetWidth(j, targetWidth(j));
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
        int held = enterRead();
        try {
            followOwner();
            Executor e = borrow();
            e.heldGates = held;
            return e;
        } catch (RuntimeException | Error t) {
            exitRead(held);
            throw t;
        }
    }

    /**
     * A view whose model laid its weights out again (quantize makes kernels non-trainable) reads
     * them where they are now. The caller reads under the owner's gate, so the layout is stable.
     */
    private void followOwner() {
        if (owner == null || table == owner.table) return;
        synchronized (idle) {
            if (table == owner.table) return;
            List<Variable> vs = new ArrayList<>();
            for (Layer l : layers) vs.addAll(owner.variablesOf(l));
            variables = List.copyOf(vs);
            table = owner.table; // last, as in view()
        }
    }

    private void exit(Executor e) {
        int held = e.heldGates;
        giveBack(e);
        exitRead(held);
    }

    /**
     * Enters as a reader: for a view, first the gate of the model whose weights it reads (so a
     * prediction sees them between training steps, and that model is not freed under it), then its
     * own. Returns which gates to leave: bit 1 its own, bit 2 the owner's (a thread that holds the
     * write side already reads as part of it).
     */
    private int enterRead() {
        int held = 0;
        if (owner != null) {
            try {
                if (owner.gate.enterRead()) held |= 2;
            } catch (IllegalStateException e) {
                throw ownerClosed(e);
            }
        }
        try {
            if (gate.enterRead()) held |= 1;
        } catch (RuntimeException | Error t) {
            if ((held & 2) != 0) owner.gate.exitRead();
            throw t;
        }
        return held;
    }

    private void exitRead(int held) {
        if ((held & 1) != 0) gate.exitRead();
        if ((held & 2) != 0) owner.gate.exitRead();
    }

    private IllegalStateException ownerClosed(Throwable cause) {
        return new IllegalStateException("model \"" + name + "\" is a view of the weights of model \"" + owner.name
                + "\", which is closed; a view cannot outlive the model whose weights it reads", cause);
    }

    /** Views read another model's weights and never change them: {@code what} is refused, saying why. */
    private void requireOwnWeights(String what) {
        requireOwnWeights(what, "");
    }

    /**
     * {@link #requireOwnWeights(String)} of {@code verb + what}, joined only when it is refused:
     * the checks of every training step pass here, and a step must not allocate.
     */
    private void requireOwnWeights(String verb, String what) {
        if (owner == null) return;
        throw new IllegalStateException("model \"" + name + "\" is an inference-only view of the weights of model \"" + owner.name
                + "\" (it is built from that model's layers), so it cannot " + verb + what + ": train or change model \"" + owner.name
                + "\" instead (the view sees its weights as they are at each call), or save this view and load it as a model of"
                + " its own");
    }

    /**
     * A quantized kernel is not trainable and cannot change (its int8 copy is what runs): values
     * for {@code targets} that would change one are refused, naming it. Called after the sizes are
     * checked; compares nothing on a float model.
     */
    private void requireQuantizedKernelsKept(List<Variable> targets, List<float[]> values, String what) {
        if (int8 == null) return;
        for (int i = 0; i < targets.size(); i++) {
            Variable v = targets.get(i);
            if (v.trainable() || !v.name().equals("kernel") || !int8.containsKey(getLayer(v.layer()))) continue;
            if (!java.util.Arrays.equals(table.value(v).toArray(), values.get(i))) {
                throw new IllegalStateException(what + ": model \"" + name + "\" is quantized (int8), so the kernel of "
                        + getLayer(v.layer()).describe() + " cannot change (its bias and the other layers' weights can): pass"
                        + " its present values, or change the float model before calling quantize(\"int8\")");
            }
        }
    }

    // ------------------------------------------------------------------ quantization

    /** The quantization modes {@link #quantize} accepts. */
    public static final List<String> QUANTIZATION_MODES = List.of("int8");

    /**
     * Keras's {@code model.quantize("int8")}: every {@link Dense} layer (with its activation) then
     * runs in int8 for inference, the others stay float. Each Dense kernel is quantized per output
     * unit ({@code scale = 127 / (max|W[:, n]| + 1e-7)}, {@code wq = round(W * scale)} in
     * [-127, 127]); at each call each input row is quantized the same way, the product summed in
     * int32 and divided by both scales, then bias and activation are applied in float (see
     * {@link Int8Dense}). On a CPU with AVX-512 VNNI the product uses {@code vpdpbusd}.
     *
     * <p>After it, {@code predict}, {@code predictOnBatch}, {@code evaluate} and
     * {@code testOnBatch} run the int8 path. Training still works, as in Keras 3: each quantized
     * kernel (and its scale) becomes non-trainable and gets no gradient, the biases and the other
     * layers' weights train as before; the forward pass is the same int8 product, and the gradient
     * passed back through a quantized layer is {@code dz . (wq / scale)^T}, its dequantized kernel
     * (see {@link Int8Dense}). The weights are laid out again (trainable ones first), so
     * {@link #parameterTable()}, {@code summary()} and {@code getGradients} show the kernels as
     * non-trainable, and a compiled optimizer starts afresh over the trainable weights that remain,
     * as after {@code compile}. {@code setWeights} and {@code loadWeights} refuse values that would
     * change a quantized kernel and accept the rest. {@code getWeights} returns the float weights
     * (the kernels as they were quantized from); {@code save} records the mode and {@link #load}
     * quantizes again, which gives the same int8 weights, then restores the optimizer's state.
     * Quantizing a quantized model again does nothing (Keras skips quantized layers).
     * A view of this model (a feature extractor built from its layers) runs its layers in int8 too;
     * a view itself cannot be quantized.
     *
     * @param mode "int8"
     * @throws IllegalArgumentException for any other mode
     */
    public void quantize(String mode) {
        if (mode == null || !QUANTIZATION_MODES.contains(mode)) {
            throw new IllegalArgumentException("quantize: mode must be one of " + QUANTIZATION_MODES + ", got mode="
                    + (mode == null ? "null" : "\"" + mode + "\""));
        }
        gate.enterWrite();
        try {
            checkOpen();
            requireOwnWeights("be quantized");
            build();
            if (int8 != null) return;
            Map<Layer, Int8Kernel> kernels = new IdentityHashMap<>();
            Workspace space = memory.open();
            try {
                for (Layer l : layers) {
                    if (!(l instanceof Dense d)) continue;
                    float[] kernel = table.value(variablesOf(d).getFirst()).toArray();
                    kernels.put(d, Int8Kernel.quantize(kernel, (int) d.inputShape().size(), d.units(), space));
                }
            } catch (RuntimeException | OutOfMemoryError e) {
                memory.close(space);
                throw e;
            }
            if (kernels.isEmpty()) {
                memory.close(space);
                return;
            }
            // The idle executors run float layers: drop them; the next call makes int8 ones.
            synchronized (idle) {
                for (Executor e : idle) e.free();
                idle.clear();
            }
            relayOut(kernels);
            int8 = kernels;
        } finally {
            gate.exitWrite();
        }
    }

    /**
     * After quantize: the quantized kernels become non-trainable (as Keras's int8 kernel), so the
     * weights are laid out again (trainable ones first, see ParameterTable) with the same values,
     * every layer bound to the new table, the training executor made again with a trainable
     * {@link Int8Dense} for each quantized Dense, and a compiled optimizer built afresh over the
     * trainable weights that remain. The new table is allocated first: if that fails, nothing changed.
     */
    private void relayOut(Map<Layer, Int8Kernel> kernels) {
        ParameterTable old = table;
        Workspace space = memory.open();
        ParameterTable t;
        Workspace state = optimizer == null ? null : memory.open();
        try {
            t = ParameterTable.allocate(space, specs(kernels));
            if (optimizer != null) optimizer.build(backend, t, state);
        } catch (RuntimeException | OutOfMemoryError e) {
            memory.close(space);
            memory.close(state); // (Optimizer.build changes nothing unless it succeeds)
            throw e;
        }
        for (int i = 0; i < t.variables().size(); i++) { // the same weights in the same (Keras) order
            Variable v = t.variables().get(i);
            t.value(v).copyFrom(old.value(old.variables().get(i)), v.size());
        }
        for (Layer l : kernels.keySet()) ((Dense) l).freezeKernel();
        for (Layer l : layers) bindLike(l, l, t, null);
        trainer.free();
        for (Workspace w : copySpaces) memory.close(w);
        copySpaces.clear();
        sharedGradients.clear();
        randomCopies.clear();
        trainer = trainer(t, kernels);
        if (optimizer != null) {
            for (int j = 0; j < outputNodes.length; j++) trainer.batch.setTargetWidth(j, targetWidth(j));
            fuseActivations(fusedLoss);
            memory.close(optimizerSpace);
            optimizerSpace = state;
        }
        lastTrainRows = 0;
        memory.close(tableSpace);
        tableSpace = space;
        variables = t.variables();
        table = t;
    }

    /** The quantization mode of the model ("int8"; a view's: the model's whose weights it reads), or null for float. */
    public String quantizationMode() {
        return int8Kernels() == null ? null : "int8";
    }

    /** The int8 kernel of {@code layer} (null when it is not quantized): for tests. */
    Int8Kernel int8Kernel(Layer layer) {
        Map<Layer, Int8Kernel> kernels = int8Kernels();
        return kernels == null ? null : kernels.get(layer);
    }

    /** The int8 kernels inference runs: this model's, or a view's owner's (its layers are the owner's). */
    private Map<Layer, Int8Kernel> int8Kernels() {
        return owner != null ? owner.int8 : int8;
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
     * instance compiled into another model that is still open is rejected, naming both. On a model
     * of several outputs the loss and the metrics apply to every output, each weighted 1.
     */
    public void compile(Loss loss, Optimizer optimizer, Metric... metrics) {
        if (loss == null) throw new IllegalArgumentException("compile: loss is null");
        if (optimizer == null) throw new IllegalArgumentException("compile: optimizer is null");
        Metric[] given = metrics == null ? new Metric[0] : metrics;
        for (int i = 0; i < given.length; i++) {
            if (given[i] == null) throw new IllegalArgumentException("compile: metric " + i + " is null");
        }
        int m = outputCount();
        compileAll(Collections.nCopies(m, loss), ones(m), optimizer, Collections.nCopies(m, List.of(given)));
    }

    /**
     * Configures a model of several outputs, one entry per output in {@link #outputNames()} order,
     * as Keras's {@code compile(loss=[...], loss_weights=[...], metrics=[[...], [...]])}: the loss
     * trained is {@code sum_k lossWeights[k] * losses[k]}. {@code lossWeights} null weighs every
     * loss 1; {@code metrics} null (or a null entry) gives an output no metrics.
     * <pre>{@code
     * model.compile(List.of(Losses.of("sparse_categorical_crossentropy"), Losses.of("mse")), List.of(1.0, 0.5),
     *         new Adam(1e-3), List.of(List.of(Metrics.of("accuracy")), List.of(Metrics.of("mae"))));
     * }</pre>
     */
    public void compile(List<Loss> losses, List<Double> lossWeights, Optimizer optimizer, List<List<Metric>> metrics) {
        int m = outputCount();
        List<String> outs = outputNames();
        if (losses == null || losses.size() != m) {
            throw new IllegalArgumentException("compile: model \"" + name + "\" has " + m + " outputs " + outs + ", so it takes " + m
                    + " losses, got " + (losses == null ? "null" : losses.size()));
        }
        for (int j = 0; j < m; j++) {
            if (losses.get(j) == null) throw new IllegalArgumentException("compile: the loss of output " + j + " (\"" + outs.get(j) + "\") is null");
        }
        if (optimizer == null) throw new IllegalArgumentException("compile: optimizer is null");
        double[] w = ones(m);
        if (lossWeights != null) {
            if (lossWeights.size() != m) {
                throw new IllegalArgumentException("compile: model \"" + name + "\" has " + m + " outputs " + outs + ", so it takes "
                        + m + " loss weights, got " + lossWeights.size());
            }
            for (int j = 0; j < m; j++) w[j] = lossWeight(lossWeights.get(j), outs.get(j));
        }
        List<List<Metric>> ms = new ArrayList<>();
        if (metrics != null && metrics.size() != m) {
            throw new IllegalArgumentException("compile: model \"" + name + "\" has " + m + " outputs " + outs + ", so metrics takes "
                    + m + " lists (one per output), got " + metrics.size());
        }
        for (int j = 0; j < m; j++) {
            List<Metric> mj = metrics == null || metrics.get(j) == null ? List.of() : metrics.get(j);
            for (int i = 0; i < mj.size(); i++) {
                if (mj.get(i) == null) {
                    throw new IllegalArgumentException("compile: metric " + i + " of output " + j + " (\"" + outs.get(j) + "\") is null");
                }
            }
            ms.add(List.copyOf(mj));
        }
        compileAll(List.copyOf(losses), w, optimizer, ms);
    }

    /**
     * {@link #compile(Map, Map, Optimizer, Map)} with every loss weighted 1.
     */
    public void compile(Map<String, String> losses, Optimizer optimizer, Map<String, List<String>> metrics) {
        compile(losses, null, optimizer, metrics);
    }

    /**
     * Configures a model of several outputs by output name (the name of the layer that makes each,
     * {@link #outputNames()}), as Keras's dicts {@code compile(loss={"digit": ..., "size": ...},
     * loss_weights={...}, metrics={...})}, with Keras's names for losses and metrics. Every output
     * needs a loss; a weight not given is 1, metrics not given are none. A key that names no
     * output is an error listing the outputs.
     * <pre>{@code
     * model.compile(Map.of("digit", "sparse_categorical_crossentropy", "size", "mse"), Map.of("size", 0.5),
     *         new Adam(1e-3), Map.of("digit", List.of("accuracy"), "size", List.of("mae")));
     * }</pre>
     */
    public void compile(Map<String, String> losses, Map<String, Double> lossWeights, Optimizer optimizer,
            Map<String, List<String>> metrics) {
        List<String> outs = outputNames();
        if (losses == null) throw new IllegalArgumentException("compile: losses is null");
        checkKeys(losses.keySet(), outs, "loss");
        if (lossWeights != null) checkKeys(lossWeights.keySet(), outs, "lossWeights");
        if (metrics != null) checkKeys(metrics.keySet(), outs, "metrics");
        List<Loss> ls = new ArrayList<>();
        List<Double> ws = new ArrayList<>();
        List<List<Metric>> ms = new ArrayList<>();
        for (String out : outs) {
            String l = losses.get(out);
            if (l == null) {
                throw new IllegalArgumentException("compile: output \"" + out + "\" has no loss; every output of model \"" + name
                        + "\" needs one: give a loss for each of " + outs);
            }
            ls.add(Losses.of(l));
            ws.add(lossWeights == null || lossWeights.get(out) == null ? 1.0 : lossWeights.get(out));
            List<Metric> mj = new ArrayList<>();
            List<String> names = metrics == null || metrics.get(out) == null ? List.of() : metrics.get(out);
            for (String mn : names) mj.add(Metrics.of(mn));
            ms.add(mj);
        }
        compile(ls, ws, optimizer, ms);
    }

    private void checkKeys(java.util.Set<String> keys, List<String> outs, String what) {
        for (String k : keys) {
            if (!outs.contains(k)) {
                throw new IllegalArgumentException("compile: in " + what + ", key \"" + k + "\" does not correspond to any output of"
                        + " model \"" + name + "\"; its outputs are " + outs);
            }
        }
    }

    private static double lossWeight(Double w, String output) {
        if (w == null || !Double.isFinite(w)) {
            throw new IllegalArgumentException("compile: the loss weight of output \"" + output + "\" must be a finite number, got " + w);
        }
        return w;
    }

    private static double[] ones(int m) {
        double[] w = new double[m];
        java.util.Arrays.fill(w, 1.0);
        return w;
    }

    /** compile's common part: losses, weights and metrics per output (all checked non-null), under the write side. */
    private void compileAll(List<Loss> ls, double[] weights, Optimizer optimizer, List<List<Metric>> given) {
        gate.enterWrite();
        try {
            requireOwnWeights("be compiled");
            build();
            int m = outputNodes.length;
            List<String> outs = outputNames();
            List<List<Metric>> resolvedPerOutput = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                Loss lj = ls.get(j);
                int c = outputWidth(j), tw = lj.targetWidth(c);
                List<Metric> resolved = new ArrayList<>();
                for (Metric mt : given.get(j)) {
                    // As Keras: "accuracy" means the accuracy that fits the loss's targets.
                    Metric r = mt instanceof dev.sinew.metrics.Accuracy && tw == 1 && c > 1
                            ? dev.sinew.metrics.SparseCategoricalAccuracy.asAccuracy() : mt;
                    if (r.targetWidth(c) != tw) {
                        throw new IllegalArgumentException("metric " + mt.name() + (m > 1 ? " of output \"" + outs.get(j) + "\"" : "")
                                + " reads " + r.targetWidth(c) + " target values per row"
                                + " but loss " + lj.name() + " takes " + tw + (tw == 1 ? " (class indices): use"
                                + " sparse_categorical_accuracy" : " (one-hot rows): use categorical_accuracy"));
                    }
                    resolved.add(r);
                }
                resolvedPerOutput.add(List.copyOf(resolved));
            }
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
            for (int j = 0; j < m; j++) {
                int tw = ls.get(j).targetWidth(outputWidth(j));
                trainer.batch.setTargetWidth(j, tw);
                synchronized (idle) {
                    for (Executor e : idle) e.batch.setTargetWidth(j, tw);
                }
            }
            // A loss fuses with its output's activation (softmax + cross-entropy: dz = p - y) only
            // where it is the output's one reader: a layer that also reads it needs dL/dy.
            int[] readers = new int[nodes.size()];
            for (Node node : nodes) for (int i : node.inputs()) if (i >= 0) readers[i]++;
            boolean[] fused = new boolean[m];
            for (int j = 0; j < m; j++) {
                fused[j] = outputLayer(j) instanceof Activated a && ls.get(j).fusesWith(a.activation()) && readers[outputNodes[j]] == 0;
            }
            fuseActivations(fused);
            List<Metric> flat = new ArrayList<>();
            List<Integer> owners = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                for (Metric mt : resolvedPerOutput.get(j)) {
                    flat.add(mt);
                    owners.add(j);
                }
            }
            this.fusedLoss = fused;
            this.optimizer = optimizer;
            this.losses = List.copyOf(ls);
            this.lossWeights = weights.clone();
            this.outputMetrics = List.copyOf(resolvedPerOutput);
            this.metrics = List.copyOf(flat);
            this.metricOutput = owners.stream().mapToInt(Integer::intValue).toArray();
            this.metricsNames = names(outs, resolvedPerOutput);
            this.outputLoss = new double[m];
            this.loss = ls.getFirst();
        } finally {
            gate.exitWrite();
        }
    }

    /** Tells each layer of the training executor that ends in an activation whether its output's loss fuses with it. */
    private void fuseActivations(boolean[] fused) {
        for (int i = 0; i < trainer.layers.size(); i++) {
            if (trainer.layers.get(i) instanceof Activated a) {
                boolean f = false;
                for (int j = 0; j < fused.length; j++) f |= fused[j] && outputNodes[j] == i;
                a.setActivationFusedWithLoss(f);
            }
        }
    }

    /**
     * The names of the results, as Keras 3 logs them: "loss"; for several outputs then
     * "{output}_loss" for each and "{output}_{metric}" for each metric, a repeated name getting
     * "_1", "_2", ...; for one output the metrics' own names.
     */
    private static List<String> names(List<String> outs, List<List<Metric>> perOutput) {
        List<String> names = new ArrayList<>();
        names.add("loss");
        boolean several = outs.size() > 1;
        if (several) for (String o : outs) names.add(o + "_loss");
        Map<String, Integer> seen = new HashMap<>();
        for (int j = 0; j < outs.size(); j++) {
            for (Metric mt : perOutput.get(j)) {
                if (!several) {
                    names.add(mt.name());
                    continue;
                }
                String n = outs.get(j) + "_" + mt.name();
                int k = seen.merge(n, 1, Integer::sum);
                names.add(k == 1 ? n : n + "_" + (k - 1));
            }
        }
        return List.copyOf(names);
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

    /**
     * Names of the values {@link #trainOnBatch} and {@link #evaluate} return and of the logs
     * {@code fit} records: "loss", then each metric; for a model of several outputs "loss", then
     * "{output}_loss" for each output, then "{output}_{metric}" (Keras 3's names).
     */
    public List<String> metricsNames() {
        return metricsNames;
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
            return trainStep(trainer.batch.xs, trainer.batch.targets(), n);
        } finally {
            gate.exitWrite();
        }
    }

    /**
     * One gradient step on one batch of a model of several inputs or outputs: one array per
     * input and one per output, in order. Returns the values named by {@link #metricsNames()}.
     */
    public float[] trainOnBatch(List<float[][]> xs, List<float[][]> ys) {
        gate.enterWrite();
        try {
            checkCompiled("trainOnBatch");
            int n = loadBatch(trainer, xs, ys);
            return trainStep(trainer.batch.xs, trainer.batch.targets(), n);
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
            tensorX[0] = x;
            tensorY[0] = y;
            try {
                return trainStep(tensorX, tensorY, n);
            } finally {
                tensorX[0] = null;
                tensorY[0] = null;
            }
        } finally {
            gate.exitWrite();
        }
    }

    private float[] trainStep(Tensor[] xs, Tensor[] ys, int n) {
        float[] result = new float[lossSlots() + metrics.size()];
        result[0] = (float) forwardBackward(xs, ys, n);
        optimizer.step();
        if (losses.size() > 1) for (int j = 0; j < losses.size(); j++) result[1 + j] = (float) outputLoss[j];
        // The update changed the weights, not the output buffers: metrics see this batch's predictions.
        scoreMetrics(result, trainer, ys, n);
        return result;
    }

    /** Inference on the n rows in e's batch buffers: result = [loss, (output losses,) metric...]. */
    private void score(Executor e, float[] result, int n) {
        e.forward(e.batch.xs, n, false);
        double total = 0;
        for (int j = 0; j < losses.size(); j++) {
            double v = losses.get(j).compute(backend, e.output(j), e.batch.target(j), n, outputWidth(j), null, fusedLoss[j]);
            if (losses.size() > 1) result[1 + j] = (float) v;
            total += lossWeights[j] * v;
        }
        result[0] = (float) total;
        scoreMetrics(result, e, e.batch.targets(), n);
    }

    private void scoreMetrics(float[] result, Executor e, Tensor[] ys, int n) {
        int base = lossSlots();
        for (int i = 0; i < metrics.size(); i++) {
            int j = metricOutput[i];
            result[base + i] = (float) metrics.get(i).compute(backend, e.output(j), ys[j], n, outputWidth(j));
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
            return forwardBackward(trainer.batch.xs, trainer.batch.targets(), n);
        } finally {
            gate.exitWrite();
        }
    }

    /** {@link #computeGradients(float[][], float[][])} for a model of several inputs or outputs: the weighted total loss. */
    public double computeGradients(List<float[][]> xs, List<float[][]> ys) {
        gate.enterWrite();
        try {
            checkCompiled("computeGradients");
            int n = loadBatch(trainer, xs, ys);
            return forwardBackward(trainer.batch.xs, trainer.batch.targets(), n);
        } finally {
            gate.exitWrite();
        }
    }

    /**
     * The first output's rows from the last {@link #trainOnBatch} or {@link #computeGradients}
     * call, as that step's forward pass computed them (training mode, before any update): what
     * {@code fit}'s metrics score. Distributed training ({@code dev.sinew.spark}) sends them from
     * the executors so that the driver's metrics see every row, as {@code fit}'s do.
     */
    public float[][] lastTrainingOutput() {
        gate.enterWrite();
        try {
            checkCompiled("lastTrainingOutput");
            if (lastTrainRows == 0) throw new IllegalStateException("model \"" + name + "\" has not trained on a batch yet");
            return trainer.output(0).toRows(lastTrainRows, outputWidth(0));
        } finally {
            gate.exitWrite();
        }
    }

    /**
     * Keras's {@code optimizer.apply_gradients(zip(gradients, model.trainable_weights))} for the
     * compiled optimizer: one step (clipping, weight decay, update, EMA, iterations + 1) from
     * {@code gradients} given in {@link #getGradients()} order, instead of from a backward pass
     * here. The entries of non-trainable weights must have their sizes and are ignored. With
     * {@link #computeGradients} it splits {@code trainOnBatch} in two, so that gradients computed
     * elsewhere (summed over executors, in {@code dev.sinew.spark}) update this model exactly as
     * its own would.
     */
    public void applyGradients(List<float[]> gradients) {
        gate.enterWrite();
        try {
            checkCompiled("applyGradients");
            if (gradients == null || gradients.size() != variables.size()) {
                throw new IllegalArgumentException("applyGradients expects " + variables.size() + " arrays (getGradients() order), got "
                        + (gradients == null ? "null" : gradients.size()));
            }
            for (int i = 0; i < variables.size(); i++) {
                Variable v = variables.get(i);
                float[] g = gradients.get(i);
                if (g == null || g.length != v.size()) {
                    throw new IllegalArgumentException("applyGradients: gradient " + i + " (" + v.path() + ") must have shape " + v.shape()
                            + " = " + v.size() + " values, got " + (g == null ? "null" : g.length));
                }
            }
            for (int i = 0; i < variables.size(); i++) {
                if (variables.get(i).trainable()) table.gradient(variables.get(i)).copyFrom(gradients.get(i));
            }
            optimizer.step();
        } finally {
            gate.exitWrite();
        }
    }

    /**
     * Forward, each output's loss and its gradient (times the output's weight), backward: returns
     * {@code sum_j weight_j * loss_j} and keeps each loss in {@link #lastOutputLoss}.
     */
    private double forwardBackward(Tensor[] xs, Tensor[] ys, int n) {
        for (int i = 0; i < randomCopies.size(); i++) {
            RandomCopy r = randomCopies.get(i);
            r.copy().followRandomState(r.original(), r.application());
        }
        trainer.forward(xs, n, true);
        lastTrainRows = n;
        double total = 0;
        double[] each = outputLoss;
        for (int j = 0; j < losses.size(); j++) {
            Tensor grad = trainer.lossGrads[j];
            double v = losses.get(j).compute(backend, trainer.output(j), ys[j], n, outputWidth(j), grad, fusedLoss[j]);
            each[j] = v;
            if (lossWeights[j] != 1) backend.scale(grad, (long) n * outputWidth(j), (float) lossWeights[j]);
            total += lossWeights[j] * v;
        }
        trainer.backward(n);
        for (int i = 0; i < sharedGradients.size(); i++) {
            Tensor[] pair = sharedGradients.get(i);
            backend.axpy(pair[0].size(), 1f, pair[0], pair[1]);
        }
        return total;
    }

    /** The model's outputs for a batch, as {@code float[batch][outputs]} (inference: dropout off). Thread-safe. */
    public float[][] predictOnBatch(float[][] x) {
        Executor e = enter();
        try {
            int n = checkX(x);
            e.ensureCapacity(n);
            e.batch.copyBatch(x, null, 0, n);
            return e.forward(e.batch.xs[0], n, false).toRows(n, outputWidth());
        } finally {
            exit(e);
        }
    }

    /** The outputs of a model of several inputs or outputs for one batch: one array per output. Thread-safe. */
    public List<float[][]> predictOnBatch(List<float[][]> xs) {
        Executor e = enter();
        try {
            float[][][] in = arrays(xs, inputCount(), "xs", "input");
            int n = checkInputs(in, "x");
            e.ensureCapacity(n);
            e.batch.copyBatch(in, null, 0, n);
            e.forward(e.batch.xs, n, false);
            List<float[][]> out = new ArrayList<>();
            for (int j = 0; j < outputCount(); j++) out.add(e.output(j).toRows(n, outputWidth(j)));
            return out;
        } finally {
            exit(e);
        }
    }

    /** {@link #predictOnBatch(float[][])} on a tensor of shape (batch, ...). Thread-safe. */
    public float[][] predictOnBatch(Tensor x) {
        Executor e = enter();
        try {
            requireSingle();
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
            float[] result = new float[lossSlots() + metrics.size()];
            score(e, result, n);
            return result;
        } finally {
            exit(e);
        }
    }

    /** {@link #testOnBatch(float[][], float[][])} for a model of several inputs or outputs. Thread-safe. */
    public float[] testOnBatch(List<float[][]> xs, List<float[][]> ys) {
        checkCompiled("testOnBatch");
        Executor e = enter();
        try {
            int n = loadBatch(e, xs, ys);
            float[] result = new float[lossSlots() + metrics.size()];
            score(e, result, n);
            return result;
        } finally {
            exit(e);
        }
    }

    // ------------------------------------------------------------------ one input and several outputs, or the reverse

    // Java's List.of(x) of one float[][] x is a list of its rows (List<float[]>), so a model of
    // several inputs and one output, or one input and several outputs, takes the single side as
    // a plain array: fit(List.of(xa, xb), y, options), fit(x, List.of(ya, yb), options).

    /** {@link #fit(List, List, FitOptions)} for a model of several inputs and one output. */
    public History fit(List<float[][]> xs, float[][] y, FitOptions options) {
        return fit(xs, one(y, "y"), options);
    }

    /** {@link #fit(List, List, FitOptions)} for a model of one input and several outputs. */
    public History fit(float[][] x, List<float[][]> ys, FitOptions options) {
        return fit(one(x, "x"), ys, options);
    }

    /** {@link #evaluate(List, List, int)} for a model of several inputs and one output. Thread-safe. */
    public float[] evaluate(List<float[][]> xs, float[][] y, int batchSize) {
        return evaluate(xs, one(y, "y"), batchSize);
    }

    /** {@link #evaluate(List, List, int)} for a model of one input and several outputs. Thread-safe. */
    public float[] evaluate(float[][] x, List<float[][]> ys, int batchSize) {
        return evaluate(one(x, "x"), ys, batchSize);
    }

    /** {@link #trainOnBatch(List, List)} for a model of several inputs and one output. */
    public float[] trainOnBatch(List<float[][]> xs, float[][] y) {
        return trainOnBatch(xs, one(y, "y"));
    }

    /** {@link #trainOnBatch(List, List)} for a model of one input and several outputs. */
    public float[] trainOnBatch(float[][] x, List<float[][]> ys) {
        return trainOnBatch(one(x, "x"), ys);
    }

    /** {@link #testOnBatch(List, List)} for a model of several inputs and one output. Thread-safe. */
    public float[] testOnBatch(List<float[][]> xs, float[][] y) {
        return testOnBatch(xs, one(y, "y"));
    }

    /** {@link #testOnBatch(List, List)} for a model of one input and several outputs. Thread-safe. */
    public float[] testOnBatch(float[][] x, List<float[][]> ys) {
        return testOnBatch(one(x, "x"), ys);
    }

    /**
     * Every output of a model of one input (and any number of outputs) for every row of x, in
     * batches of 32: one array per output, as Keras's {@code model.predict(x)} gives a list for
     * several outputs. Thread-safe.
     */
    public List<float[][]> predictOutputs(float[][] x) {
        return predict(one(x, "x"), 32);
    }

    /** {@link #predictOutputs(float[][])} in batches of {@code batchSize}. Thread-safe. */
    public List<float[][]> predictOutputs(float[][] x, int batchSize) {
        return predict(one(x, "x"), batchSize);
    }

    private static List<float[][]> one(float[][] a, String what) {
        if (a == null) throw new IllegalArgumentException(what + " is null");
        return Collections.singletonList(a);
    }

    // ------------------------------------------------------------------ integer labels

    /**
     * Class indices as target rows of one value, for the sparse losses
     * ({@code sparse_categorical_crossentropy}): numpy's usual form of labels. As
     * {@link NdArray#labels(int[])} reads them (each within ±2^24, where float32 holds every
     * integer); none gives no rows, for fit's own check to name.
     */
    static float[][] labelRows(int[] labels) {
        return labels != null && labels.length == 0 ? new float[0][] : NdArray.labels(labels).rows();
    }

    /** {@code long[]} labels (numpy's int64), as {@link #labelRows(int[])}. */
    static float[][] labelRows(long[] labels) {
        return labels != null && labels.length == 0 ? new float[0][] : NdArray.labels(labels).rows();
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
        requireSingle();
        return Trainer.fit(this, new float[][][] {x}, new float[][][] {y}, options);
    }

    /**
     * Trains a model of several inputs or outputs: {@code xs} one array per input, {@code ys} one
     * per output (in the orders the model was built with; class indices as rows of one value for
     * a sparse loss), all with the same number of samples. Validation data, if any, comes as
     * lists too ({@link FitOptions.Builder#validationData(List, List)}) or by
     * {@code validationSplit}. The logs hold "loss", "{output}_loss" and "{output}_{metric}", and
     * "val_" ones for validation: what callbacks monitor ({@code new EarlyStopping("val_digit_accuracy", 3)}).
     */
    public History fit(List<float[][]> xs, List<float[][]> ys, FitOptions options) {
        checkCompiled("fit");
        if (options == null) throw new IllegalArgumentException("fit: options are null");
        return Trainer.fit(this, arrays(xs, inputCount(), "xs", "input"), arrays(ys, outputCount(), "ys", "output"), options);
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
            return evaluate(e, new float[][][] {x}, new float[][][] {y}, rows, batchSize);
        } finally {
            exit(e);
        }
    }

    /** {@link #evaluate(List, List, int)} in batches of 32. Thread-safe. */
    public float[] evaluate(List<float[][]> xs, List<float[][]> ys) {
        return evaluate(xs, ys, 32);
    }

    /**
     * Loss and metrics of a model of several inputs or outputs over all of (xs, ys), in batches of
     * {@code batchSize}: the values named by {@link #metricsNames()}. Thread-safe.
     */
    public float[] evaluate(List<float[][]> xs, List<float[][]> ys, int batchSize) {
        checkCompiled("evaluate");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        float[][][] in = arrays(xs, inputCount(), "xs", "input"), targets = arrays(ys, outputCount(), "ys", "output");
        Executor e = enter();
        try {
            int rows = checkAll(in, targets, "x", "y");
            return evaluate(e, in, targets, rows, batchSize);
        } finally {
            exit(e);
        }
    }

    /** evaluate's loop over data already checked for shape (finiteness is checked batch by batch). */
    private float[] evaluate(Executor e, float[][][] xs, float[][][] ys, int rows, int batchSize) {
        // As Keras: each loss is a mean weighted by batch size, each metric accumulates its own state.
        MetricState[] states = newMetricStates();
        int m = losses.size();
        double lossSum = 0;
        double[] outputSums = new double[m];
        for (int from = 0; from < rows; from += batchSize) {
            int to = Math.min(rows, from + batchSize), n = to - from;
            e.ensureCapacity(n);
            e.batch.copyBatch(xs, ys, from, to);
            e.forward(e.batch.xs, n, false);
            double total = 0;
            for (int j = 0; j < m; j++) {
                float value = (float) losses.get(j).compute(backend, e.output(j), e.batch.target(j), n, outputWidth(j), null, fusedLoss[j]);
                outputSums[j] += (double) value * n;
                total += lossWeights[j] * value;
            }
            lossSum += (double) (float) total * n;
            for (int i = 0; i < states.length; i++) {
                int j = metricOutput[i];
                states[i].update(backend, e.output(j), e.batch.target(j), n, outputWidth(j));
            }
        }
        float[] r = new float[lossSlots() + metrics.size()];
        r[0] = (float) (lossSum / rows);
        if (m > 1) for (int j = 0; j < m; j++) r[1 + j] = (float) (outputSums[j] / rows);
        for (int k = 0; k < states.length; k++) r[lossSlots() + k] = (float) states[k].result();
        return r;
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
                e.batch.copyBatch(x, null, from, to);
                e.forward(e.batch.xs[0], n, false).toRows(n, outputWidth(), result, from);
            }
            return result;
        } finally {
            exit(e);
        }
    }

    /** {@link #predict(List, int)} in batches of 32. Thread-safe. */
    public List<float[][]> predict(List<float[][]> xs) {
        return predict(xs, 32);
    }

    /**
     * The outputs of a model of several inputs or outputs for every sample of {@code xs} (one
     * array per input): one array per output, in order. Thread-safe.
     */
    public List<float[][]> predict(List<float[][]> xs, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        float[][][] in = arrays(xs, inputCount(), "xs", "input");
        Executor e = enter();
        try {
            int rows = checkInputs(in, "x");
            int m = outputCount();
            float[][][] result = new float[m][rows][];
            for (int from = 0; from < rows; from += batchSize) {
                int to = Math.min(rows, from + batchSize), n = to - from;
                e.ensureCapacity(n);
                e.batch.copyBatch(in, null, from, to);
                e.forward(e.batch.xs, n, false);
                for (int j = 0; j < m; j++) e.output(j).toRows(n, outputWidth(j), result[j], from);
            }
            return List.of(result);
        } finally {
            exit(e);
        }
    }

    /**
     * One training step on rows {@code index[from..to)} of data already checked by
     * {@link #checkData}: adds the batch's predictions (before the update, as Keras) to
     * {@code states}, one per metric, and returns the batch's (total) loss; each output's is then
     * {@link #lastOutputLoss}.
     */
    float trainRows(float[][][] xs, float[][][] ys, int[] index, int from, int to, MetricState[] states) {
        gate.enterWrite();
        try {
            checkCompiled("fit");
            int n = to - from;
            trainer.ensureCapacity(n);
            trainer.batch.gather(xs, ys, index, from, to);
            float value = (float) forwardBackward(trainer.batch.xs, trainer.batch.targets(), n);
            optimizer.step();
            for (int i = 0; i < states.length; i++) {
                int j = metricOutput[i];
                states[i].update(backend, trainer.output(j), trainer.batch.target(j), n, outputWidth(j));
            }
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

    /**
     * Checks a whole data set once (shapes, row counts, finiteness, labels) so batches need no
     * checks; returns its number of samples. {@code xName} and {@code yName} name the arrays
     * ("x", "validation y"); with several, each is named with its index ("x[1]").
     */
    int checkData(float[][][] xs, float[][][] ys, String xName, String yName) {
        ensureBuilt();
        checkOpen();
        if (xs.length != inputCount() || ys.length != outputCount()) {
            throw new IllegalArgumentException("model \"" + name + "\" has " + inputCount() + " input(s) " + inputNames() + " and "
                    + outputCount() + " output(s) " + outputNames() + ", but " + xName + " holds " + xs.length + " array(s) and " + yName
                    + " " + ys.length + ": give one per input and one per output (as lists)");
        }
        int n;
        if (xs.length == 1 && ys.length == 1 && inputCount() == 1 && outputCount() == 1) {
            n = checkX(xs[0]);
            int ny = checkY(ys[0]);
            if (n != ny) {
                throw new IllegalArgumentException(xName + " has " + n + " samples but " + yName + " has " + ny);
            }
        } else {
            n = checkAll(xs, ys, xName, yName);
        }
        for (int k = 0; k < xs.length; k++) BatchLoader.checkAllFinite(backend, xs[k], indexed(xName, k, xs.length));
        for (int j = 0; j < ys.length; j++) BatchLoader.checkAllFinite(backend, ys[j], indexed(yName, j, ys.length));
        for (int j = 0; j < ys.length; j++) losses.get(j).checkTargets(ys[j], outputWidth(j), indexed(yName, j, ys.length));
        return n;
    }

    /** "x" for the one array, "x[k]" for one of several (made once: the checks of every batch name their arrays). */
    private static String indexed(String what, int k, int count) {
        if (count == 1) return what;
        if (k < INDEXED_X.length && what.equals("x")) return INDEXED_X[k];
        if (k < INDEXED_Y.length && what.equals("y")) return INDEXED_Y[k];
        return what + "[" + k + "]";
    }

    private static final String[] INDEXED_X = java.util.stream.IntStream.range(0, 16).mapToObj(k -> "x[" + k + "]").toArray(String[]::new);
    private static final String[] INDEXED_Y = java.util.stream.IntStream.range(0, 16).mapToObj(k -> "y[" + k + "]").toArray(String[]::new);

    // ------------------------------------------------------------------ data checks

    /** A list of arrays as an array of them, checked to hold one per input (or output). */
    private float[][][] arrays(List<float[][]> list, int expected, String what, String per) {
        if (list == null) throw new IllegalArgumentException(what + " is null");
        if (list.size() != expected) {
            List<String> names = per.equals("input") ? inputNames() : outputNames();
            throw new IllegalArgumentException("model \"" + name + "\" has " + expected + " " + per + (expected == 1 ? "" : "s") + " "
                    + names + ", so " + what + " must hold " + expected + " array" + (expected == 1 ? "" : "s") + " (one per " + per
                    + ", in that order), got " + list.size());
        }
        return list.toArray(float[][][]::new);
    }

    /** The single-array calls are for a model of one input and one output; others take lists. */
    private void requireSingle() {
        if (inputCount() == 1 && outputCount() == 1) return;
        throw new IllegalArgumentException("model \"" + name + "\" has " + inputCount() + " input" + (inputCount() == 1 ? "" : "s") + " "
                + inputNames() + " and " + outputCount() + " output" + (outputCount() == 1 ? "" : "s") + " " + outputNames()
                + ": pass one array per input and per output as lists, e.g. fit(List.of(x1, x2), List.of(y1, y2), options)"
                + " and predict(List.of(x1, x2))");
    }

    /** Checks x and y, then copies them into e's batch buffers; returns the row count. */
    private int loadBatch(Executor e, float[][] x, float[][] y) {
        int n = checkX(x);
        int ny = checkY(y);
        if (ny != n) {
            throw new IllegalArgumentException("x has " + n + " rows but y has " + ny
                    + "; every sample needs exactly one target row");
        }
        e.ensureCapacity(n);
        e.batch.copyBatch(x, y, 0, n);
        return n;
    }

    /** {@link #loadBatch(Executor, float[][], float[][])} for lists: one array per input and per output. */
    private int loadBatch(Executor e, List<float[][]> xs, List<float[][]> ys) {
        float[][][] in = arrays(xs, inputCount(), "xs", "input"), targets = arrays(ys, outputCount(), "ys", "output");
        int n = checkAll(in, targets, "x", "y");
        e.ensureCapacity(n);
        e.batch.copyBatch(in, targets, 0, n);
        return n;
    }

    /** Every input's and target's width, and one sample count for all; returns it. */
    private int checkAll(float[][][] xs, float[][][] ys, String xName, String yName) {
        int n = checkInputs(xs, xName);
        for (int j = 0; j < ys.length; j++) {
            int ny = checkTarget(j, ys[j], indexed(yName, j, ys.length));
            if (ny != n) {
                throw new IllegalArgumentException(indexed(yName, j, ys.length) + " (output \"" + outputLayer(j).name() + "\") has "
                        + ny + " samples but " + indexed(xName, 0, xs.length) + " has " + n + "; every sample needs one target row"
                        + " per output");
            }
        }
        return n;
    }

    /** Every input's width against its Input's shape, and one sample count for all; returns it. */
    private int checkInputs(float[][][] xs, String xName) {
        int n = -1;
        for (int k = 0; k < xs.length; k++) {
            String what = indexed(xName, k, xs.length);
            int width = Rows.width(xs[k], what);
            if (width != inputWidth(k)) {
                Shape s = inputShapes().get(k);
                throw new IllegalArgumentException("input \"" + inputNames().get(k) + "\" of model \"" + name + "\" expects " + s.size()
                        + " values per row (shape " + s + "), got " + width + " in " + what);
            }
            if (n >= 0 && xs[k].length != n) {
                throw new IllegalArgumentException(what + " has " + xs[k].length + " samples but " + indexed(xName, 0, xs.length) + " has "
                        + n + "; every input needs one row per sample");
            }
            n = xs[k].length;
        }
        return n;
    }

    /** Output j's targets: rows of its target width (1 for class indices); returns their count. */
    private int checkTarget(int j, float[][] y, String what) {
        int width = Rows.width(y, what);
        int tw = targetWidth(j), ow = outputWidth(j);
        if (width != tw) {
            String hint = width == 1 && ow > 1
                    ? "; labels are class indices? use sparse_categorical_crossentropy, or one-hot them with Datasets.oneHot"
                    : tw == 1 && width == ow ? "; one-hot rows? use categorical_crossentropy" : "";
            throw new IllegalArgumentException("loss " + losses.get(j).name() + " of output \"" + outputLayer(j).name() + "\" expects "
                    + tw + (tw == 1 && ow > 1 ? " class index" : " target values") + " per row (the output of "
                    + outputLayer(j).describe() + " has " + ow + "), got " + width + " in " + what + hint);
        }
        return y.length;
    }

    private int checkX(float[][] x) {
        requireSingle();
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
        requireSingle();
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
        int held = enterRead();
        try {
            followOwner();
            List<float[]> out = new ArrayList<>();
            for (Variable v : variables) {
                Tensor t = weights ? table.value(v) : table.gradient(v);
                out.add(t == null ? new float[(int) v.size()] : t.toArray()); // no gradient: zeros
            }
            return out;
        } finally {
            exitRead(held);
        }
    }

    /** The model's weight views in {@link #getWeights()} order. */
    private List<Tensor> weightViews() {
        List<Tensor> out = new ArrayList<>();
        for (Variable v : variables) out.add(table.value(v));
        return out;
    }

    /** Replaces all weights; takes exactly what {@link #getWeights()} returns. Checked before anything changes. */
    public void setWeights(List<float[]> weights) {
        gate.enterWrite();
        try {
            requireOwnWeights("set weights");
            build();
            replace(variables, weights, "setWeights", "(kernel and bias per layer)");
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
        requireQuantizedKernelsKept(targets, values, what);
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
            requireOwnWeights("set weights");
            build();
            requireQuantizedKernelsKept(variables, weights, "setWeights");
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
        int held = enterRead();
        try {
            followOwner();
            List<float[]> w = new ArrayList<>();
            for (Variable v : variables) w.add(table.value(v).toArray());
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
            exitRead(held);
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
            // quantize lays the weights out again (its kernels not trainable), and the optimizer's
            // state follows the trainable ones: a checkpoint of the other mode does not fit it.
            if (!java.util.Objects.equals(saved.quantizationMode(), quantizationMode())) {
                throw new ModelFormatException(path + " was saved from a " + mode(saved.quantizationMode()) + " model, and model \""
                        + name + "\" is " + mode(quantizationMode()) + ": call quantize(\"int8\") on both or on neither");
            }
            for (Map.Entry<String, float[]> e : st.optimizerState().entrySet()) {
                if (e.getValue().length != optimizer.stateLength(e.getKey())) {
                    throw new ModelFormatException(path + " holds " + e.getValue().length + " values of optimizer state \"" + e.getKey()
                            + "\", model \"" + name + "\" has " + optimizer.stateLength(e.getKey()));
                }
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

    private static String mode(String quantization) {
        return quantization == null ? "float" : "quantized (" + quantization + ")";
    }

    /** A file's model must hold this model's weights: same count, and each with the same name and shape. */
    private void requireSameWeights(Path path, Model saved) throws ModelFormatException {
        ensureBuilt();
        List<Variable> mine = variables, theirs = saved.parameterTable().variables();
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
        requireOwnWeights("load weights");
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
                : Summary.functional(name, inputLayers, nodes(), layers, countParams(), trainable);
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
        if (owner != null && owner.isClosed()) throw ownerClosed(null);
    }

    /** checkCompiled for a call that trains or changes the weights: a quantized model is inference-only. */
    private void checkCompiled(String what) {
        checkOpen();
        requireOwnWeights("use ", what);
        if (loss == null) {
            throw new IllegalStateException("model \"" + name + "\" must be compiled before " + what
                    + ": call compile(loss, optimizer, metrics...)");
        }
    }
}
