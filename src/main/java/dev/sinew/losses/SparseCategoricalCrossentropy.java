package dev.sinew.losses;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * {@code sparse_categorical_crossentropy}: categorical cross-entropy with integer targets, as
 * Keras's: each target row holds one class index k (not a one-hot row), and the loss is the mean
 * over rows of -log(max(pred_k, 1e-7)). Targets are one number per sample, so data can be given
 * as {@code int[]} labels (numpy's usual form); a label outside [0, classes) is an
 * {@link IllegalArgumentException} naming its row. After a softmax the gradient is fused:
 * dL/dz = (softmax(z) - onehot(k)) / n.
 */
public final class SparseCategoricalCrossentropy implements Loss {
    @Override
    public String name() {
        return "sparse_categorical_crossentropy";
    }

    @Override
    public boolean fusesWith(Activation last) {
        return last == Activation.SOFTMAX;
    }

    @Override
    public int targetWidth(int outputWidth) {
        return 1;
    }

    @Override
    public void checkTargets(float[][] y, int outputWidth, String what) {
        for (int i = 0; i < y.length; i++) {
            float k = y[i][0];
            if (!(k >= 0 && k < outputWidth && k == Math.rint(k))) {
                throw new IllegalArgumentException(what + " row " + i + " holds label " + k + ", not a class index in [0, "
                        + outputWidth + ")");
            }
        }
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c, Tensor grad, boolean fused) {
        float scale = 1f / n;
        double sum = fused
                ? backend.sparseSoftmaxCrossEntropy(grad, pred, target, n, c, scale)
                : backend.sparseCrossEntropy(grad, pred, target, n, c, scale);
        return sum / n;
    }
}
