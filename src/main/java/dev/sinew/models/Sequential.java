package dev.sinew.models;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.layers.Augmentation;
import dev.sinew.layers.Input;
import dev.sinew.layers.Layer;
import dev.sinew.tensor.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A linear stack of layers, as Keras's {@code Sequential}:
 * <pre>{@code
 * try (Sequential net = new Sequential(42)) {
 *     net.add(new Input(2));
 *     net.add(new Dense(150, "relu"));
 *     net.add(new Dense(1, "relu"));
 *     net.compile("mean_squared_error", new SGD(0.1), "accuracy");
 *     float[] lossAndMetrics = net.trainOnBatch(x, y);   // x: float[batch][2], y: float[batch][1]
 *     float[][] out = net.predictOnBatch(x);
 * }
 * }</pre>
 * Everything but {@link #add} is {@link Model}'s: the model is built (its weights allocated) by
 * the first call that needs them, after which no layer can be added.
 */
public final class Sequential extends Model {

    /** A model on the default (native) backend with a random seed. */
    public Sequential() {
        this(Backends.defaultBackend(), new SplittableRandom().nextLong());
    }

    /** A model on the default (native) backend whose initial weights are fixed by {@code seed}. */
    public Sequential(long seed) {
        this(Backends.defaultBackend(), seed);
    }

    /** A model on the given backend (e.g. {@link Backends#reference()}) with a fixed seed. */
    public Sequential(Backend backend, long seed) {
        this(backend, seed, null);
    }

    /**
     * A model named {@code name} (as Keras's {@code Sequential(name=...)}); null gives the next
     * automatic name. A loaded model keeps the name it was saved with.
     */
    public Sequential(Backend backend, long seed, String name) {
        super(backend, seed, name, "sequential");
    }

    /** Appends a layer; the first must be an {@link Input}. Returns this model. */
    public Sequential add(Layer layer) {
        gate.enterWrite();
        try {
            addLayer(layer);
            return this;
        } finally {
            gate.exitWrite();
        }
    }

    private void addLayer(Layer layer) {
        if (layer == null) throw new IllegalArgumentException("cannot add a null layer");
        if (isBuilt()) {
            throw new IllegalStateException("model \"" + name + "\" is already built (by compile, summary,"
                    + " predict or getWeights); add all layers before that");
        }
        if (layer instanceof Input input) {
            if (inputShape != null || !layers.isEmpty()) {
                throw new IllegalArgumentException("Input must be the first and only input of a Sequential model");
            }
            inputShape = input.shape();
            return;
        }
        if (inputShape == null) {
            throw new IllegalStateException("add an Input first, e.g. add(new Input(784)), so "
                    + layer.describe() + " knows its input shape");
        }
        if (layers.contains(layer)) {
            throw new IllegalArgumentException(layer.describe() + " is already in this model");
        }
        if (layer.modelName() != null) {
            throw new IllegalArgumentException(layer.describe() + " already belongs to model \"" + layer.modelName()
                    + "\"; a layer can be in one model only (its weights and buffers are that model's) —"
                    + " create a new layer for model \"" + name + "\"");
        }
        Shape in = layers.isEmpty() ? inputShape : layers.getLast().outputShape();
        boolean auto = layer.name() == null;
        String layerName = auto ? autoName(layer.defaultNameStem()) : layer.name();
        if (layers.stream().anyMatch(l -> l.name().equals(layerName))) {
            throw new IllegalArgumentException("a layer named \"" + layerName + "\" is already in this model");
        }
        if (layer instanceof Augmentation && layers.stream().anyMatch(l -> l.parameterCount() > 0)) {
            throw new IllegalArgumentException(layer.describe() + " must come before every layer with weights (it passes"
                    + " no gradient back); add it right after the Input");
        }
        // Named first, so that build's errors name the layer as the model does; as in Keras, where a
        // layer is named when it is made, the name stays with the layer even if build rejects it.
        layer.withName(layerName);
        if (auto) nameCounts.merge(layer.defaultNameStem(), 1, Integer::sum);
        layer.build(in, backend); // throws, naming the layer, if it cannot take this input shape
        adopt(layer);
        if (layer instanceof Augmentation next && !layers.isEmpty()
                && layers.getLast() instanceof Augmentation before) {
            before.chain(next); // one resampling for a run of augmentation layers
        }
        layers.add(layer);
    }


    /** Loads a Sequential model saved by {@link #save} onto the default backend. */
    public static Sequential load(Path path) throws IOException {
        return load(path, Backends.defaultBackend());
    }

    /** Loads a Sequential model saved by {@link #save} onto {@code backend}. */
    public static Sequential load(Path path, Backend backend) throws IOException {
        Model m = ModelFile.load(path, backend);
        if (m instanceof Sequential s) return s;
        m.close();
        throw new ModelFormatException(path + " holds a functional model, not a Sequential one: load it with Model.load");
    }
}
