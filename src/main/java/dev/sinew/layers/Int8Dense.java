package dev.sinew.layers;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backend.ShardTask;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;

/**
 * A {@link Dense} layer run in int8, as Keras's {@code Dense} after {@code quantize("int8")}
 * ({@code _int8_call}): each input row is quantized on the fly,
 * {@code xscale = 127 / (max|x| + 1e-7)}, {@code xq = clip(round(x * xscale), -127, 127)}; then
 * {@code output = activation((xq . wq) / (scale * xscale) + bias)}, the product in int32
 * ({@link Int8Kernel} holds wq and scale). Input {@code (batch, in)}, output {@code (batch, units)},
 * as the Dense it stands in for, whose bias and activation it uses.
 *
 * <p>Training ({@link #forTraining}), as Keras's custom gradient in {@code _int8_call}: the forward
 * is the same int8 product; the kernel and its scale are not trainable and get no gradient; the
 * bias gets its ordinary gradient {@code db = colsum(dz)}, {@code dz = dy * act'}; and the input
 * gets {@code dx = dz . (wq / scale)^T}, the dequantized kernel's transpose (straight through the
 * input's rounding, which has no useful derivative). Inference-only instances refuse backward.
 * A model makes one per inference executor, and one for training; they share the {@link Int8Kernel}.
 */
public final class Int8Dense extends Layer implements Activated {
    private final Dense dense;
    private final Int8Kernel kernel;
    private final boolean trains;
    private final int in, units, rowFloats; // rowFloats: one quantized row, int8RowBytes(in) bytes, in floats
    private Tensor y, xq, xscale; // (capacity, units); (capacity, rowFloats) raw int8; (capacity)
    private Tensor z, dx, dequantized; // training: pre-activation when needed, (capacity, in), (in, units)
    private Tensor x, dy;
    private boolean training, needInputGradient;
    private final ShardTask forwardShard = this::forwardShard, backwardShard = this::backwardShard;

    /** Runs {@code dense} (built, bound to its weights: its bias is read at each call) on {@code kernel}; inference only. */
    public Int8Dense(Dense dense, Int8Kernel kernel) {
        this(dense, kernel, false);
    }

    /**
     * As {@link #Int8Dense(Dense, Int8Kernel)}, and trainable: {@code backward} writes the bias
     * gradient to {@code dense}'s bound one and returns the input gradient.
     */
    public static Int8Dense forTraining(Dense dense, Int8Kernel kernel) {
        return new Int8Dense(dense, kernel, true);
    }

    private Int8Dense(Dense dense, Int8Kernel kernel, boolean trains) {
        if (!dense.isBuilt() || dense.inputShape().size() != kernel.in() || dense.units() != kernel.units()) {
            throw new IllegalArgumentException("Int8Dense: " + dense.describe() + " with input " + dense.inputShape()
                    + " and " + dense.units() + " units does not match a quantized kernel of " + kernel.in() + " x "
                    + kernel.units());
        }
        this.dense = dense;
        this.kernel = kernel;
        this.trains = trains;
        this.in = kernel.in();
        this.units = kernel.units();
        this.rowFloats = Backend.int8RowBytes(in) / Float.BYTES;
        withName(dense.name());
        build(dense.inputShapes(), dense.backend);
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        return dense.outputShape();
    }

    /** The bias, when the Dense has one: Keras's int8 kernel and kernel_scale are not trainable. */
    @Override
    public long trainableParameterCount() {
        return trains && dense.useBias() ? units : 0;
    }

    @Override
    public Activation activation() {
        return dense.activation();
    }

    @Override
    public void setActivationFusedWithLoss(boolean fused) {
        dense.setActivationFusedWithLoss(fused); // the Dense's activationBackward reads it
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, units);
        xq = allocateRows(workspace, "quantized input", capacity, rowFloats);
        xscale = allocateRows(workspace, "input scales", capacity, 1);
        if (!trains) return;
        z = dense.activation().needsInput() ? allocateRows(workspace, "pre-activation", capacity, units) : null;
        dx = allocateRows(workspace, "input gradient", capacity, in);
        dense.allocateGradientShards(workspace, capacity);
        // Made once per allocation, not per step: what the input gradient multiplies by.
        dequantized = workspace.allocate(Shape.of(in, units));
        kernel.dequantize(dequantized);
    }

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        this.x = x;
        this.training = training && trains;
        backend.forEachShard(n, dense.work(n), forwardShard); // split as the float Dense splits
        return y;
    }

    // Per shard of rows: quantize them, the int8 product, then bias and activation in place
    // (keeping z when training and the activation's derivative needs it).
    private void forwardShard(int s, int from, int to) {
        int m = to - from;
        Tensor ys = y.fromRow(from, units), qs = xq.fromRow(from, rowFloats), ss = xscale.fromRow(from, 1);
        backend.int8QuantizeRows(qs, ss, x.fromRow(from, in), m, in);
        backend.int8Gemm(ys, qs, ss, kernel.wq(), kernel.scale(), kernel.colsum(), m, units, in);
        dense.biasActivation(ys, training && z != null ? z.fromRow(from, units) : null, m, units);
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (!trains) throw new IllegalStateException(describe() + " is quantized to int8 and runs inference only");
        if (!training) throw new IllegalStateException(describe() + ": backward needs a training forward pass first");
        this.dy = dy;
        this.needInputGradient = needInputGradient;
        dense.addGradientShards(backend.forEachShard(n, dense.work(n), backwardShard));
        return needInputGradient ? dx : null;
    }

    // dz = dy * act'(y) in place (unless the loss gave dz); db = colsum(dz); dx = dz Wd^T with
    // Wd = wq / scale; no kernel gradient. Per shard; the shards' db are then added in shard order.
    private void backwardShard(int s, int from, int to) {
        int m = to - from;
        Tensor dz = dy.fromRow(from, units);
        dense.activationBackward(dz, z == null ? null : z.fromRow(from, units), y.fromRow(from, units), m, units);
        dense.biasGradient(s, dz, m, units);
        if (needInputGradient) backend.gemm(false, true, m, in, units, 1f, dz, dequantized, 0f, dx.fromRow(from, in));
    }
}
