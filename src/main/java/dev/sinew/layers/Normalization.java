package dev.sinew.layers;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * What {@link BatchNormalization} and {@link LayerNormalization} share: the normalised axis (Sinew
 * supports the last one only, channels last, given as Keras allows it), epsilon, and the optional
 * affine weights gamma (ones, when {@code scale}) and beta (zeros, when {@code center}) of one
 * value per channel, first among the layer's weights.
 */
abstract class Normalization extends Layer {
    protected final int axis;
    protected final double epsilon;
    protected final boolean center, scale;
    protected final float eps; // epsilon as the kernels take it

    protected int channels, positions, width; // C; values per sample / C (h*w, or 1); values per sample
    protected Tensor gamma, beta, dGamma, dBeta; // null when not used

    protected Normalization(int axis, double epsilon, boolean center, boolean scale) {
        if (!(epsilon >= 0 && Double.isFinite(epsilon))) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " epsilon must be finite and >= 0, got epsilon=" + epsilon);
        }
        this.axis = axis;
        this.epsilon = epsilon;
        this.center = center;
        this.scale = scale;
        this.eps = (float) epsilon;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    protected Shape computeOutputShape(Shape in) {
        channels = lastAxis(this, axis, in);
        width = requireFits("input", in, " per sample");
        positions = width / channels;
        return in;
    }

    @Override
    public List<Shape> weightShapes() {
        List<Shape> s = new ArrayList<>();
        for (int i = 0; i < weightNames().size(); i++) s.add(Shape.of(channels));
        return s;
    }

    /** gamma and beta when used, then {@link #stateNames()}. */
    @Override
    public List<String> weightNames() {
        List<String> names = new ArrayList<>();
        if (scale) names.add("gamma");
        if (center) names.add("beta");
        names.addAll(stateNames());
        return names;
    }

    /** Weights after gamma and beta that no gradient touches (none here). */
    protected List<String> stateNames() {
        return List.of();
    }

    /** Binds gamma and beta (those used); returns the index of the first weight after them. */
    protected int bindAffine(List<Tensor> weights, List<Tensor> gradients) {
        int k = 0;
        gamma = scale ? weights.get(k) : null;
        dGamma = scale ? gradients.get(k++) : null;
        beta = center ? weights.get(k) : null;
        dBeta = center ? gradients.get(k++) : null;
        return k;
    }

    @Override
    public void bindWeights(List<Tensor> weights, List<Tensor> gradients) {
        bindAffine(weights, gradients);
    }

    @Override
    public void initializeWeights(RandomGenerator rng) {
        if (gamma != null) Initializers.ones(gamma);
        if (beta != null) Initializers.zeros(beta);
    }

    /** The layer's config after its axis: epsilon, center, scale. */
    protected void putAffine(Map<String, Object> c) {
        c.put("epsilon", epsilon);
        c.put("center", center);
        c.put("scale", scale);
    }

    /** About the floating-point operations of a pass over n samples: whether splitting the batch pays. */
    protected long work(int n) {
        return Backend.memoryPass(n, width);
    }

    /**
     * Checks that {@code axis} names the last axis of {@code in} (a sample's shape): -1, or its index
     * counted as Keras counts it, with the batch axis first (3 for images of shape (h, w, c));
     * returns that axis's length, the number of channels.
     */
    static int lastAxis(Layer layer, int axis, Shape in) {
        int last = in.rank();
        if (axis != -1 && axis != last) {
            throw new IllegalArgumentException(layer.describe() + " normalises the last axis only: axis=-1 or axis="
                    + last + " for input of shape " + in + " per sample (the batch axis is 0), got axis=" + axis);
        }
        return in.dim(in.rank() - 1);
    }

    /**
     * The axis from a saved config: an integer, or a list of one integer (Keras writes
     * LayerNormalization's axis as a list once built, e.g. {@code [3]}).
     */
    static int axisOf(Object value, String layer) {
        Object v = value;
        if (value instanceof List<?> l) {
            if (l.size() != 1) {
                throw new IllegalArgumentException(layer + " normalises one axis, the last; got axis=" + value);
            }
            v = l.get(0);
        }
        long a = Layers.integer(v, "layer config 'axis'");
        if (a < Integer.MIN_VALUE || a > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("layer config 'axis' = " + a + " is beyond the int range");
        }
        return (int) a;
    }
}
