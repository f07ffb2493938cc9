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
 * Depthwise-separable 2-D convolution, as Keras's {@code SeparableConv2D}: a depthwise convolution
 * (each input channel under its own M filters, no bias), then a 1x1 convolution mixing its C*M
 * channels into {@code filters}, {@code output = activation(pointwise(depthwise(input)) + bias)}.
 * Far fewer weights than a {@link Conv2D} of the same window: kh*kw*C*M + C*M*F + F against
 * kh*kw*C*F + F.
 *
 * <ul>
 *   <li>{@code filters}: output channels F; {@code kernelSize}: kh = kw, or both given;</li>
 *   <li>{@code strides} (default 1) and {@code padding} "valid" (default) or "same", of the
 *       depthwise step;</li>
 *   <li>{@code depthMultiplier} M (default 1); {@code activation}: default linear;
 *       {@code useBias}: default true.</li>
 * </ul>
 * Input {@code (batch, H, W, C)}, output {@code (batch, OH, OW, F)} (channels last). Weights in
 * Keras's layout and order: {@code depthwise_kernel (kh, kw, C, M)}, {@code pointwise_kernel
 * (1, 1, C*M, F)}, both Glorot-uniform with Keras's fans, and {@code bias (F)} zeros (none when
 * {@code useBias} is false). Per shard of the batch: the depthwise kernel of
 * {@link DepthwiseConv2D} into an (images*OH*OW, C*M) buffer, then one GEMM by the pointwise
 * kernel read as a (C*M, F) matrix, whose product is already NHWC.
 */
public final class SeparableConv2D extends KernelLayer {
    private final int filters, kh, kw, sh, sw, depthMultiplier;
    private final String padding;

    private Window g;
    private Tensor pointwise; // the pointwise kernel, read as (C*M, F)
    // The depthwise output (capacity, OH*OW*C*M) in forward; in backward, once the pointwise
    // kernel's gradient has been taken from it, its own gradient.
    private Tensor mid;

    public SeparableConv2D(int filters, int kernelSize) {
        this(filters, kernelSize, Activation.LINEAR);
    }

    public SeparableConv2D(int filters, int kernelSize, String activation) {
        this(filters, kernelSize, Activation.of(activation));
    }

    public SeparableConv2D(int filters, int kernelSize, Activation activation) {
        this(filters, kernelSize, kernelSize, 1, 1, "valid", 1, activation, true);
    }

    /** Square kernel and strides: {@code SeparableConv2D(64, 3, 2, "same", "relu")}. */
    public SeparableConv2D(int filters, int kernelSize, int strides, String padding, String activation) {
        this(filters, kernelSize, strides, padding, 1, activation);
    }

    /** Square kernel and strides with a depth multiplier: {@code SeparableConv2D(64, 3, 1, "same", 2, "relu")}. */
    public SeparableConv2D(int filters, int kernelSize, int strides, String padding, int depthMultiplier,
            String activation) {
        this(filters, kernelSize, kernelSize, strides, strides, padding, depthMultiplier, Activation.of(activation),
                true);
    }

    /** Every hyper-parameter, in Keras's order. */
    public SeparableConv2D(int filters, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth,
            String padding, int depthMultiplier, Activation activation, boolean useBias) {
        super(activation, useBias);
        this.filters = Images.positive("SeparableConv2D filters", filters);
        this.kh = Images.positive("SeparableConv2D kernel height", kernelHeight);
        this.kw = Images.positive("SeparableConv2D kernel width", kernelWidth);
        this.sh = Images.positive("SeparableConv2D stride height", strideHeight);
        this.sw = Images.positive("SeparableConv2D stride width", strideWidth);
        this.padding = Images.padding("SeparableConv2D", padding);
        this.depthMultiplier = Images.positive("SeparableConv2D depth_multiplier", depthMultiplier);
    }

    public int filters() {
        return filters;
    }

    public int depthMultiplier() {
        return depthMultiplier;
    }

    @Override
    protected Shape computeOutputShape(Shape in) {
        Images.require(this, in);
        Window w = Window.of(describe(), in.dim(0), in.dim(1), in.dim(2), kh, kw, sh, sw, padding);
        requireFits("depthwise channels", new int[] {w.C(), depthMultiplier}, "");
        requireFits("depthwise output", new int[] {w.OH(), w.OW(), w.C(), depthMultiplier}, " per sample");
        g = w;
        return Shape.of(g.OH(), g.OW(), filters);
    }

