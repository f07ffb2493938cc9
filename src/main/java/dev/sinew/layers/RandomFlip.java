package dev.sinew.layers;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Mirrors each training image at random, as Keras's {@code RandomFlip(mode)}: with mode
 * "horizontal" left and right swap with probability 1/2, with "vertical" top and bottom, with
 * "horizontal_and_vertical" (Keras's default) each independently. Identity at inference.
 *
 * <p>A mirror samples the input exactly at pixel centres, so the bilinear warp copies pixels
 * without blurring; in a Sequential model's run of augmentation layers it is composed into the
 * run's single warp (a functional model warps once per augmentation layer).
 */
public final class RandomFlip extends Augmentation {
    public static final String HORIZONTAL = "horizontal", VERTICAL = "vertical",
            HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical";

    private final String mode;

    public RandomFlip(String mode) {
        this(mode, null);
    }

    public RandomFlip(String mode, Long seed) {
        super(seed);
        if (!HORIZONTAL.equals(mode) && !VERTICAL.equals(mode) && !HORIZONTAL_AND_VERTICAL.equals(mode)) {
            throw new IllegalArgumentException("RandomFlip mode must be \"" + HORIZONTAL + "\", \"" + VERTICAL + "\" or \""
                    + HORIZONTAL_AND_VERTICAL + "\", got " + (mode == null ? "null" : "\"" + mode + "\""));
        }
        this.mode = mode;
    }

    public String mode() {
        return mode;
    }

    @Override
    protected void draw(RandomGenerator rng, int height, int width, float[] t) {
        boolean rows = !mode.equals(HORIZONTAL) && rng.nextBoolean();
        boolean columns = !mode.equals(VERTICAL) && rng.nextBoolean();
        flip(rows, columns, t);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("mode", mode);
        return c;
    }
}
