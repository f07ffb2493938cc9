package dev.sinew.layers;

import java.util.Map;

/**
 * Exponential linear unit, as Keras's {@code ELU(alpha=1.0)}:
 * {@code y = x > 0 ? x : alpha * (e^x - 1)}. Input and output shapes are equal; no weights.
 */
public final class ELU extends ActivationLayer {
    private final float alpha;

    public ELU() {
        this(1.0);
    }

    /** {@code alpha}: a finite number &gt;= 0 (the backward reads the sign of the output). */
    public ELU(double alpha) {
        super(dev.sinew.activations.Activation.ELU, check(alpha));
        this.alpha = (float) alpha;
    }

    private static float check(double alpha) {
        if (!(alpha >= 0 && Double.isFinite(alpha))) {
            throw new IllegalArgumentException("ELU alpha must be a finite number >= 0, got alpha=" + alpha);
        }
        return (float) alpha;
    }

    public double alpha() {
        return alpha;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("alpha", Double.parseDouble(Float.toString(alpha)));
        return c;
    }
}
