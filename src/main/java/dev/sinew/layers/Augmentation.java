package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * What the image augmentation layers share, as Keras 3's preprocessing layers: during training each
 * image gets its own random affine map (drawn by the subclass) applied by one bilinear warp kernel;
 * at inference the layer is the identity. The maps come from a generator seeded from the model's
 * seed (or the layer's own), so seeded training is reproducible. Augmentation has no weights and
 * passes no gradient to its input: put it before the trainable layers, right after the Input.
 *
 * <p>Consecutive augmentation layers resample once, not once each: every bilinear resampling
 * blurs a little, and three in a row would teach the network blurrier images than it will see at
 * inference. Each layer composes its map with the one before it, and only the last of the run
 * warps the original image by the composition.
 */
public abstract class Augmentation extends Layer {
    private final Long fixedSeed;
    private long seed, step; // batch `step` draws its maps from a generator seeded by (seed, step)
    private int H, W, C;
    private Tensor y, transforms; // transforms: this layer's map composed with its predecessors'
    private Augmentation previous; // the augmentation layer right before this one, if any
    private boolean last = true;   // whether this layer ends its run of augmentation layers

    protected Augmentation(Long seed) {
        this.fixedSeed = seed;
    }

    /**
     * Writes the map for one image into {@code t} = {a, b, c, d, ty, tx}: output pixel p (relative
     * to the image centre) samples the input at [[a, b], [c, d]] p + centre + (ty, tx).
     */
    protected abstract void draw(RandomGenerator rng, int height, int width, float[] t);

    @Override
    protected Shape computeOutputShape(Shape in) {
        Images.require(this, in);
        H = in.dim(0);
        W = in.dim(1);
        C = in.dim(2);
        return in;
    }

    /** Called by the model when {@code next} is added right after this layer: the two warp as one. */
    public void chain(Augmentation next) {
        next.previous = this;
        this.last = false;
    }

    @Override
    public void initializeWeights(RandomGenerator modelRng) {
        seed = fixedSeed != null ? fixedSeed : modelRng.nextLong();
        step = 0;
    }

    /**
     * {seed, batches drawn}: each training batch's maps come from a generator seeded by both, so
     * a model saved mid-training and loaded draws exactly what it would have drawn.
     */
    @Override
    public long[] rngState() {
        return new long[] {seed, step};
    }

    @Override
    public void setRngState(long[] state) {
        requireRngState(state, 2);
        seed = state[0];
        step = state[1];
    }

    @Override
    public void followRandomState(Layer original, int application) {
        Augmentation o = (Augmentation) original;
        seed = applicationSeed(o.seed, application);
        step = o.step;
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, (long) H * W * C);
        transforms = allocateRows(workspace, "transforms", capacity, 6);
    }

    private final float[] t = new float[6];

    private final float[] p = new float[6];

    // x is the original image for every layer of a run (the earlier ones pass it through); the
    // last one warps it by T_first o ... o T_last, the point where its output pixel is sampled.
    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        if (!training) return x;
        SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * ++step));
        for (int i = 0; i < n; i++) {
            draw(rng, H, W, t);
            if (previous != null) {
                for (int k = 0; k < 6; k++) p[k] = previous.transforms.get(6L * i + k);
                compose(p, t);
            }
            for (int k = 0; k < 6; k++) transforms.set(6L * i + k, t[k]);
        }
        if (!last) return x;
        backend.affineWarp(y, x, transforms, n, H, W, C);
        return y;
    }

    /** The first image of the last training forward's output (for tests and debugging). */
    public float[] lastOutput() {
        float[] out = new float[H * W * C];
        for (int i = 0; i < out.length; i++) out[i] = y.get(i);
        return out;
    }

    /**
     * t := p o t for maps q = M q' + v in centred (row, column) coordinates:
     * (p o t)(q) = Mp (Mt q + vt) + vp.
     */
    static void compose(float[] p, float[] t) {
        float a = p[0] * t[0] + p[1] * t[2], b = p[0] * t[1] + p[1] * t[3];
        float c = p[2] * t[0] + p[3] * t[2], d = p[2] * t[1] + p[3] * t[3];
        float ty = p[0] * t[4] + p[1] * t[5] + p[4], tx = p[2] * t[4] + p[3] * t[5] + p[5];
        t[0] = a;
        t[1] = b;
        t[2] = c;
        t[3] = d;
        t[4] = ty;
        t[5] = tx;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (needInputGradient) {
            throw new IllegalStateException(describe() + " passes no gradient to its input; put augmentation layers"
                    + " before every trainable layer (right after the Input)");
        }
        return null;
    }

    /**
     * Fills {@code t} with the map of a rotation by {@code angle} radians about the centre,
     * counter-clockwise on screen for a positive angle (as Keras), rows running downwards.
     */
    public static void rotation(double angle, float[] t) {
        // In (row, column) coordinates with rows pointing down, sampling the input at
        // [[cos, sin], [-sin, cos]] p turns the picture counter-clockwise by angle.
        double cos = Math.cos(angle), sin = Math.sin(angle);
        t[0] = (float) cos;
        t[1] = (float) sin;
        t[2] = (float) -sin;
        t[3] = (float) cos;
        t[4] = 0;
        t[5] = 0;
    }

    /** Fills {@code t} with the map that shifts the image by (dh, dw) pixels (down and right when positive). */
    public static void translation(double dh, double dw, float[] t) {
        t[0] = 1;
        t[1] = 0;
        t[2] = 0;
        t[3] = 1;
        t[4] = (float) -dh;
        t[5] = (float) -dw;
    }

    /**
     * Fills {@code t} with a mirror about the centre: top and bottom swap when {@code rows}, left and
     * right when {@code columns}; neither gives the identity.
     */
    public static void flip(boolean rows, boolean columns, float[] t) {
        t[0] = rows ? -1 : 1;
        t[1] = 0;
        t[2] = 0;
        t[3] = columns ? -1 : 1;
        t[4] = 0;
        t[5] = 0;
    }

    /** Fills {@code t} with a zoom: each output pixel samples the input (1 + zh, 1 + zw) times as far from the centre. */
    public static void zoom(double zh, double zw, float[] t) {
        t[0] = (float) (1 + zh);
        t[1] = 0;
        t[2] = 0;
        t[3] = (float) (1 + zw);
        t[4] = 0;
        t[5] = 0;
    }
}
