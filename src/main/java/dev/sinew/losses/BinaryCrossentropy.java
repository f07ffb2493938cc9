package dev.sinew.losses;

import dev.sinew.activations.Activation;
import dev.sinew.backend.PointwiseLoss;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code binary_crossentropy}: each element is -(s log q + (1 - s) log(1 - q)), with
 * q = clip(pred, 1e-7, 1 - 1e-7) and the smoothed label s = target (1 - label_smoothing) +
 * label_smoothing / 2; L = mean over rows of the mean over columns, as Keras.
 *
 * <p>After a sigmoid the gradient is fused: dL/dz = (sigmoid(z) - s) / (n c), exact even where
 * the probability is clipped. With {@code fromLogits} the predictions are logits z and the loss
 * is computed stably as max(z, 0) - z s + log(1 + exp(-|z|)).
 */
public final class BinaryCrossentropy extends PointwiseMeanLoss {
    private final boolean fromLogits;
    private final float labelSmoothing;

    /** Keras's defaults: {@code from_logits=False}, {@code label_smoothing=0}. */
    public BinaryCrossentropy() {
        this(false, 0f);
    }

    public BinaryCrossentropy(boolean fromLogits, float labelSmoothing) {
        super(PointwiseLoss.BCE, false);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new IllegalArgumentException("BinaryCrossentropy: label_smoothing must be in [0, 1]. Received: label_smoothing="
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
        return "binary_crossentropy";
    }

    @Override
    public boolean fusesWith(Activation last) {
        return !fromLogits && last == Activation.SIGMOID;
    }

    @Override
    float param() {
        return labelSmoothing;
    }

    @Override
    PointwiseLoss kernel(boolean fused) {
        return fromLogits ? PointwiseLoss.BCE_LOGITS : fused ? PointwiseLoss.BCE_SIGMOID : PointwiseLoss.BCE;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from_logits", fromLogits);
        m.put("label_smoothing", (double) labelSmoothing);
        return m;
    }
}
