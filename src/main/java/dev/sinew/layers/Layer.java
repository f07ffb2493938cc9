package dev.sinew.layers;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A layer of a {@code Sequential} model. Its life, as in Keras:
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
    private String name;
    private Shape inputShape;
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
        if (isBuilt() && this.name != null && !this.name.equals(name)) {
            throw new IllegalStateException(describe() + " is already in a model and cannot be renamed to \"" + name
                    + "\"; name a layer before adding it");
        }
        this.name = name;
        return this;
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

    /** Fixes the input shape and backend; returns the output shape. */
    public final Shape build(Shape inputShape, Backend backend) {
        this.outputShape = computeOutputShape(inputShape);
        this.inputShape = inputShape;
        this.backend = backend;
        return outputShape;
    }

    /** Checks the input shape and returns the output shape (without the batch dimension). */
    protected abstract Shape computeOutputShape(Shape inputShape);

    public Shape inputShape() {
        return inputShape;
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

    /** Receives views of its weights and their gradients, in {@link #weightShapes()} order. */
    public void bindWeights(List<Tensor> weights, List<Tensor> gradients) {}

    /** Fills the bound weights with their initial values (Keras defaults). */
    public void initializeWeights(RandomGenerator rng) {}

    /** Number of trainable values. */
    public long parameterCount() {
        return weightShapes().stream().mapToLong(Shape::size).sum();
    }

    /** Allocates this layer's per-batch buffers for up to {@code capacity} rows. */
    public abstract void allocate(Workspace workspace, int capacity);

    /**
     * Computes the output for the first {@code n} rows of {@code x} into a buffer the layer owns,
     * and remembers what {@link #backward} needs. {@code training} switches dropout and
     * augmentation on.
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
