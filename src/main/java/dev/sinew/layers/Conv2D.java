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
 * {@code (kh, kw, C, F)} Glorot-uniform, bias {@code (F)} zeros (none when {@code useBias(false)}).
 * Computed per shard of the batch (one shard per thread) in one of two ways:
 * <ul>
 *   <li>direct, when F is a multiple of 8 (the native kernel's vector width): the shard's images
 *   are copied once into their zero-padded frame and the convolution is summed straight from it
 *   ({@code Backend.conv2d}); its kernel gradient likewise; with stride 1 (and C a multiple of 8)
 *   its input gradient is the direct convolution of the framed output gradient with the kernel
 *   turned half a turn, else as below. On the 16-64-filter convolutions of a small CNN, OpenBLAS
 *   reaches 40-95 GFLOP/s on one core and unfolding moves a 9x copy of the image each way; the
 *   direct kernels run at 85-100 (measured on Zen 4, 64 images of 28x28x16 to 7x7x64);</li>
 *   <li>otherwise as one GEMM: the shard's patches unfolded by {@code im2col} into an
 *   (images*OH*OW, kh*kw*C) matrix times the kernel read as (kh*kw*C, F); the product is already
 *   NHWC.</li>
 * </ul>
 */
public final class Conv2D extends KernelLayer {
    private final int filters, kh, kw, sh, sw;
    private final String padding;

    private Window g;
    private boolean direct, directInputGradient;
    // GEMM path: patches in forward, their gradient in backward: per image OH*OW rows of kh*kw*C
    // values, held as (capacity, OH*OW*kh*kw*C) and read in rows of kh*kw*C. Direct path: only the
    // input gradient's patches, when C is not a multiple of 8 (null when C is).
    private Tensor cols;
    // Direct path: the input in its window frame (null when the input is its own frame: "valid",
    // stride 1), the output gradient in the frame of the transposed window, the flipped kernel.
    private Tensor framed, framedGradient, flipped;
    // Direct path's input gradient: the transposed window (made once here, not per shard and step:
    // a Window's constructor builds its message string and BigInteger size checks).
    private Window transposed;

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
        direct = filters % 8 == 0;
        directInputGradient = transposable();
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
        if (!direct || !directInputGradient) {
            cols = allocateRows(workspace, "im2col patches", capacity, (long) g.positions() * g.patchSize());
        }
        if (direct) {
            boolean ownFrame = g.PT() == 0 && g.PL() == 0 && g.framedH() == g.H() && g.framedW() == g.W();
            framed = ownFrame ? null : allocateRows(workspace, "framed input", capacity, g.framedSize());
            if (directInputGradient) {
                transposed = g.transposed(filters);
                framedGradient = allocateRows(workspace, "framed output gradient", capacity, transposed.framedSize());
                flipped = workspace.allocate(Shape.of(kh, kw, filters, g.C()));
            }
        }
        y = allocateRows(workspace, "output", capacity, (long) g.positions() * filters);
        allocatePreActivation(workspace, capacity, (long) g.positions() * filters);
        dx = allocateRows(workspace, "input gradient", capacity, g.inputSize());
        allocateGradientShards(workspace, capacity);
    }

    // The direct path's input gradient needs stride 1 (see Window.transposed) and C, the vector
    // dimension of its convolution, a multiple of 8; else it is unfolded as the GEMM path's is
    // (e.g. a first layer over RGB images, or a stride-2 convolution). Also unfolded when the
    // transposed window (H x W outputs of kh x kw x F values) is beyond what a Window accepts: its
    // constructor refuses windows that would unfold past a tensor, though the direct kernels never
    // unfold them; the forward window's patches, which the unfolding path uses, were checked.
    private boolean transposable() {
        return sh == 1 && sw == 1 && g.C() % 8 == 0 && Window.unfoldFits(g.H(), g.W(), kh, kw, filters);
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (flipped != null && needInputGradient) backend.flipKernel(flipped, kernel, kh, kw, g.C(), filters);
        return super.backward(dy, n, needInputGradient);
    }

    @Override
    protected void forwardShard(int s, int from, int to) {
        if (direct) {
            directForward(from, to);
        } else {
            gemmForward(from, to);
        }
    }

    @Override
    protected void backwardShard(int s, int from, int to) {
        if (direct) {
            directBackward(s, from, to);
        } else {
            gemmBackward(s, from, to);
        }
    }

    // xp = frame(x); y = act(conv(xp, K) + b).
    private void directForward(int from, int to) {
        Tensor xs = x.fromRow(from, (int) g.inputSize()), ys = y.fromRow(from, g.positions() * filters);
        Tensor xp = framed == null ? xs : framed.fromRow(from, (int) g.framedSize());
        if (framed != null) backend.padWindows(xp, xs, to - from, g);
        backend.conv2d(ys, xp, kernel, to - from, g, filters);
        biasActivation(ys, preActivation(from, g.positions() * filters), (to - from) * g.positions(), filters);
    }

    // dz = dy * act'(y); dK from the frame kept by forward and dz; db = colsum(dz); and
    // dx = conv(frame(dz), flipped K) over the transposed window (or by the GEMM path's unfolding).
    private void directBackward(int s, int from, int to) {
        int n = to - from, rows = n * g.positions(), out = g.positions() * filters;
        Tensor dz = dy.fromRow(from, out);
        activationBackward(dz, preActivation(from, out), y.fromRow(from, out), rows, filters);
        Tensor xp = framed == null ? x.fromRow(from, (int) g.inputSize()) : framed.fromRow(from, (int) g.framedSize());
        backend.conv2dKernelGradient(dKernel(s), xp, dz, n, g, filters);
        biasGradient(s, dz, rows, filters);
        if (!needInputGradient) return;
        if (directInputGradient) {
            Window t = transposed;
            Tensor dzp = framedGradient.fromRow(from, (int) t.framedSize());
            backend.padWindows(dzp, dz, n, t);
            backend.conv2d(dx.fromRow(from, (int) g.inputSize()), dzp, flipped, n, t, g.C());
        } else {
            Tensor c = cols.fromRow(from * g.positions(), g.patchSize());
            backend.gemm(false, true, rows, g.patchSize(), filters, 1f, dz, kernel, 0f, c);
            backend.col2im(dx.fromRow(from, (int) g.inputSize()), c, n, g);
        }
    }

    // cols = im2col(x); y = act(cols K + b): per shard of the batch, one GEMM over its images'
    // OH*OW rows each and one fused pass over them.
    private void gemmForward(int from, int to) {
        int rows = (to - from) * g.positions();
        Tensor c = cols.fromRow(from * g.positions(), g.patchSize()), ys = y.fromRow(from, g.positions() * filters);
        backend.im2col(c, x.fromRow(from, (int) g.inputSize()), to - from, g);
        backend.gemm(false, false, rows, filters, g.patchSize(), 1f, c, kernel, 0f, ys);
        biasActivation(ys, preActivation(from, g.positions() * filters), rows, filters);
    }

    // dz = dy * act'(y); dK = cols^T dz; db = colsum(dz); then cols is free to hold dcols = dz K^T,
    // and dx = col2im(dcols). Per shard; the shards' dK and db are then added in shard order.
    private void gemmBackward(int s, int from, int to) {
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
