package dev.sinew.layers;

import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;

/**
 * Average pooling, as Keras's {@code AveragePooling2D(pool_size, strides=pool_size, padding="valid")}:
 * each channel's mean over every pool window (with "same" padding, over the pixels inside the
 * image). Input {@code (batch, H, W, C)}, output {@code (batch, OH, OW, C)}.
 */
public final class AveragePooling2D extends Pooling2D {
    private Tensor y, dx;

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
    public Tensor forward(Tensor x, int n, boolean training) {
        backend.avgPool(y, x, n, g);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (!needInputGradient) return null;
        backend.avgPoolBackward(dx, dy, n, g);
        return dx;
    }
}
