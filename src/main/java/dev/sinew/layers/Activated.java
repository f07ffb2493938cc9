package dev.sinew.layers;

import dev.sinew.activations.Activation;

/**
 * A layer that ends in an activation the loss may fuse with (softmax + cross-entropy): the
 * model then hands {@link Layer#backward} the gradient with respect to the activation's input.
 */
public interface Activated {
    Activation activation();

    /** When true, {@code backward} receives dL/dz (pre-activation) and skips the activation's own backward. */
    void setActivationFusedWithLoss(boolean fused);
}
