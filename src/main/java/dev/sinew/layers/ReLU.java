package dev.sinew.layers;

import java.util.Map;

/**
 * Rectified linear unit, as Keras's {@code ReLU(max_value=None, negative_slope=0.0, threshold=0.0)}:
 * {@code y = x >= max_value ? max_value : x >= threshold ? x : negative_slope * (x - threshold)}.
 * Input and output shapes are equal; no weights.
 *
 * <p>Sinew runs the combinations that are one of its activation kernels: threshold 0 with no
 * max_value ({@code relu}, or {@code leaky_relu} when negative_slope &gt; 0), and threshold 0,
 * negative_slope 0, max_value 6 ({@code relu6}). Others are rejected when the layer is made.
 */
public final class ReLU extends ActivationLayer {
    private final Double maxValue;
    private final float negativeSlope, threshold;

    public ReLU() {
        this(null, 0, 0);
    }

    public ReLU(Double maxValue, double negativeSlope, double threshold) {
        super(kernel(maxValue, negativeSlope, threshold), (float) negativeSlope);
        this.maxValue = maxValue;
        this.negativeSlope = (float) negativeSlope;
        this.threshold = (float) threshold;
    }

    private static dev.sinew.activations.Activation kernel(Double maxValue, double negativeSlope, double threshold) {
        if (maxValue != null && !(maxValue >= 0)) {
            throw new IllegalArgumentException("ReLU max_value must be >= 0, got max_value=" + maxValue);
        }
        if (!(negativeSlope >= 0 && Double.isFinite(negativeSlope))) {
            throw new IllegalArgumentException("ReLU negative_slope must be a finite number >= 0, got negative_slope="
                    + negativeSlope);
        }
        if (threshold == 0 && maxValue == null) {
            return negativeSlope == 0 ? dev.sinew.activations.Activation.RELU : dev.sinew.activations.Activation.LEAKY_RELU;
        }
        if (threshold == 0 && negativeSlope == 0 && maxValue == 6) return dev.sinew.activations.Activation.RELU6;
        throw new IllegalArgumentException("ReLU(max_value=" + maxValue + ", negative_slope=" + negativeSlope
                + ", threshold=" + threshold + ") is not supported yet; supported: threshold=0 with max_value=None,"
                + " or max_value=6 with negative_slope=0 and threshold=0");
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("max_value", maxValue);
        c.put("negative_slope", Double.parseDouble(Float.toString(negativeSlope)));
        c.put("threshold", Double.parseDouble(Float.toString(threshold)));
        return c;
    }
}
