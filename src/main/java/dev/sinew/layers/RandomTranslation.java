package dev.sinew.layers;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Shifts each training image by a random offset, as Keras's
 * {@code RandomTranslation(height_factor, width_factor)}: uniform in [-factor, factor] of the
 * image's height and width. Bilinear, zero fill; identity at inference.
 */
public final class RandomTranslation extends Augmentation {
    private final double heightFactor, widthFactor;

    public RandomTranslation(double heightFactor, double widthFactor) {
        this(heightFactor, widthFactor, null);
    }

    public RandomTranslation(double heightFactor, double widthFactor, Long seed) {
        super(seed);
        for (double f : new double[] {heightFactor, widthFactor}) {
            if (!(f >= 0 && f < 1)) {
                throw new IllegalArgumentException("RandomTranslation factors must be in [0, 1), got " + heightFactor + ", "
                        + widthFactor);
            }
        }
        this.heightFactor = heightFactor;
        this.widthFactor = widthFactor;
    }

    @Override
    protected void draw(RandomGenerator rng, int height, int width, float[] t) {
        double dh = heightFactor == 0 ? 0 : rng.nextDouble(-heightFactor, heightFactor) * height;
        double dw = widthFactor == 0 ? 0 : rng.nextDouble(-widthFactor, widthFactor) * width;
        translation(dh, dw, t);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("height_factor", heightFactor);
        c.put("width_factor", widthFactor);
        return c;
    }
}
