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
 * Depthwise 2-D convolution, as Keras's {@code DepthwiseConv2D}: every input channel is convolved
 * with its own {@code depth_multiplier} filters and channels are never mixed,
 * {@code output[.., c*M + m] = activation(conv2d(input[.., c], kernel[.., c, m]) + bias[c*M + m])}.
 *
 * <ul>
 *   <li>{@code kernelSize}: kh = kw, or both given; {@code strides} (default 1) and
 *       {@code padding} "valid" (default) or "same", as {@link Conv2D};</li>
 *   <li>{@code depthMultiplier} M (default 1): filters per input channel;</li>
 *   <li>{@code activation}: default linear; {@code useBias}: default true.</li>
 * </ul>
 * Input {@code (batch, H, W, C)}, output {@code (batch, OH, OW, C*M)} (channels last; output
 * channel c*M + m comes from input channel c, as in Keras). Weights in Keras's layout: kernel
 * {@code (kh, kw, C, M)} Glorot-uniform with Keras's fans for it, bias {@code (C*M)} zeros (none
 * when {@code useBias} is false). Computed by a direct loop-nest kernel over NHWC
 * ({@code native/src/depthwise.c}), per shard of the batch like {@link Conv2D}.
 */
public final class DepthwiseConv2D extends KernelLayer {
    private final int kh, kw, sh, sw, depthMultiplier;
    private final String padding;

    private Window g;

    public DepthwiseConv2D(int kernelSize) {
        this(kernelSize, Activation.LINEAR);
    }

    public DepthwiseConv2D(int kernelSize, String activation) {
        this(kernelSize, Activation.of(activation));
    }

    public DepthwiseConv2D(int kernelSize, Activation activation) {
        this(kernelSize, kernelSize, 1, 1, "valid", 1, activation, true);
    }

    /** Square kernel and strides: {@code DepthwiseConv2D(3, 2, "same", 2, "relu")}. */
    public DepthwiseConv2D(int kernelSize, int strides, String padding, int depthMultiplier, String activation) {
        this(kernelSize, kernelSize, strides, strides, padding, depthMultiplier, Activation.of(activation), true);
    }

    /** Every hyper-parameter, in Keras's order. */
    public DepthwiseConv2D(int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, String padding,
            int depthMultiplier, Activation activation, boolean useBias) {
        super(activation, useBias);
        this.kh = Images.positive("DepthwiseConv2D kernel height", kernelHeight);
        this.kw = Images.positive("DepthwiseConv2D kernel width", kernelWidth);
        this.sh = Images.positive("DepthwiseConv2D stride height", strideHeight);
        this.sw = Images.positive("DepthwiseConv2D stride width", strideWidth);
        this.padding = Images.padding("DepthwiseConv2D", padding);
        this.depthMultiplier = Images.positive("DepthwiseConv2D depth_multiplier", depthMultiplier);
    }

    public int depthMultiplier() {
        return depthMultiplier;
    }

    @Override
    protected Shape computeOutputShape(Shape in) {
        Images.require(this, in);
        Window w = Window.of(describe(), in.dim(0), in.dim(1), in.dim(2), kh, kw, sh, sw, padding);
        int channels = requireFits("output channels", new int[] {w.C(), depthMultiplier}, "");
        g = w;
        return Shape.of(g.OH(), g.OW(), channels);
    }

    private int channelsOut() {
        return g.C() * depthMultiplier;
    }

    @Override
    public List<Shape> weightShapes() {
        Shape k = Shape.of(kh, kw, g.C(), depthMultiplier);
        return useBias ? List.of(k, Shape.of(channelsOut())) : List.of(k);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("kernel_size", List.of((long) kh, (long) kw));
        c.put("strides", List.of((long) sh, (long) sw));
        c.put("padding", padding);
        c.put("depth_multiplier", (long) depthMultiplier);
        c.put("activation", activation.kerasName());
        c.put("use_bias", useBias);
        return c;
    }

    @Override
    public void initializeWeights(RandomGenerator rng) {
        // Keras's fans for any conv kernel (kh, kw, in, out): receptive field times the last two
        // axes, here C and M. (A depthwise filter really sees kh*kw inputs, not kh*kw*C, but
        // Keras's compute_fans does not tell the layouts apart, and we initialise as Keras does.)
        Initializers.glorotUniform(kernel, (long) kh * kw * g.C(), (long) kh * kw * depthMultiplier, rng);
        if (useBias) Initializers.zeros(bias);
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        long out = (long) g.positions() * channelsOut();
        y = allocateRows(workspace, "output", capacity, out);
        allocatePreActivation(workspace, capacity, out);
        dx = allocateRows(workspace, "input gradient", capacity, g.inputSize());
        allocateGradientShards(workspace, capacity);
    }

    // y = act(depthwise(x) + b): the loop-nest kernel straight into y, then bias and activation in
    // one pass, in place.
    @Override
    protected void forwardShard(int s, int from, int to) {
        int out = g.positions() * channelsOut();
        Tensor ys = y.fromRow(from, out);
        backend.depthwiseForward(ys, x.fromRow(from, (int) g.inputSize()), kernel, to - from, depthMultiplier, g);
        biasActivation(ys, preActivation(from, out), (to - from) * g.positions(), channelsOut());
    }

    // dz = dy * act'(y) in place; then one pass over dz gives the shard's dK, db and (when asked) dx.
    // The shards' dK and db are then added in shard order.
    @Override
    protected void backwardShard(int s, int from, int to) {
        int out = g.positions() * channelsOut(), in = (int) g.inputSize();
        Tensor dz = dy.fromRow(from, out);
        activationBackward(dz, preActivation(from, out), y.fromRow(from, out), (to - from) * g.positions(), channelsOut());
        backend.depthwiseBackward(needInputGradient ? dx.fromRow(from, in) : null, dKernel(s), dBias(s), dz,
                x.fromRow(from, in), kernel, to - from, depthMultiplier, g);
    }

    @Override
    protected long work(int n) {
        return 2L * n * g.positions() * kh * kw * channelsOut();
    }
}
