package dev.sinew.losses;

import dev.sinew.backend.Backend;
import dev.sinew.backend.PointwiseLoss;
import dev.sinew.tensor.Tensor;

/**
 * A loss that is a function of each (prediction, target) pair, averaged as Keras does: the mean
 * over the last axis gives each sample's value ({@code sumOverColumns} losses such as
 * {@code kl_divergence} sum instead), and the loss is the mean of those over the batch.
 */
abstract class PointwiseMeanLoss implements Loss {
    private final PointwiseLoss kernel;
    private final boolean sumOverColumns;

    PointwiseMeanLoss(PointwiseLoss kernel, boolean sumOverColumns) {
        this.kernel = kernel;
        this.sumOverColumns = sumOverColumns;
    }

    /** Huber's delta or the label smoothing; 0 when the loss has no option. */
    float param() {
        return 0f;
    }

    /** The kernel to run; binary cross-entropy picks the fused or the logits form. */
    PointwiseLoss kernel(boolean fused) {
        return kernel;
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c, Tensor grad, boolean fused) {
        double count = sumOverColumns ? n : (double) n * c;
        return backend.pointwiseLoss(grad, pred, target, n, c, (float) (1 / count), kernel(fused), param()) / count;
    }
}
