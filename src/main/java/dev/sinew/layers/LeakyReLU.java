package dev.sinew.layers;

import java.util.Map;

/**
 * Leaky rectified linear unit, as Keras's {@code LeakyReLU(negative_slope=0.3)}:
 * {@code y = x > 0 ? x : negative_slope * x}. The layer's default slope is Keras 3's 0.3 (the
 * function {@code "leaky_relu"} by name uses 0.2). Input and output shapes are equal; no weights.
 */
public final class LeakyReLU extends ActivationLayer {
    private final float negativeSlope;

    public LeakyReLU() {
        this(0.3);
    }

    /** {@code negativeSlope}: a finite number &gt;= 0. */
    public LeakyReLU(double negativeSlope) {
        super(dev.sinew.activations.Activation.LEAKY_RELU, check(negativeSlope));
        this.negativeSlope = (float) negativeSlope;
    }

    private static float check(double negativeSlope) {
        if (!(negativeSlope >= 0 && Double.isFinite(negativeSlope))) {
            throw new IllegalArgumentException("LeakyReLU negative_slope must be a finite number >= 0, got negative_slope="
                    + negativeSlope);
        }
        return (float) negativeSlope;
    }

    public double negativeSlope() {
        return negativeSlope;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("negative_slope", Double.parseDouble(Float.toString(negativeSlope)));
        return c;
    }
}
