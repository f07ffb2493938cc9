package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Inverted dropout, as Keras's {@code Dropout(rate)}: during training each input is zeroed with
 * probability {@code rate} and the survivors are scaled by {@code 1 / (1 - rate)}, so the
 * expected value is unchanged and inference is the identity (no scaling, no copy).
 *
 * <p>Input and output shapes are equal; no weights. Masks come from a counter-based generator:
 * the seed (drawn from the model's seed, or given) and a step counter that advances with every
 * training batch, so a seeded model trains identically run after run, on either backend.
 * Backward: dx = dy * mask.
 */
public final class Dropout extends Layer {
    private final float rate;
    private final Long fixedSeed;
    private long seed;
    private long step;

    private int width;
    private Tensor y, mask; // (capacity, width)
    private boolean maskActive; // whether the last forward applied a mask

    /** Drops each input with probability {@code rate}, in [0, 1). */
    public Dropout(double rate) {
        this(rate, null);
    }

    /** As {@link #Dropout(double)}, with a seed of its own instead of one drawn from the model's. */
    public Dropout(double rate, Long seed) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Dropout rate must be in [0, 1), got rate=" + rate);
        }
        this.rate = (float) rate;
        this.fixedSeed = seed;
    }

    public double rate() {
        return rate;
    }

    /** The seed of the mask generator (known once the layer is in a built model). */
    public long seed() {
        return seed;
    }

    /** How many training batches have drawn masks; with the seed it fixes the next mask. */
    public long step() {
        return step;
    }

    /** Sets the mask counter, e.g. to replay a batch with the same mask (gradient checks). */
    public void setStep(long step) {
        this.step = step;
    }

    /** {mask counter}: saved with the model, so a resumed fit draws the masks an uninterrupted one would. */
    @Override
    public long[] rngState() {
        return new long[] {step};
    }

    @Override
    public void setRngState(long[] state) {
        requireRngState(state, 1);
        step = state[0];
    }

    @Override
    public void followRandomState(Layer original, int application) {
        Dropout o = (Dropout) original;
        seed = applicationSeed(o.seed, application);
        step = o.step;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("rate", Double.parseDouble(Float.toString(rate)));
        c.put("seed", seed);
        return c;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        width = requireFits("input", inputShape, " per sample");
        return inputShape;
    }

    @Override
    public void initializeWeights(RandomGenerator rng) {
        seed = fixedSeed != null ? fixedSeed : rng.nextLong();
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, width);
        mask = allocateRows(workspace, "mask", capacity, width);
    }

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        maskActive = training && rate > 0;
        if (!maskActive) return x;
        // Golden-ratio stride between steps: each batch's mask comes from a distinct hash stream.
        backend.dropout(y, mask, x, (long) n * width, rate, seed + step++ * 0x632BE59BD9B4E019L);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (!needInputGradient) return null;
        if (maskActive) backend.multiply(dy, dy, mask, (long) n * width);
        return dy;
    }
}