    /** The depthwise step's channels, C*M. */
    private int mids() {
        return g.C() * depthMultiplier;
    }

    @Override
    public List<String> weightNames() {
        return useBias ? List.of("depthwise_kernel", "pointwise_kernel", "bias")
                : List.of("depthwise_kernel", "pointwise_kernel");
    }

    @Override
    public List<Shape> weightShapes() {
        Shape d = Shape.of(kh, kw, g.C(), depthMultiplier), p = Shape.of(1, 1, mids(), filters);
        return useBias ? List.of(d, p, Shape.of(filters)) : List.of(d, p);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", (long) filters);
        c.put("kernel_size", List.of((long) kh, (long) kw));
        c.put("strides", List.of((long) sh, (long) sw));
        c.put("padding", padding);
        c.put("depth_multiplier", (long) depthMultiplier);
        c.put("activation", activation.kerasName());
        c.put("use_bias", useBias);
        return c;
    }

    /** {@code kernel} is the depthwise kernel (the first weight); the pointwise one is the second. */
    @Override
    public void bindWeights(List<Tensor> weights, List<Tensor> gradients) {
        super.bindWeights(weights, gradients);
        pointwise = weights.get(1);
    }

    @Override
    public void initializeWeights(RandomGenerator rng) {
        // Keras's fans, receptive field times the last two axes: (kh*kw*C, kh*kw*M) for the
        // depthwise kernel (kh, kw, C, M), (C*M, F) for the pointwise one (1, 1, C*M, F).
        Initializers.glorotUniform(kernel, (long) kh * kw * g.C(), (long) kh * kw * depthMultiplier, rng);
        Initializers.glorotUniform(pointwise, mids(), filters, rng);
        if (useBias) Initializers.zeros(bias);
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        mid = allocateRows(workspace, "depthwise output", capacity, (long) g.positions() * mids());
        y = allocateRows(workspace, "output", capacity, (long) g.positions() * filters);
        allocatePreActivation(workspace, capacity, (long) g.positions() * filters);
        dx = allocateRows(workspace, "input gradient", capacity, g.inputSize());
        allocateGradientShards(workspace, capacity);
    }

    // mid = depthwise(x); y = act(mid P + b): per shard, the depthwise kernel, one GEMM over the
    // shard's images' OH*OW rows each, and one fused pass over them.
    @Override
    protected void forwardShard(int s, int from, int to) {
        int rows = (to - from) * g.positions();
        Tensor ms = mid.fromRow(from * g.positions(), mids()), ys = y.fromRow(from, g.positions() * filters);
        backend.depthwiseForward(ms, x.fromRow(from, (int) g.inputSize()), kernel, to - from, depthMultiplier, g);
        backend.gemm(false, false, rows, filters, mids(), 1f, ms, pointwise, 0f, ys);
        biasActivation(ys, preActivation(from, g.positions() * filters), rows, filters);
    }

    // dz = dy * act'(y); dP = mid^T dz; db = colsum(dz); then mid is free to hold dmid = dz P^T,
    // from which the depthwise kernel gives dD and (when asked) dx. Per shard; the shards' dD, dP
    // and db are then added in shard order.
    @Override
    protected void backwardShard(int s, int from, int to) {
        int rows = (to - from) * g.positions(), out = g.positions() * filters, in = (int) g.inputSize();
        Tensor ms = mid.fromRow(from * g.positions(), mids()), dz = dy.fromRow(from, out);
        activationBackward(dz, preActivation(from, out), y.fromRow(from, out), rows, filters);
        backend.gemm(true, false, mids(), filters, rows, 1f, ms, dz, 0f, gradient(s, 1));
        if (useBias) backend.columnSum(dBias(s), dz, rows, filters);
        backend.gemm(false, true, rows, mids(), filters, 1f, dz, pointwise, 0f, ms);
        backend.depthwiseBackward(needInputGradient ? dx.fromRow(from, in) : null, dKernel(s), null, ms,
                x.fromRow(from, in), kernel, to - from, depthMultiplier, g);
    }

    @Override
    protected long work(int n) {
        return 2L * n * g.positions() * mids() * ((long) kh * kw + filters);
    }
}
