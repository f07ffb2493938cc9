package dev.sinew.tensor;

/**
 * One weight of a model, as a row of its {@link ParameterTable}: the layer it belongs to, its
 * Keras name ({@code kernel}, {@code bias}, later {@code gamma}, {@code moving_mean}, ...), where it
 * starts in the model's weight block, its shape, and whether training updates it. Trainable weights
 * come first in the block, one contiguous run, so one fused pass updates them all; their gradients
 * sit at the same offsets in the gradient block.
 */
public record Variable(String layer, String name, long offset, Shape shape, boolean trainable) {
    public Variable {
        if (layer == null || name == null || shape == null) throw new IllegalArgumentException("a variable needs a layer, a name and a shape");
        if (offset < 0) throw new IllegalArgumentException("variable " + layer + "/" + name + ": offset " + offset + " < 0");
    }

    /** Keras's {@code variable.path}: {@code "dense_1/kernel"}. */
    public String path() {
        return layer + "/" + name;
    }

    /** Number of values. */
    public long size() {
        return shape.size();
    }
}
