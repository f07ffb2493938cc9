package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reshapes each sample, as Keras's {@code Reshape(target_shape)}: input {@code (batch, ...)},
 * output {@code (batch, *targetShape)}, the values in the same row-major order. One dimension may
 * be -1, inferred from the sample's size: {@code Reshape(-1, 2, 2)} on 12 values gives
 * {@code (3, 2, 2)}. No weights. Samples are stored flat, so forward and backward pass their
 * buffers through unchanged (no copy), as {@link Flatten} does.
 */
public final class Reshape extends Layer {
    private final int[] targetShape; // as given, with its -1 (the config keeps it)

    public Reshape(int... targetShape) {
        if (targetShape == null || targetShape.length == 0) {
            throw new IllegalArgumentException("Reshape needs a target shape of at least one dimension, got "
                    + (targetShape == null ? "null" : "()"));
        }
        int unknown = 0;
        for (int d : targetShape) {
            if (d == -1) unknown++;
            else if (d <= 0) {
                throw new IllegalArgumentException("Reshape target_shape dimensions must be positive, or -1 for a single"
                        + " unknown dimension, got target_shape=" + Shape.format(targetShape));
            }
        }
        if (unknown > 1) {
            throw new IllegalArgumentException("Reshape target_shape may have at most one unknown dimension (-1), got"
                    + " target_shape=" + Shape.format(targetShape));
        }
        this.targetShape = targetShape.clone();
    }

    /** The target shape as given (a -1 stays -1). */
    public int[] targetShape() {
        return targetShape.clone();
    }

    @Override
    protected Shape computeOutputShape(Shape in) {
        long size = in.size(), known = 1; // known: the product of the given dimensions (saturating)
        int unknownAt = -1;
        for (int i = 0; i < targetShape.length; i++) {
            if (targetShape[i] == -1) unknownAt = i;
            else known = known > Long.MAX_VALUE / targetShape[i] ? Long.MAX_VALUE : known * targetShape[i];
        }
        String cannot = describe() + " cannot reshape " + in + " (" + size + " values per sample) to "
                + Shape.format(targetShape);
        if (unknownAt < 0) {
            if (known != size) throw new IllegalArgumentException(cannot + ": the total size must be unchanged");
            return Shape.of(targetShape);
        }
        if (size % known != 0) {
            throw new IllegalArgumentException(cannot + ": " + size + " is not a multiple of " + known
                    + ", the product of the other dimensions");
        }
        if (size / known > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(cannot + ": the unknown dimension would be " + size / known
                    + ", beyond the int range");
        }
        int[] out = targetShape.clone();
        out[unknownAt] = (int) (size / known);
        return Shape.of(out);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        List<Long> shape = new ArrayList<>();
        for (int d : targetShape) shape.add((long) d);
        c.put("target_shape", shape);
        return c;
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {}

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        return x;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        return needInputGradient ? dy : null;
    }
}
