package dev.sinew.losses;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backend;
import dev.sinew.backend.CrossEntropyInput;
import dev.sinew.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code categorical_crossentropy} on one-hot (or soft) targets: L = mean over rows of
 * -sum_c s_c log(max(pred_c, 1e-7)), with the smoothed targets s = target (1 - label_smoothing)
 * + label_smoothing / c. Predictions are probabilities unless {@code fromLogits}; clipping at
 * 1e-7 as Keras does keeps the log finite. (Keras also divides the probabilities by their row
 * sum first; after a softmax that sum is 1, and Sinew does not rescale.)
 *
 * <p>After a softmax the gradient is fused: dL/dz = (softmax(z) sum(s) - s) / n, with no division
 * by a probability, so it stays exact when p underflows. With {@code fromLogits} the loss is
 * sum_c s_c (logsumexp(z) - z_c), computed stably from the logits z.
 */
public final class CategoricalCrossentropy implements Loss {
    private final boolean fromLogits;
    private final float labelSmoothing;

    /** Keras's defaults: {@code from_logits=False}, {@code label_smoothing=0}. */
    public CategoricalCrossentropy() {
        this(false, 0f);
    }

    public CategoricalCrossentropy(boolean fromLogits, float labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new IllegalArgumentException("CategoricalCrossentropy: label_smoothing must be in [0, 1]. Received: label_smoothing="
                    + labelSmoothing);
        this.fromLogits = fromLogits;
        this.labelSmoothing = labelSmoothing;
    }

    public boolean fromLogits() {
        return fromLogits;
    }

    public float labelSmoothing() {
        return labelSmoothing;
    }

    @Override
    public String name() {
        return "categorical_crossentropy";
    }

    @Override
    public boolean fusesWith(Activation last) {
        return !fromLogits && last == Activation.SOFTMAX;
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c, Tensor grad, boolean fused) {
        float scale = 1f / n;
        double sum;
        if (fromLogits || labelSmoothing != 0) {
            sum = backend.crossEntropySmoothed(grad, pred, target, n, c, scale, fromLogits ? CrossEntropyInput.LOGITS
                    : fused ? CrossEntropyInput.SOFTMAX_FUSED : CrossEntropyInput.PROBABILITIES, labelSmoothing);
        } else { // Keras's defaults: the original kernels, bit for bit as before
            sum = fused
                    ? backend.softmaxCrossEntropy(grad, pred, target, n, c, scale)
                    : backend.crossEntropy(grad, pred, target, n, c, scale);
        }
        return sum / n;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from_logits", fromLogits);
        m.put("label_smoothing", (double) labelSmoothing);
        return m;
    }
}
