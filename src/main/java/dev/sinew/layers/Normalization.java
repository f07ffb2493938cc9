package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import java.util.List;

/**
 * What {@link BatchNormalization} and {@link LayerNormalization} share: the normalised axis, which
 * Sinew supports as the last one only (channels last), given as Keras allows it.
 */
final class Normalization {
    private Normalization() {}

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
