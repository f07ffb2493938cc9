package dev.sinew.layers;

import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;

/**
 * Max pooling, as Keras's {@code MaxPooling2D(pool_size, strides=pool_size, padding="valid")}:
 * each channel's maximum over every pool window. Input {@code (batch, H, W, C)}, output
 * {@code (batch, OH, OW, C)}. The position of each maximum is kept, so backward routes each
 * gradient to the one input that produced the output.
 */
public final class MaxPooling2D extends Pooling2D {
    private Tensor argmax;

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
    protected void forwardShard(int s, int from, int to) {
        backend.maxPool(y.fromRow(from, out()), argmax.fromRow(from, out()), x.fromRow(from, in()), to - from, g);
    }

    @Override
    protected void backwardShard(int s, int from, int to) {
        backend.maxPoolBackward(dx.fromRow(from, in()), dy.fromRow(from, out()), argmax.fromRow(from, out()), to - from, g);
    }

    private int in() {
        return (int) g.inputSize();
    }

    private int out() {
        return (int) g.pooledSize();
    }

    @Override
    protected long valuesPerSample() {
        return g.inputSize();
    }
}
