package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;

/**
 * What the activation layers {@link Activation}, {@link LeakyReLU}, {@link ELU} and
 * {@link Softmax} share ({@link ReLU} has a kernel of its own): {@code y = act(x)} with no weights, input and output shapes equal.
 * Elementwise activations treat a sample as one row; softmax and log_softmax act on the last axis, so a sample
 * of shape {@code (..., C)} is {@code size / C} rows of C.
 *
 * <p>Forward writes y into this layer's own buffer; backward turns dy into dx in place, from y,
 * or from the input x (kept by the previous layer until the backward pass, so not copied) for
 * the activations that need it ({@link dev.sinew.activations.Activation#needsInput()}).
 */
public abstract class ActivationLayer extends Layer implements Activated {
    private final dev.sinew.activations.Activation activation;
    private final float alpha;
    private boolean fusedWithLoss;
    private int width, cols; // values per sample; the length of a row the activation acts on
    private Tensor x, y;

    protected ActivationLayer(dev.sinew.activations.Activation activation, float alpha) {
        this.activation = activation;
        this.alpha = alpha;
    }

    @Override
    public dev.sinew.activations.Activation activation() {
        return activation;
    }

    @Override
    public void setActivationFusedWithLoss(boolean fused) {
        this.fusedWithLoss = fused;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        width = requireFits("input", inputShape, " per sample");
        boolean perRow = activation == dev.sinew.activations.Activation.SOFTMAX
                || activation == dev.sinew.activations.Activation.LOG_SOFTMAX;
        cols = perRow ? inputShape.dim(inputShape.rank() - 1) : width;
        return inputShape;
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, width);
    }

    // y = act(x), over n * width / cols rows of cols values.
    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        this.x = x;
        backend.biasActivation(y, x, null, rows(n), cols, activation, alpha);
        return y;
    }

    // dx = dy * act'(x), in place in dy; dy already is dx when the loss fused with this activation.
    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (!needInputGradient) return null;
        if (!fusedWithLoss) {
            backend.activationBackward(dy, activation.needsInput() ? x : null, y, dy, rows(n), cols, activation, alpha);
        }
        return dy;
    }

    private int rows(int n) {
        return (int) ((long) n * width / cols);
    }
}
