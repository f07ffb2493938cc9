package dev.sinew.layers;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A layer of a model. Its life, as in Keras:
 * <ol>
 *   <li>the constructor records hyper-parameters and rejects bad ones at once;</li>
 *   <li>{@link #build} learns the input shape, checks it, and returns the output shape;
 *       {@link #weightShapes()} is then known;</li>
 *   <li>{@link #bindWeights} hands the layer its weights and gradients (views into the model's
 *       flat parameter tensors) and {@link #initializeWeights} fills them;</li>
 *   <li>{@link #allocate} gives it buffers for up to {@code capacity} rows, once per batch size;</li>
 *   <li>{@link #forward} and {@link #backward} run per batch and allocate nothing.</li>
 * </ol>
 * Layers do their maths through the {@link Backend}, never through FFM directly.
 * Tensors passed between layers are buffers: {@code n} says how many rows are in use.
 */
public abstract class Layer {
    /**
     * The most values one of a layer's tensors may hold (a weight, the output of one sample, a
     * per-batch buffer): 2^31 - 1, because sizes cross to OpenBLAS and the C kernels as 32-bit
     * ints (and max pooling keeps int32 positions).
     */
    public static final long MAX_TENSOR_SIZE = Integer.MAX_VALUE;

    private String name;
    private String model; // the name of the model this layer was added to
    private List<Shape> inputShapes;
    private Shape outputShape;
    protected Backend backend;

    /** The layer's name; a model gives unnamed layers Keras-style names ("dense", "dense_1"). */
    public String name() {
        return name;
    }

    /**
     * Sets the name before the layer is added to a model; returns this layer. A layer in a model
     * keeps its name: the model checks names are unique when layers are added, and its saved files
     * name weights and layers by them, so a rename would let two layers share a name and give a
     * file that does not load. Renaming then is an {@link IllegalStateException}.
     */
    public Layer withName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a layer name must not be blank, got '" + name + "'");
        }
        if (model != null && this.name != null && !this.name.equals(name)) {
            throw new IllegalStateException(describe() + " is already in a model and cannot be renamed to \"" + name
                    + "\"; name a layer before adding it");
        }
        this.name = name;
        return this;
    }

    /** The name of the model this layer belongs to, or null before it is added to one. */
    public final String modelName() {
        return model;
    }

    /**
     * Records that model {@code modelName} took this layer (a model calls this once the layer is
     * built into it). A layer holds one model's weights and buffers, so it belongs to one model:
     * adding it to a second would silently share, then lose, the first one's state.
     */
    public final void attachTo(String modelName, WeightAccess access) {
        if (model != null) {
            throw new IllegalArgumentException(describe() + " already belongs to model \"" + model
                    + "\"; a layer can be in one model only — create a new layer for model \"" + modelName + "\"");
        }
        model = modelName;
        weightAccess = access;
    }

    /** How a layer reads and writes its weights through its model (which owns them and guards them). */
    public interface WeightAccess {
        List<float[]> get(Layer layer);

        void set(Layer layer, List<float[]> weights);
    }

    private WeightAccess weightAccess;

    /**
     * This layer's weights, in {@link #weightNames()} order (kernel, then bias), each a row-major
     * copy in {@link #weightShapes()}'s shape, as Keras's {@code layer.get_weights()}. The layer
     * must be in a model (which builds its weights on first use).
     */
    public final List<float[]> getWeights() {
        return access().get(this);
    }

    /** Replaces this layer's weights; takes what {@link #getWeights()} returns. Checked before anything changes. */
    public final void setWeights(List<float[]> weights) {
        access().set(this, weights);
    }

    private WeightAccess access() {
        if (weightAccess == null) {
            throw new IllegalStateException(describe() + " is not in a model yet: its weights exist once it is added to one");
        }
        return weightAccess;
    }

    /** The name stem for automatic names, Keras's snake_case class name ("dense", "max_pooling2d"). */
    public String defaultNameStem() {
        return getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
    }

    /** The Keras class name shown by {@code summary()}. */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /** Describes this layer for messages: {@code Dense "dense_2"}. */
    public String describe() {
        return typeName() + " \"" + (name == null ? defaultNameStem() : name) + "\"";
    }

    /**
     * Fixes the input shape and backend; returns the output shape. Rejects, naming this layer, an
     * output per sample or a weight larger than {@link #MAX_TENSOR_SIZE}, before anything is
     * allocated (the layer stays unbuilt).
     */
    public final Shape build(Shape inputShape, Backend backend) {
        return build(List.of(inputShape), backend);
    }

    /** {@link #build(Shape, Backend)} for a layer of several inputs ({@link Merge}), one shape each. */
    public final Shape build(List<Shape> inputShapes, Backend backend) {
        Shape out = computeOutputShape(inputShapes);
        requireFits("output", out, " per sample");
        List<Shape> shapes = weightShapes();
        List<String> names = weightNames();
        for (int i = 0; i < shapes.size(); i++) requireFits(names.get(i), shapes.get(i), "");
        this.outputShape = out;
        this.inputShapes = List.copyOf(inputShapes);
        this.backend = backend;
        return outputShape;
    }

    /**
     * The output shape this layer gives for {@code inputShapes}, checked as {@link #build} checks
     * it, without building: what applying the layer to symbolic inputs ({@link KerasTensor}) needs.
     */
    public final Shape outputShapeFor(List<Shape> inputShapes) {
        Shape out = computeOutputShape(inputShapes);
        requireFits("output", out, " per sample");
        return out;
    }

    /**
     * Applies this layer to a symbolic input, as calling a Keras layer on a {@code KerasTensor}
     * does: the functional API's way to wire a model ({@code new Dense(10).apply(x)}). A layer
     * applied twice shares its weights between the two places.
     */
    public KerasTensor apply(KerasTensor input) {
        if (input == null) throw new IllegalArgumentException(describe() + ".apply: the input is null");
        return applied(List.of(input));
    }

    /** The symbolic output of applying this layer to {@code inputs}; a second application must match the first's shapes. */
    final KerasTensor applied(List<KerasTensor> inputs) {
        List<Shape> shapes = inputs.stream().map(KerasTensor::shape).toList();
        List<Shape> before = inputShapes != null ? inputShapes : appliedShapes;
        if (before != null && !before.equals(shapes)) {
            throw new IllegalArgumentException(describe() + " was applied to " + before + " and now to " + shapes
                    + "; a layer applied again shares its weights, so it takes the same input shapes each time");
        }
        Shape out = outputShapeFor(shapes);
        appliedShapes = shapes;
        return new KerasTensor(out, this, inputs);
    }

    private List<Shape> appliedShapes; // of the first application, for the functional API

    /**
     * Checks that a tensor of this layer, {@code what} with dimensions {@code dims}, holds at most
     * {@link #MAX_TENSOR_SIZE} values; returns its size. {@code where} completes the message,
     * e.g. " per sample".
     */
    protected final int requireFits(String what, int[] dims, String where) {
        long[] d = new long[dims.length];
        for (int i = 0; i < dims.length; i++) d[i] = dims[i];
        return checkSize(what + where + " would hold", d, "");
    }

    /** {@link #requireFits(String, int[], String)} for a tensor of {@code shape}, shown in the message. */
    protected final int requireFits(String what, Shape shape, String where) {
        return requireFits(what + " " + shape, shape.dims(), where);
    }

    /**
     * A per-batch buffer of {@code capacity} rows of {@code perSample} values, {@code what} naming
     * it in the error when it would hold more than {@link #MAX_TENSOR_SIZE} values (checked before
     * anything is allocated): the batch size is then the thing to change.
     */
    protected final Tensor allocateRows(Workspace workspace, String what, int capacity, long perSample) {
        checkSize("a batch of " + capacity + " needs " + what + " of", new long[] {capacity, perSample},
                "; use a smaller batch size");
        return workspace.allocate(Shape.of(capacity, (int) perSample));
    }

    // 'Dense "dense": kernel (784, 2147483647) would hold 784 x 2147483647 = 1683627180032 values, more than
    // a tensor's 2147483647': the product in BigInteger, so that no size is too large to be shown as it is.
    private int checkSize(String subject, long[] dims, String advice) {
        BigInteger size = BigInteger.ONE;
        StringBuilder product = new StringBuilder();
        for (long d : dims) {
            size = size.multiply(BigInteger.valueOf(d));
            product.append(product.isEmpty() ? "" : " x ").append(d);
        }
        if (size.compareTo(BigInteger.valueOf(MAX_TENSOR_SIZE)) > 0) {
            throw new IllegalArgumentException(describe() + ": " + subject + " " + product + " = " + size
                    + " values, more than a tensor's " + MAX_TENSOR_SIZE + advice);
        }
        return size.intValue();
    }

    /** Checks the input shape and returns the output shape (without the batch dimension). */
    protected abstract Shape computeOutputShape(Shape inputShape);

    /** The output shape for several inputs ({@link Merge} overrides it); any other layer takes one. */
    protected Shape computeOutputShape(List<Shape> inputShapes) {
        if (inputShapes.size() != 1) {
            throw new IllegalArgumentException(describe() + " takes one input, got " + inputShapes.size());
        }
        return computeOutputShape(inputShapes.getFirst());
    }

    /** The shape of one input sample (the first, for a layer of several inputs); null before build. */
    public Shape inputShape() {
        return inputShapes == null ? null : inputShapes.getFirst();
    }

    /** The shapes of the inputs, one per input; null before build. */
    public List<Shape> inputShapes() {
        return inputShapes;
    }

    public Shape outputShape() {
        return outputShape;
    }

    public boolean isBuilt() {
        return outputShape != null;
    }

    /** The shapes of this layer's weights in Keras order (kernel, then bias); empty if none. */
    public List<Shape> weightShapes() {
        return List.of();
    }

    /** Names of the weights, in {@link #weightShapes()} order (e.g. "kernel", "bias"). */
    public List<String> weightNames() {
        return List.of();
    }

    /**
     * The layer's hyper-parameters as Keras writes them in a model's {@code config.json}
     * ({@code name} plus, e.g., {@code units} and {@code activation}); {@link Layers#fromConfig}
     * rebuilds the layer from it.
     */
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        return c;
    }

    /**
     * Whether training updates each weight, in {@link #weightShapes()} order (all true here;
     * BatchNormalization's moving statistics are not). A weight that is not trainable gets no
     * gradient tensor in {@link #bindWeights} (null) and no optimizer update.
     */
    public List<Boolean> weightTrainable() {
        return weightShapes().stream().map(s -> Boolean.TRUE).toList();
    }

    /** Number of values that training updates. */
    public long trainableParameterCount() {
        long n = 0;
        List<Shape> shapes = weightShapes();
        List<Boolean> trainable = weightTrainable();
        for (int i = 0; i < shapes.size(); i++) if (trainable.get(i)) n += shapes.get(i).size();
        return n;
    }

    /**
     * The layer's random-number state for training (Dropout's mask counter, augmentation's seed
     * and draw counter), saved with the model so that training resumed from a file draws exactly
     * what uninterrupted training would have. Empty for layers that draw nothing.
     */
    public long[] rngState() {
        return new long[0];
    }

    /** Restores what {@link #rngState()} returned. */
    public void setRngState(long[] state) {
        requireRngState(state, 0);
    }

    /**
     * Makes this layer, a copy that runs application {@code application} (1 for the second) of
     * {@code original} in a model's training pass, draw from a stream of its own derived from the
     * original's seed, at the original's step. Called before every training forward, so the copy
     * follows what the model saves and restores (the original's {@link #rngState()}): a shared
     * Dropout draws a different mask at each application, all fixed by the model's seed. Nothing
     * for layers that draw nothing.
     */
    public void followRandomState(Layer original, int application) {}

    /** The seed of application {@code application} of a layer seeded with {@code seed} (SplitMix64's finaliser). */
    protected static long applicationSeed(long seed, int application) {
        long z = seed + application * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    protected final void requireRngState(long[] state, int length) {
        if (state == null || state.length != length) {
            throw new IllegalArgumentException(describe() + " keeps " + length + " numbers of random-number state, got "
                    + (state == null ? "null" : state.length));
        }
    }

    /** Receives views of its weights and their gradients, in {@link #weightShapes()} order. */
    public void bindWeights(List<Tensor> weights, List<Tensor> gradients) {}

    /** Fills the bound weights with their initial values (Keras defaults). */
    public void initializeWeights(RandomGenerator rng) {}

    /** Number of weight values, trainable or not. */
    public long parameterCount() {
        return weightShapes().stream().mapToLong(Shape::size).sum();
    }

    /** Allocates this layer's per-batch buffers for up to {@code capacity} rows. */
    public abstract void allocate(Workspace workspace, int capacity);

    /**
     * Computes the output for the first {@code n} rows of {@code x} into a buffer the layer owns,
     * and remembers what {@link #backward} needs. {@code training} switches dropout and
     * augmentation on, and BatchNormalization to the batch's statistics (updating its moving ones).
     */
    public abstract Tensor forward(Tensor x, int n, boolean training);

    /**
     * Given dL/d(output) in {@code dy} (which this method may overwrite), stores the weight
     * gradients and returns dL/d(input), or null when {@code needInputGradient} is false (the
     * first layer: nobody needs it, so the product is skipped).
     */
    public abstract Tensor backward(Tensor dy, int n, boolean needInputGradient);

    @Override
    public String toString() {
        return describe();
    }
}
