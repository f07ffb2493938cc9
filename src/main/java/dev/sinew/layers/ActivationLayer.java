package dev.sinew.layers;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backend.ShardTask;
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
    private Tensor x, y, dy;
    // Per shard of the batch (one per thread): an activation layer is a pass over memory, and a
    // residual network has one after most convolutions; run on one core, the other waits.
    private final ShardTask forwardShard = this::forwardShard, backwardShard = this::backwardShard;

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
        backend.forEachShard(n, Backend.memoryPass(n, width), forwardShard);
        return y;
    }

    private void forwardShard(int s, int from, int to) {
        backend.biasActivation(y.fromRow(from, width), x.fromRow(from, width), null, rows(to - from), cols, activation, alpha);
    }

    // dx = dy * act'(x), in place in dy; dy already is dx when the loss fused with this activation.
    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (!needInputGradient) return null;
        if (!fusedWithLoss) {
            this.dy = dy;
            backend.forEachShard(n, Backend.memoryPass(n, width), backwardShard);
        }
        return dy;
    }

    private void backwardShard(int s, int from, int to) {
        Tensor d = dy.fromRow(from, width);
        backend.activationBackward(d, activation.needsInput() ? x.fromRow(from, width) : null, y.fromRow(from, width), d,
                rows(to - from), cols, activation, alpha);
    }

    private int rows(int n) {
        return (int) ((long) n * width / cols);
    }
}
