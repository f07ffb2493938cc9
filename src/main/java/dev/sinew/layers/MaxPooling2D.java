package dev.sinew.layers;

import dev.sinew.tensor.Shape;
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
        y = workspace.allocate(Shape.of(capacity, (int) g.pooledSize()));
        argmax = workspace.allocate(Shape.of(capacity, (int) g.pooledSize())); // int32 storage
        dx = workspace.allocate(Shape.of(capacity, (int) g.inputSize()));
    }

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        backend.maxPool(y, argmax, x, n, g);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (!needInputGradient) return null;
        backend.maxPoolBackward(dx, dy, argmax, n, g);
        return dx;
    }
}
