package dev.sinew.tensor;

import java.util.Arrays;

/**
 * The shape of one sample (without the batch dimension), or of a weight tensor.
 *
 * <p>Keras prints a layer's output shape as {@code (None, 28, 28, 32)}; a {@code Shape} is the
 * part after {@code None}: {@code Shape.of(28, 28, 32)}. Every dimension is positive.
 */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A shape with the given dimensions; each must be positive. */
    public static Shape of(int... dims) {
        if (dims == null || dims.length == 0) {
            throw new IllegalArgumentException("a shape needs at least one dimension");
        }
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException(
                        "shape dimensions must be positive, got " + Arrays.toString(dims));
            }
        }
        // size() is a long: a product it cannot count is a bad shape, not an ArithmeticException.
        long size = 1;
        for (int d : dims) {
            if (size > Long.MAX_VALUE / d) {
                throw new IllegalArgumentException("shape " + format(dims) + " has more than " + Long.MAX_VALUE + " elements");
            }
            size *= d;
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements: the product of the dimensions. */
    public long size() {
        long s = 1;
        for (int d : dims) {
            s *= d;
        }
        return s;
    }

    /** A new shape with {@code first} in front, e.g. a batch dimension. */
    public Shape prepend(int first) {
        int[] d = new int[dims.length + 1];
        d[0] = first;
        System.arraycopy(dims, 0, d, 1, dims.length);
        return Shape.of(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Python tuple style, as Keras prints shapes: {@code (28, 28, 1)}, {@code (10,)}. */
    @Override
    public String toString() {
        return format(dims);
    }

    /** Dimensions as {@link #toString()} prints them, for messages about a shape that is not made. */
    public static String format(int... dims) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(dims[i]);
        }
        if (dims.length == 1) sb.append(',');
        return sb.append(')').toString();
    }
}
