package dev.sinew.losses;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * {@code categorical_crossentropy} on one-hot (or soft) targets: L = mean over rows of
 * -sum_c target_c log(max(pred_c, 1e-7)). Predictions are probabilities (Keras's
 * {@code from_logits=False}); clipping at 1e-7 as Keras does keeps the log finite.
 *
 * <p>After a softmax the gradient is fused: dL/dz = (softmax(z) - target) / n, with no division
 * by a probability, so it stays exact when p underflows.
 */
public final class CategoricalCrossentropy implements Loss {
    @Override
    public String name() {
        return "categorical_crossentropy";
    }

    @Override
    public boolean fusesWith(Activation last) {
        return last == Activation.SOFTMAX;
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c, Tensor grad, boolean fused) {
        float scale = 1f / n;
        double sum = fused
                ? backend.softmaxCrossEntropy(grad, pred, target, n, c, scale)
                : backend.crossEntropy(grad, pred, target, n, c, scale);
        return sum / n;
    }
}
