package dev.sinew.layers;

import dev.sinew.backend.Backend.ShardTask;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;

/**
 * Max pooling, as Keras's {@code MaxPooling2D(pool_size, strides=pool_size, padding="valid")}:
 * each channel's maximum over every pool window. Input {@code (batch, H, W, C)}, output
 * {@code (batch, OH, OW, C)}. The position of each maximum is kept, so backward routes each
 * gradient to the one input that produced the output.
 */
public final class MaxPooling2D extends Pooling2D {
    private Tensor y, argmax, dx;
    private Tensor x, dy; // the tensors of the call being sharded (not owned)

    // Images are independent: each shard pools its own rows.
    private final ShardTask forwardShard = (s, from, to) -> backend.maxPool(y.fromRow(from, out()),
            argmax.fromRow(from, out()), x.fromRow(from, in()), to - from, g);
    private final ShardTask backwardShard = (s, from, to) -> backend.maxPoolBackward(dx.fromRow(from, in()),
            dy.fromRow(from, out()), argmax.fromRow(from, out()), to - from, g);

    /** Square windows, strides equal to the pool size, no padding: {@code MaxPooling2D(2)}. */
    public MaxPooling2D(int poolSize) {
        this(poolSize, poolSize, "valid");
    }

    public MaxPooling2D(int poolSize, int strides, String padding) {
        this(poolSize, poolSize, strides, strides, padding);
    }

    public MaxPooling2D(int poolHeight, int poolWidth, int strideHeight, int strideWidth, String padding) {
        super("MaxPooling2D", poolHeight, poolWidth, strideHeight, strideWidth, padding);
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, g.pooledSize());
        argmax = allocateRows(workspace, "argmax", capacity, g.pooledSize()); // int32 storage
        dx = allocateRows(workspace, "input gradient", capacity, g.inputSize());
    }

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        this.x = x;
        backend.forEachShard(n, work(n), forwardShard);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (!needInputGradient) return null;
        this.dy = dy;
        backend.forEachShard(n, work(n), backwardShard);
        return dx;
    }

    private int in() {
        return (int) g.inputSize();
    }

    private int out() {
        return (int) g.pooledSize();
    }

    // A comparison and a store or two per input value: cheap, so weighted up against a GEMM's flops.
    private long work(int n) {
        return 8L * n * g.inputSize();
    }
}
