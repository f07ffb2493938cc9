package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;

/**
 * Flattens each sample, as Keras's {@code Flatten}: {@code (batch, H, W, C)} becomes
 * {@code (batch, H*W*C)}, in row-major (channels-last) order. Samples are already stored that way,
 * so forward and backward pass their buffers through unchanged.
 */
public final class Flatten extends Layer {
    @Override
    protected Shape computeOutputShape(Shape in) {
        return Shape.of(requireFits("input", in, " per sample"));
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {}

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        return x;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        return needInputGradient ? dy : null;
    }
}
