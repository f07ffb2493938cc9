package dev.sinew.layers;

import dev.sinew.tensor.Workspace;

/**
 * Average pooling, as Keras's {@code AveragePooling2D(pool_size, strides=pool_size, padding="valid")}:
 * each channel's mean over every pool window (with "same" padding, over the pixels inside the
 * image). Input {@code (batch, H, W, C)}, output {@code (batch, OH, OW, C)}.
 */
public final class AveragePooling2D extends Pooling2D {
    public AveragePooling2D(int poolSize) {
        this(poolSize, poolSize, "valid");
    }

    public AveragePooling2D(int poolSize, int strides, String padding) {
        this(poolSize, poolSize, strides, strides, padding);
    }

    public AveragePooling2D(int poolHeight, int poolWidth, int strideHeight, int strideWidth, String padding) {
        super("AveragePooling2D", poolHeight, poolWidth, strideHeight, strideWidth, padding);
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, g.pooledSize());
        dx = allocateRows(workspace, "input gradient", capacity, g.inputSize());
    }

    @Override
    protected void forwardShard(int s, int from, int to) {
        backend.avgPool(y.fromRow(from, (int) g.pooledSize()), x.fromRow(from, (int) g.inputSize()), to - from, g);
    }

    @Override
    protected void backwardShard(int s, int from, int to) {
        backend.avgPoolBackward(dx.fromRow(from, (int) g.inputSize()), dy.fromRow(from, (int) g.pooledSize()), to - from, g);
    }

    @Override
    protected long valuesPerSample() {
        return g.inputSize();
    }
}
