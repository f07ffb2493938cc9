package dev.sinew.layers;

import dev.sinew.activations.Activation;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Densely-connected layer: {@code output = activation(dot(input, kernel) + bias)}.
 *
 * <ul>
 *   <li>{@code units}: positive number of outputs;</li>
 *   <li>{@code activation}: {@link Activation} or its Keras name, default linear;</li>
 *   <li>{@link #useBias(boolean) useBias}: Keras's {@code use_bias}, default true.</li>
 * </ul>
 * Input shape {@code (batch, in)}; output shape {@code (batch, units)}. Weights, in Keras's
 * layout: kernel {@code (in, units)} initialised Glorot-uniform, bias {@code (units)} zeros (none
 * when {@code useBias(false)}).
 * An image input must be flattened first (a Flatten layer, or flat rows with a flat Input).
 */
public final class Dense extends KernelLayer {
    private final int units;

    private int in;
    private boolean kernelTrainable = true;
    // y (capacity, units): the activations, kept for backward; z likewise for gelu, silu, hard_silu
    // and mish, whose derivative is no function of y; dx (capacity, in).

    public Dense(int units) {
        this(units, Activation.LINEAR);
    }

    public Dense(int units, String activation) {
        this(units, Activation.of(activation));
    }

    public Dense(int units, Activation activation) {
        super(activation);
        if (units <= 0) {
            throw new IllegalArgumentException("Dense units must be a positive integer, got units=" + units);
        }
        this.units = units;
    }

    public int units() {
        return units;
    }

    /** Keras's {@code use_bias}: false leaves the layer without a bias. Set it before adding the layer to a model. */
    public Dense useBias(boolean useBias) {
        setUseBias(useBias);
        return this;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        if (inputShape.rank() != 1) {
            throw new IllegalArgumentException(describe() + " expects flat input of shape (features,),"
                    + " got " + inputShape + "; add a Flatten layer before it");
        }
        in = inputShape.dim(0);
        return Shape.of(units);
    }

    @Override
    public List<Shape> weightShapes() {
        return kernelAndBias(Shape.of(in, units), units);
    }

    /** The kernel is trainable unless {@link #freezeKernel()} was called; the bias always is. */
    @Override
    public List<Boolean> weightTrainable() {
        return useBias ? List.of(kernelTrainable, true) : List.of(kernelTrainable);
    }

    /**
     * Makes the kernel non-trainable, as Keras's {@code quantize("int8")} does with the int8 kernel
     * that replaces it (the bias stays trainable). {@code Model.quantize} calls it and then lays the
     * model's weights out again; a model lays them out when it is built, so on a layer of a built
     * model only that call takes effect.
     */
    public void freezeKernel() {
        kernelTrainable = false;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("units", (long) units);
        c.put("activation", activation.kerasName());
        putUseBias(c);
        return c;
    }

    @Override
    public void initializeWeights(RandomGenerator rng) {
        Initializers.glorotUniform(kernel, in, units, rng);
        if (bias != null) Initializers.zeros(bias);
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, units);
        allocatePreActivation(workspace, capacity, units);
        dx = allocateRows(workspace, "input gradient", capacity, in);
        allocateGradientShards(workspace, capacity);
    }

    // y = act(x W + b): the product straight into y, then bias and activation in one pass, in
    // place; per shard of the batch's rows when the layer is large enough to be worth splitting.
    @Override
    protected void forwardShard(int s, int from, int to) {
        Tensor ys = y.fromRow(from, units);
        backend.gemm(false, false, to - from, units, in, 1f, x.fromRow(from, in), kernel, 0f, ys);
        biasActivation(ys, preActivation(from, units), to - from, units);
    }

    // dz = dy * act'(y) (in place, unless the loss already gave dz); dW = x^T dz; db = colsum(dz);
    // dx = dz W^T. Per shard; the shards' dW and db are then added in shard order.
    @Override
    protected void backwardShard(int s, int from, int to) {
        int m = to - from;
        Tensor dz = dy.fromRow(from, units);
        activationBackward(dz, preActivation(from, units), y.fromRow(from, units), m, units);
        if (kernelTrainable) backend.gemm(true, false, in, units, m, 1f, x.fromRow(from, in), dz, 0f, dKernel(s));
        biasGradient(s, dz, m, units);
        if (needInputGradient) backend.gemm(false, true, m, in, units, 1f, dz, kernel, 0f, dx.fromRow(from, in));
    }

    @Override
    protected long work(int n) {
        return 2L * n * in * units;
    }
}
