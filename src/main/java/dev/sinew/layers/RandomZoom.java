package dev.sinew.layers;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Zooms each training image by a random amount, as Keras's {@code RandomZoom(height_factor)} with
 * the aspect ratio kept: z uniform in [-factor, factor]; positive z zooms out (the content shrinks,
 * borders fill with zeros), negative zooms in. Identity at inference.
 */
public final class RandomZoom extends Augmentation {
    private final double factor;

    public RandomZoom(double factor) {
        this(factor, null);
    }

    public RandomZoom(double factor, Long seed) {
        super(seed);
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("RandomZoom factor must be in (0, 1), got " + factor);
        }
        this.factor = factor;
    }

    @Override
    protected void draw(RandomGenerator rng, int height, int width, float[] t) {
        double z = rng.nextDouble(-factor, factor);
        zoom(z, z, t);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("height_factor", factor);
        return c;
    }
}
