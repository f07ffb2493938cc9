package dev.sinew.layers;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Rotates each training image by a random angle, as Keras's {@code RandomRotation(factor)}: the
 * angle is uniform in [-factor * 2 pi, factor * 2 pi] (factor 0.05 = up to 18 degrees). Bilinear,
 * zero fill; identity at inference. Input and output {@code (batch, H, W, C)}.
 */
public final class RandomRotation extends Augmentation {
    private final double factor;

    public RandomRotation(double factor) {
        this(factor, null);
    }

    public RandomRotation(double factor, Long seed) {
        super(seed);
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("RandomRotation factor must be in (0, 1] (a fraction of a full turn), got " + factor);
        }
        this.factor = factor;
    }

    @Override
    protected void draw(RandomGenerator rng, int height, int width, float[] t) {
        rotation(rng.nextDouble(-factor, factor) * 2 * Math.PI, t);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("factor", factor);
        return c;
    }
}
