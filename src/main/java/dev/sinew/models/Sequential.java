package dev.sinew.models;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.data.Dataset;
import dev.sinew.layers.Activated;
import dev.sinew.layers.Augmentation;
import dev.sinew.layers.Input;
import dev.sinew.layers.Layer;
import dev.sinew.losses.Loss;
import dev.sinew.losses.Losses;
import dev.sinew.metrics.Metric;
import dev.sinew.metrics.Metrics;
import dev.sinew.optimizers.Optimizer;
import dev.sinew.tensor.Rows;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Memory: all weights live in one off-heap tensor and all their gradients in another (so an
 * optimizer updates the whole model in one call); activations live in buffers sized for the
 * largest batch seen so far. After the first step at a given batch size, a training step
 * allocates nothing. {@link #close()} frees everything; a closed model throws
 * {@link IllegalStateException}.
 *
 * <p>Errors: data is checked in Java before it reaches native code (row counts, widths, NaN);
 * a rejected call leaves the model as it was. A model is not thread-safe: use one per thread.
 */
public final class Sequential implements AutoCloseable {
    private final Backend backend;
    private final long seed;
    private final String name = "sequential";
    private final List<Layer> layers = new ArrayList<>();
    private final Map<String, Integer> nameCounts = new HashMap<>();
    private Shape inputShape;

    // Built: weights and gradients, each one flat tensor, with per-layer views.
    private Workspace weightSpace;
    private Tensor params, grads;
    private long paramCount;
    private int firstTrainable; // index of the first layer with weights

    // Per batch size: input/target copies, the loss gradient, and every layer's buffers.
    private Workspace batchSpace;
    private int capacity;
    private Tensor xBuf, yBuf, lossGrad;
    private Tensor lastOutput; // the last forward pass's output (a layer's buffer)

    // Compiled.
    private Loss loss;
    private boolean fusedLoss;
    private List<Metric> metrics = List.of();
    private Optimizer optimizer;
    private Workspace optimizerSpace;

    private boolean closed;
    private boolean stopTraining;

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
        if (backend == null) throw new IllegalArgumentException("backend is null");
        this.backend = backend;
        this.seed = seed;
    }

    public Backend backend() {
        return backend;
    }

    public long seed() {
        return seed;
    }

    // ------------------------------------------------------------------ building

    /** Appends a layer; the first must be an {@link Input}. Returns this model. */
    public Sequential add(Layer layer) {
        checkOpen();
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
            return this;
        }
        if (inputShape == null) {
            throw new IllegalStateException("add an Input first, e.g. add(new Input(784)), so "
                    + layer.describe() + " knows its input shape");
        }
        if (layers.contains(layer)) {
            throw new IllegalArgumentException(layer.describe() + " is already in this model");
        }
        Shape in = layers.isEmpty() ? inputShape : layers.getLast().outputShape();
        String layerName = layer.name() != null ? layer.name() : autoName(layer.defaultNameStem());
        if (layers.stream().anyMatch(l -> l.name().equals(layerName))) {
            throw new IllegalArgumentException("a layer named \"" + layerName + "\" is already in this model");
        }
        if (layer instanceof Augmentation && layers.stream().anyMatch(l -> l.parameterCount() > 0)) {
            throw new IllegalArgumentException(layer.describe() + " must come before every layer with weights (it passes"
                    + " no gradient back); add it right after the Input");
        }
        layer.build(in, backend); // throws, naming the layer, if it cannot take this input shape
        layer.withName(layerName);
        if (layer instanceof Augmentation next && !layers.isEmpty()
                && layers.getLast() instanceof Augmentation before) {
            before.chain(next); // one resampling for a run of augmentation layers
        }
        layers.add(layer);
        return this;
    }

    private String autoName(String stem) {
        int k = nameCounts.merge(stem, 1, Integer::sum) - 1;
        return k == 0 ? stem : stem + "_" + k;
    }

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

    private boolean isBuilt() {
        return params != null;
    }

    /** Allocates and initialises the weights (once). */
    private void build() {
        if (isBuilt()) return;
        if (inputShape == null || layers.isEmpty()) {
            throw new IllegalStateException("model \"" + name + "\" has no layers; add an Input and at least one layer");
        }
        long total = 0;
        for (Layer l : layers) total += l.parameterCount();
        weightSpace = new Workspace();
        // At least one element, so a model without weights still has valid (empty) tensors.
        int slab = Math.toIntExact(Math.max(total, 1));
        params = weightSpace.allocate(Shape.of(slab));
        grads = weightSpace.allocate(Shape.of(slab));
        paramCount = total;
        firstTrainable = 0;
        while (firstTrainable < layers.size() - 1 && layers.get(firstTrainable).parameterCount() == 0) firstTrainable++;
        SplittableRandom rng = new SplittableRandom(seed);
        long offset = 0;
        for (Layer l : layers) {
            List<Tensor> w = new ArrayList<>(), g = new ArrayList<>();
            for (Shape s : l.weightShapes()) {
                w.add(params.slice(offset, s));
                g.add(grads.slice(offset, s));
                offset += s.size();
            }
            l.bindWeights(w, g);
            l.initializeWeights(rng);
        }
    }

    private int inputWidth() {
        return (int) inputShape.size();
    }

    private Layer lastLayer() {
        return layers.getLast();
    }

    private int outputWidth() {
        return (int) lastLayer().outputShape().size();
    }

    /** Makes sure every buffer holds at least {@code n} rows; grows (never shrinks) them. */
    private void ensureCapacity(int n) {
        if (n <= capacity) return;
        if (batchSpace != null) batchSpace.close();
        batchSpace = new Workspace();
        xBuf = batchSpace.allocate(Shape.of(n, inputWidth()));
        yBuf = batchSpace.allocate(Shape.of(n, outputWidth()));
        lossGrad = batchSpace.allocate(Shape.of(n, outputWidth()));
        for (Layer l : layers) l.allocate(batchSpace, n);
        capacity = n;
    }

    // ------------------------------------------------------------------ compile

    /** Configures training with Keras names: e.g. {@code compile("categorical_crossentropy", new SGD(0.1), "accuracy")}. */
    public void compile(String loss, Optimizer optimizer, String... metrics) {
        List<Metric> ms = new ArrayList<>();
        for (String m : metrics == null ? new String[0] : metrics) ms.add(Metrics.of(m));
        compile(Losses.of(loss), optimizer, ms.toArray(Metric[]::new));
    }

    /** Configures training with loss and metric objects. */
    public void compile(Loss loss, Optimizer optimizer, Metric... metrics) {
        checkOpen();
        if (loss == null) throw new IllegalArgumentException("compile: loss is null");
        if (optimizer == null) throw new IllegalArgumentException("compile: optimizer is null");
        List<Metric> ms = List.of(metrics == null ? new Metric[0] : metrics);
        build();
        if (optimizerSpace != null) optimizerSpace.close();
        optimizerSpace = new Workspace();
        optimizer.build(backend, params, grads, Math.max(paramCount, 1), optimizerSpace);
        boolean fused = lastLayer() instanceof Activated a && loss.fusesWith(a.activation());
        for (Layer l : layers) {
            if (l instanceof Activated a) a.setActivationFusedWithLoss(fused && l == lastLayer());
        }
        this.loss = loss;
        this.fusedLoss = fused;
        this.optimizer = optimizer;
        this.metrics = ms;
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
        checkCompiled("trainOnBatch");
        int n = loadBatch(x, y);
        return trainStep(xBuf, yBuf, n);
    }

    /** {@link #trainOnBatch(float[][], float[][])} on tensors of shape (batch, ...), without copies. */
    public float[] trainOnBatch(Tensor x, Tensor y) {
        checkCompiled("trainOnBatch");
        int n = checkTensors(x, y);
        ensureCapacity(n);
        return trainStep(x, y, n);
    }

    private float[] trainStep(Tensor x, Tensor y, int n) {
        float[] result = new float[1 + metrics.size()];
        result[0] = (float) forwardBackward(x, y, n);
        optimizer.step();
        // The update changed the weights, not the output buffer: metrics see this batch's predictions.
        scoreMetrics(result, lastOutput, y, n);
        return result;
    }

    /** Inference on the n rows in the batch buffers: result = [loss, metric...]. */
    private void score(float[] result, int n) {
        Tensor out = forward(xBuf, n, false);
        result[0] = (float) loss.compute(backend, out, yBuf, n, outputWidth(), null, fusedLoss);
        scoreMetrics(result, out, yBuf, n);
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
        checkCompiled("computeGradients");
        int n = loadBatch(x, y);
        return forwardBackward(xBuf, yBuf, n);
    }

    private double forwardBackward(Tensor x, Tensor y, int n) {
        Tensor out = forward(x, n, true);
        double value = loss.compute(backend, out, y, n, outputWidth(), lossGrad, fusedLoss);
        // Layers before the first one with weights need no gradient at all (augmentation, an
        // initial dropout): the backward pass stops there.
        Tensor g = lossGrad;
        for (int i = layers.size() - 1; i >= firstTrainable; i--) {
            g = layers.get(i).backward(g, n, i > firstTrainable);
        }
        return value;
    }

    private Tensor forward(Tensor x, int n, boolean training) {
        Tensor h = x;
        for (Layer l : layers) h = l.forward(h, n, training);
        lastOutput = h;
        return h;
    }

    /** The model's outputs for a batch, as {@code float[batch][outputs]} (inference: dropout off). */
    public float[][] predictOnBatch(float[][] x) {
        checkOpen();
        build();
        int n = checkX(x);
        ensureCapacity(n);
        copyBatch(x, null, 0, n);
        return forward(xBuf, n, false).toRows(n, outputWidth());
    }

    /** {@link #predictOnBatch(float[][])} on a tensor of shape (batch, ...). */
    public float[][] predictOnBatch(Tensor x) {
        checkOpen();
        build();
        int n = checkTensor(x, inputWidth(), "x");
        checkFinite(x, n, inputWidth(), "x");
        ensureCapacity(n);
        return forward(x, n, false).toRows(n, outputWidth());
    }

    /** Loss and metrics on one batch, without training (Keras's {@code test_on_batch}). */
    public float[] testOnBatch(float[][] x, float[][] y) {
        checkCompiled("testOnBatch");
        int n = loadBatch(x, y);
        float[] result = new float[1 + metrics.size()];
        score(result, n);
        return result;
    }

    // ------------------------------------------------------------------ fit, evaluate, predict

    /** Trains for {@code epochs} passes over (x, y) in shuffled batches of {@code batchSize}. */
    public History fit(float[][] x, float[][] y, int batchSize, int epochs) {
        return fit(x, y, FitOptions.builder().batchSize(batchSize).epochs(epochs).build());
    }

    /** Trains with Keras's {@code fit} options: validation, shuffling, callbacks, verbosity. */
    public History fit(float[][] x, float[][] y, FitOptions options) {
        checkCompiled("fit");
        if (options == null) throw new IllegalArgumentException("fit: options are null");
        return Trainer.fit(this, x, y, options);
    }

    /** {@link #fit(float[][], float[][], FitOptions)} on a {@link Dataset}. */
    public History fit(Dataset data, FitOptions options) {
        return fit(data.x(), data.y(), options);
    }

    /** Asks {@code fit} to stop after the current epoch (Keras's {@code model.stop_training = True}). */
    public void setStopTraining(boolean stop) {
        this.stopTraining = stop;
    }

    public boolean isStopTrainingRequested() {
        return stopTraining;
    }

    /** Loss and metrics over all of (x, y), in batches of 32; {@code [loss, metric...]}. */
    public float[] evaluate(float[][] x, float[][] y) {
        return evaluate(x, y, 32);
    }

    /** Loss and metrics over all of (x, y), in batches of {@code batchSize}, as sample-weighted means. */
    public float[] evaluate(float[][] x, float[][] y, int batchSize) {
        checkCompiled("evaluate");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        int rows = checkX(x), ny = checkY(y);
        if (rows != ny) throw new IllegalArgumentException("x has " + rows + " samples but y has " + ny);
        double[] sums = new double[1 + metrics.size()];
        float[] r = new float[sums.length];
        for (int from = 0; from < rows; from += batchSize) {
            int to = Math.min(rows, from + batchSize), n = to - from;
            ensureCapacity(n);
            copyBatch(x, y, from, to);
            score(r, n);
            for (int k = 0; k < sums.length; k++) sums[k] += (double) r[k] * n;
        }
        for (int k = 0; k < sums.length; k++) r[k] = (float) (sums[k] / rows);
        return r;
    }

    /** {@link #evaluate(float[][], float[][], int)} on a {@link Dataset}. */
    public float[] evaluate(Dataset data, int batchSize) {
        return evaluate(data.x(), data.y(), batchSize);
    }

    /** Outputs for every row of x, computed in batches of 32. */
    public float[][] predict(float[][] x) {
        return predict(x, 32);
    }

    /** Outputs for every row of x, computed in batches of {@code batchSize} (inference: dropout off). */
    public float[][] predict(float[][] x, int batchSize) {
        checkOpen();
        build();
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        int rows = checkX(x);
        float[][] result = new float[rows][];
        for (int from = 0; from < rows; from += batchSize) {
            int to = Math.min(rows, from + batchSize), n = to - from;
            ensureCapacity(n);
            copyBatch(x, null, from, to);
            Tensor out = forward(xBuf, n, false);
            float[][] part = out.toRows(n, outputWidth());
            System.arraycopy(part, 0, result, from, n);
        }
        return result;
    }

    /** One training step on rows {@code index[from..to)} of data already checked by {@link #checkData}. */
    float[] trainRows(float[][] x, float[][] y, int[] index, int from, int to) {
        int n = to - from;
        ensureCapacity(n);
        xBuf.copyRowsFrom(x, index, from, to);
        yBuf.copyRowsFrom(y, index, from, to);
        return trainStep(xBuf, yBuf, n);
    }

    /** Checks a whole data set once (shapes, row counts, finiteness) so batches need no checks. */
    Dataset checkData(float[][] x, float[][] y, String xName, String yName) {
        build();
        int n = checkX(x), ny = checkY(y);
        if (n != ny) {
            throw new IllegalArgumentException(xName + " has " + n + " samples but " + yName + " has " + ny);
        }
        checkAllFinite(x, xName);
        checkAllFinite(y, yName);
        return new Dataset(x, y);
    }

    private static void checkAllFinite(float[][] rows, String what) {
        int[] at = Rows.firstNonFinite(rows);
        if (at != null) {
            throw new IllegalArgumentException(what + " contains a non-finite value (" + rows[at[0]][at[1]] + " at row "
                    + at[0] + ", column " + at[1] + "); clean or impute the data first");
        }
    }

    // ------------------------------------------------------------------ data checks

    /** Checks x and y, then copies them into the batch buffers; returns the row count. */
    private int loadBatch(float[][] x, float[][] y) {
        int n = checkX(x);
        int ny = checkY(y);
        if (ny != n) {
            throw new IllegalArgumentException("x has " + n + " rows but y has " + ny
                    + "; every sample needs exactly one target row");
        }
        ensureCapacity(n);
        copyBatch(x, y, 0, n);
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
        if (width != outputWidth()) {
            throw new IllegalArgumentException("loss " + loss.name() + " expects " + outputWidth()
                    + " target values per row (the output of " + lastLayer().describe() + "), got "
                    + width + " in y");
        }
        return y.length;
    }

    /**
     * Copies rows [from, to) of x, and of y unless it is null, into the batch buffers, then
     * rejects NaN or infinity with its position. The native scan is fast; only when it finds
     * something does the Java scan look for where. The rows of x are copied and scanned per shard:
     * a large batch (inference in batches of 1,000) spends as long on this memory-bound work as in
     * its first layer, so each thread takes its own rows; a small one stays in one piece.
     */
    private void copyBatch(float[][] x, float[][] y, int from, int to) {
        int n = to - from;
        copySource = x;
        copyFrom = from;
        if (nonFinite.length < backend.shards()) nonFinite = new long[backend.shards()];
        int shards;
        try {
            shards = backend.forEachShard(n, 8L * n * inputWidth(), copyShard);
        } finally {
            copySource = null;
        }
        for (int s = 0; s < shards; s++) if (nonFinite[s] > 0) checkAllFinite(x, "x");
        if (y == null) return;
        yBuf.copyRowsFrom(y, from, to);
        if (backend.countNonFinite(yBuf, (long) n * outputWidth()) > 0) checkAllFinite(y, "y");
    }

    private float[][] copySource; // the rows copyBatch is copying (not kept after)
    private int copyFrom;
    private long[] nonFinite = new long[1]; // per shard: non-finite values found
    private final Backend.ShardTask copyShard = this::copyShard;

    private void copyShard(int s, int a, int b) {
        Tensor part = xBuf.fromRow(a, inputWidth());
        part.copyRowsFrom(copySource, copyFrom + a, copyFrom + b);
        nonFinite[s] = backend.countNonFinite(part, (long) (b - a) * inputWidth());
    }

    private int checkTensors(Tensor x, Tensor y) {
        int n = checkTensor(x, inputWidth(), "x");
        int ny = checkTensor(y, outputWidth(), "y");
        if (ny != n) {
            throw new IllegalArgumentException("x has " + n + " rows but y has " + ny);
        }
        checkFinite(x, n, inputWidth(), "x");
        checkFinite(y, n, outputWidth(), "y");
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

    /** The gradients from the last training step or {@link #computeGradients}, in {@link #getWeights()} order. */
    public List<float[]> getGradients() {
        return copyOut(false);
    }

    private List<float[]> copyOut(boolean weights) {
        checkOpen();
        build();
        List<float[]> out = new ArrayList<>();
        for (Tensor t : views(weights ? params : grads)) out.add(t.toArray());
        return out;
    }

    /** The model's weight (or gradient) views in {@link #getWeights()} order. */
    private List<Tensor> views(Tensor flat) {
        List<Tensor> out = new ArrayList<>();
        long offset = 0;
        for (Layer l : layers) {
            for (Shape s : l.weightShapes()) {
                out.add(flat.slice(offset, s));
                offset += s.size();
            }
        }
        return out;
    }

    /** Replaces all weights; takes exactly what {@link #getWeights()} returns. Checked before anything changes. */
    public void setWeights(List<float[]> weights) {
        checkOpen();
        build();
        List<Tensor> targets = views(params);
        if (weights == null || weights.size() != targets.size()) {
            throw new IllegalArgumentException("setWeights expects " + targets.size() + " arrays (kernel and bias"
                    + " per layer), got " + (weights == null ? "null" : weights.size()));
        }
        int i = 0;
        for (Layer l : layers) {
            for (Shape s : l.weightShapes()) {
                float[] w = weights.get(i++);
                if (w == null || w.length != s.size()) {
                    throw new IllegalArgumentException(l.describe() + " weight " + (i - 1) + " must have shape "
                            + s + " = " + s.size() + " values, got " + (w == null ? "null" : w.length));
                }
                for (float v : w) {
                    if (!Float.isFinite(v)) {
                        throw new IllegalArgumentException(l.describe() + " weight " + (i - 1)
                                + " contains a non-finite value " + v);
                    }
                }
            }
        }
        for (int k = 0; k < targets.size(); k++) targets.get(k).copyFrom(weights.get(k));
    }

    /**
     * {@link #setWeights} without its finiteness check, for loading a file saved with
     * {@link SaveOption#ALLOW_NON_FINITE}; the caller ({@link ModelFileReader}) has checked every shape.
     */
    void setWeightsAllowingNonFinite(List<float[]> weights) {
        checkOpen();
        build();
        List<Tensor> targets = views(params);
        for (int k = 0; k < targets.size(); k++) targets.get(k).copyFrom(weights.get(k));
    }

    /** Number of trainable parameters. */
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
        checkOpen();
        build();
        ModelFile.save(this, path);
    }

    /**
     * {@link #save(Path)} with options. A model whose weights hold NaN or infinity (its training
     * diverged) is refused with an {@link IllegalStateException} naming the layer and weight, and
     * the file already at {@code path} is left as it was; with {@link SaveOption#ALLOW_NON_FINITE}
     * it is saved anyway, and {@link #load} gives back exactly those values.
     */
    public void save(Path path, SaveOption... options) throws IOException {
        ModelFile.save(this, path, options);
    }

    /** Loads a model saved by {@link #save} onto the default backend; it predicts exactly as the saved one did. */
    public static Sequential load(Path path) throws IOException {
        return ModelFile.load(path, Backends.defaultBackend());
    }

    /** Loads a model saved by {@link #save} onto {@code backend}. */
    public static Sequential load(Path path, Backend backend) throws IOException {
        return ModelFile.load(path, backend);
    }

    // ------------------------------------------------------------------ summary, memory, close

    /** A table of layers, output shapes and parameter counts, in Keras's format. */
    public String summary() {
        checkOpen();
        return Summary.format(name, layers, countParams());
    }

    /** Off-heap bytes this model holds now: weights, gradients, optimizer state and batch buffers. */
    public long offHeapBytes() {
        long b = 0;
        for (Workspace w : new Workspace[] {weightSpace, batchSpace, optimizerSpace}) {
            if (w != null && w.isOpen()) b += w.bytes();
        }
        return b;
    }

    /** Frees all off-heap memory. Using the model afterwards throws {@link IllegalStateException}. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Workspace w : new Workspace[] {weightSpace, batchSpace, optimizerSpace}) {
            if (w != null) w.close();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("model \"" + name + "\" is closed");
    }

    private void checkCompiled(String what) {
        checkOpen();
        if (loss == null) {
            throw new IllegalStateException("model \"" + name + "\" must be compiled before " + what
                    + ": call compile(loss, optimizer, metrics...)");
        }
    }
}
