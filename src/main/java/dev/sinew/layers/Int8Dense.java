package dev.sinew.layers;

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
 * <p>Inference only: it has no backward pass (a quantized model refuses training before it gets
 * here). A model makes one per inference executor; they share the {@link Int8Kernel}.
 */
public final class Int8Dense extends Layer {
    private final Dense dense;
    private final Int8Kernel kernel;
    private final int in, units, rowFloats; // rowFloats: one quantized row, int8RowBytes(in) bytes, in floats
    private Tensor y, xq, xscale; // (capacity, units); (capacity, rowFloats) raw int8; (capacity)
    private Tensor x;
    private final ShardTask forwardShard = this::forwardShard;

    /** Runs {@code dense} (built, bound to its weights: its bias is read at each call) on {@code kernel}. */
    public Int8Dense(Dense dense, Int8Kernel kernel) {
        if (!dense.isBuilt() || dense.inputShape().size() != kernel.in() || dense.units() != kernel.units()) {
            throw new IllegalArgumentException("Int8Dense: " + dense.describe() + " with input " + dense.inputShape()
                    + " and " + dense.units() + " units does not match a quantized kernel of " + kernel.in() + " x "
                    + kernel.units());
        }
        this.dense = dense;
        this.kernel = kernel;
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

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, units);
        xq = allocateRows(workspace, "quantized input", capacity, rowFloats);
        xscale = allocateRows(workspace, "input scales", capacity, 1);
    }

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        this.x = x;
        backend.forEachShard(n, dense.work(n), forwardShard); // split as the float Dense splits
        return y;
    }

    // Per shard of rows: quantize them, the int8 product, then bias and activation in place.
    private void forwardShard(int s, int from, int to) {
        int m = to - from;
        Tensor ys = y.fromRow(from, units), qs = xq.fromRow(from, rowFloats), ss = xscale.fromRow(from, 1);
        backend.int8QuantizeRows(qs, ss, x.fromRow(from, in), m, in);
        backend.int8Gemm(ys, qs, ss, kernel.wq(), kernel.scale(), kernel.colsum(), m, units, in);
        dense.biasActivation(ys, null, m, units); // the float layer's own step (no z kept: inference)
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        throw new IllegalStateException(describe() + " is quantized to int8 and runs inference only");
    }
}
