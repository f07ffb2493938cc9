package dev.sinew.layers;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Window;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * 2-D convolution, as Keras's {@code Conv2D}: a {@code kh x kw} kernel slides over the image with
 * shared weights, {@code output = activation(conv2d(input, kernel) + bias)}.
 *
 * <ul>
 *   <li>{@code filters}: output channels F; {@code kernelSize}: kh = kw, or both given;</li>
 *   <li>{@code strides} (default 1) and {@code padding} "valid" (default) or "same";</li>
 *   <li>{@code activation}: default linear;</li>
 *   <li>{@link #useBias(boolean) useBias}: Keras's {@code use_bias}, default true.</li>
 * </ul>
 * Input {@code (batch, H, W, C)}, output {@code (batch, OH, OW, F)} (channels last). Kernel
 * {@code (kh, kw, C, F)} Glorot-uniform, bias {@code (F)} zeros (none when {@code useBias(false)}). Computed as one GEMM per shard of
 * the batch (one shard per thread): the shard's patches are unfolded by {@code im2col} into an
 * (images*OH*OW, kh*kw*C) matrix and multiplied by the kernel read as (kh*kw*C, F); the product is
 * already NHWC.
 */
public final class Conv2D extends KernelLayer {
    private final int filters, kh, kw, sh, sw;
    private final String padding;

    private Window g;
    // Patches in forward, their gradient in backward: per image OH*OW rows of kh*kw*C values,
    // held as (capacity, OH*OW*kh*kw*C) and read in rows of kh*kw*C.
    private Tensor cols;

    public Conv2D(int filters, int kernelSize) {
        this(filters, kernelSize, Activation.LINEAR);
    }

    /**
     * {@code Conv2D(32, 3, "relu")}: an activation with "valid" padding; or, since no activation is
     * called so, {@code Conv2D(32, 3, "same")}: a padding with no activation (Keras's
     * {@code Conv2D(32, 3, padding="same")}).
     */
    public Conv2D(int filters, int kernelSize, String activationOrPadding) {
        this(filters, kernelSize, kernelSize, 1, 1, isPadding(activationOrPadding) ? activationOrPadding : "valid",
                isPadding(activationOrPadding) ? Activation.LINEAR : Activation.of(activationOrPadding));
    }

    private static boolean isPadding(String s) {
        return s != null && (s.equalsIgnoreCase("same") || s.equalsIgnoreCase("valid"));
    }

    public Conv2D(int filters, int kernelSize, Activation activation) {
        this(filters, kernelSize, kernelSize, 1, 1, "valid", activation);
    }

    /** Square kernel and strides: {@code Conv2D(32, 3, 2, "same", "relu")}. */
    public Conv2D(int filters, int kernelSize, int strides, String padding, String activation) {
        this(filters, kernelSize, kernelSize, strides, strides, padding, Activation.of(activation));
    }

    public Conv2D(int filters, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, String padding,
            Activation activation) {
        super(activation);
        this.filters = Images.positive("Conv2D filters", filters);
        this.kh = Images.positive("Conv2D kernel height", kernelHeight);
        this.kw = Images.positive("Conv2D kernel width", kernelWidth);
        this.sh = Images.positive("Conv2D stride height", strideHeight);
        this.sw = Images.positive("Conv2D stride width", strideWidth);
        this.padding = Images.padding("Conv2D", padding);
    }

    /**
     * Keras's {@code use_bias}: false leaves the layer without a bias (weights: the kernel only),
     * e.g. {@code new Conv2D(64, 3, 1, "same", "linear").useBias(false)} before a normalization.
     * Set it before the layer is added to a model.
     */
    public Conv2D useBias(boolean useBias) {
        setUseBias(useBias);
        return this;
    }

    @Override
    protected Shape computeOutputShape(Shape in) {
        Images.require(this, in);
        g = Window.of(describe(), in.dim(0), in.dim(1), in.dim(2), kh, kw, sh, sw, padding);
        return Shape.of(g.OH(), g.OW(), filters);
    }

    @Override
    public List<Shape> weightShapes() {
        return kernelAndBias(Shape.of(kh, kw, g.C(), filters), filters);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", (long) filters);
        c.put("kernel_size", List.of((long) kh, (long) kw));
        c.put("strides", List.of((long) sh, (long) sw));
        c.put("padding", padding);
        c.put("activation", activation.kerasName());
        putUseBias(c);
        return c;
    }

    @Override
    public void initializeWeights(RandomGenerator rng) {
        // Keras's fans for a conv kernel: receptive field times channels in / out.
        Initializers.glorotUniform(kernel, (long) kh * kw * g.C(), (long) kh * kw * filters, rng);
        if (bias != null) Initializers.zeros(bias);
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        cols = allocateRows(workspace, "im2col patches", capacity, (long) g.positions() * g.patchSize());
        y = allocateRows(workspace, "output", capacity, (long) g.positions() * filters);
        allocatePreActivation(workspace, capacity, (long) g.positions() * filters);
        dx = allocateRows(workspace, "input gradient", capacity, g.inputSize());
        allocateGradientShards(workspace, capacity);
    }

    // cols = im2col(x); y = act(cols K + b): per shard of the batch, one GEMM over its images'
    // OH*OW rows each and one fused pass over them.
    @Override
    protected void forwardShard(int s, int from, int to) {
        int rows = (to - from) * g.positions();
        Tensor c = cols.fromRow(from * g.positions(), g.patchSize()), ys = y.fromRow(from, g.positions() * filters);
        backend.im2col(c, x.fromRow(from, (int) g.inputSize()), to - from, g);
        backend.gemm(false, false, rows, filters, g.patchSize(), 1f, c, kernel, 0f, ys);
        biasActivation(ys, preActivation(from, g.positions() * filters), rows, filters);
    }

    // dz = dy * act'(y); dK = cols^T dz; db = colsum(dz); then cols is free to hold dcols = dz K^T,
    // and dx = col2im(dcols). Per shard; the shards' dK and db are then added in shard order.
    @Override
    protected void backwardShard(int s, int from, int to) {
        int rows = (to - from) * g.positions(), out = g.positions() * filters;
        Tensor c = cols.fromRow(from * g.positions(), g.patchSize()), dz = dy.fromRow(from, out);
        activationBackward(dz, preActivation(from, out), y.fromRow(from, out), rows, filters);
        backend.gemm(true, false, g.patchSize(), filters, rows, 1f, c, dz, 0f, dKernel(s));
        biasGradient(s, dz, rows, filters);
        if (!needInputGradient) return;
        backend.gemm(false, true, rows, g.patchSize(), filters, 1f, dz, kernel, 0f, c);
        backend.col2im(dx.fromRow(from, (int) g.inputSize()), c, to - from, g);
    }

    @Override
    protected long work(int n) {
        return 2L * n * g.positions() * g.patchSize() * filters;
    }
}
