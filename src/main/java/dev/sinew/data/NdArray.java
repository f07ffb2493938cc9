package dev.sinew.data;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A dense array of float32 values with a shape, as numpy's {@code ndarray}: the values row-major
 * (C order), the first dimension the samples. Images are {@code (n, h, w)} or
 * {@code (n, h, w, c)}, tabular data {@code (n, features)}, labels {@code (n,)}.
 *
 * <pre>
 *   NdArray x = NdArray.of(images);          // float[n][28][28] -> shape (n, 28, 28)
 *   float[][] rows = x.rows();               // float[n][784], what Sequential.fit takes
 *   NdArray y = NdArray.labels(classes);     // int[n] -> shape (n,)
 *   int[] back = y.toIntLabels();
 * </pre>
 *
 * Every dimension is at least 1 (an empty array or a numpy scalar is an error), and all the values
 * fit one Java array. An {@code NdArray} never changes: the factories copy what they are given
 * (but {@link #wrap}), and {@link #reshape} shares the values because nobody can write them.
 */
public final class NdArray {
    /** The most values one Java array holds (a little under 2^31, as the JDK's own collections assume). */
    public static final int MAX_SIZE = Integer.MAX_VALUE - 8;

    /** Every integer of at most this magnitude is exact in float32 (24 bits of mantissa); beyond, some are not. */
    public static final int MAX_EXACT_INTEGER = 1 << 24;

    private final float[] data;
    private final int[] shape;

    private NdArray(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    // ------------------------------------------------------------------ factories

    /** Samples of {@code features} values each: shape {@code (x.length, x[0].length)}. */
    public static NdArray of(float[][] x) {
        return fromNested(x, 2);
    }

    /** As {@link #of(float[][])}, each value rounded to float32. */
    public static NdArray of(double[][] x) {
        return fromNested(x, 2);
    }

    /** Grey images: shape {@code (n, h, w)}. */
    public static NdArray of(float[][][] x) {
        return fromNested(x, 3);
    }

    /** Images with channels last, as Keras's default: shape {@code (n, h, w, c)}. */
    public static NdArray of(float[][][][] x) {
        return fromNested(x, 4);
    }

    /** Row-major values with a shape, copied: {@code of(pixels, 60000, 28, 28)}. */
    public static NdArray of(float[] flat, int... shape) {
        if (flat == null) throw new IllegalArgumentException("the values are null");
        return wrap(flat.clone(), shape);
    }

    /** As {@link #of(float[], int...)}, each value rounded to float32. */
    public static NdArray of(double[] flat, int... shape) {
        if (flat == null) throw new IllegalArgumentException("the values are null");
        float[] f = new float[flat.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) flat[i];
        return wrap(f, shape);
    }

    /**
     * As {@link #of(float[], int...)}, but the array becomes this NdArray's own, not copied: for
     * values too large to hold twice. Whoever passes it must not change it afterwards.
     */
    public static NdArray wrap(float[] flat, int... shape) {
        if (flat == null) throw new IllegalArgumentException("the values are null");
        int[] s = checkShape(shape);
        if (flat.length != sizeOf(s)) {
            throw new IllegalArgumentException("shape " + tuple(s) + " holds " + sizeOf(s) + " values, got " + flat.length);
        }
        return new NdArray(flat, s);
    }

    /** Class indices (or any integers within ±2^24): shape {@code (n,)}. */
    public static NdArray labels(int[] labels) {
        if (labels == null) throw new IllegalArgumentException("the labels are null");
        long[] l = new long[labels.length];
        for (int i = 0; i < l.length; i++) l[i] = labels[i];
        return labels(l);
    }

    /**
     * {@code long[]} labels, numpy's int64. Each must lie within ±2^24 ({@link #MAX_EXACT_INTEGER}),
     * where float32 holds every integer exactly; beyond, label 16,777,217 would silently become
     * 16,777,216.
     */
    public static NdArray labels(long[] labels) {
        if (labels == null) throw new IllegalArgumentException("the labels are null");
        if (labels.length == 0) throw new IllegalArgumentException("the labels are empty: an NdArray needs at least one value");
        float[] f = new float[labels.length];
        for (int i = 0; i < f.length; i++) {
            if (labels[i] < -MAX_EXACT_INTEGER || labels[i] > MAX_EXACT_INTEGER) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is beyond ±2^24 (" + MAX_EXACT_INTEGER
                        + "), where float32 stops holding every integer exactly");
            }
            f[i] = labels[i];
        }
        return new NdArray(f, new int[] {f.length});
    }

    // ------------------------------------------------------------------ shape

    /** The dimensions, a copy: {@code (60000, 28, 28)} is {@code {60000, 28, 28}}. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Dimension {@code dim}; negative counts from the end, as in numpy ({@code size(-1)} is the last). */
    public int size(int dim) {
        int d = dim < 0 ? dim + shape.length : dim;
        if (d < 0 || d >= shape.length) {
            throw new IllegalArgumentException("dimension " + dim + " is out of range for shape " + tuple(shape));
        }
        return shape[d];
    }

    /** All values: the product of the dimensions, numpy's {@code a.size}. */
    public int size() {
        return data.length;
    }

    /** The number of samples: the first dimension. */
    public int count() {
        return shape[0];
    }

    /** Values per sample: the product of all dimensions but the first (1 for labels). */
    public int sampleSize() {
        return data.length / shape[0];
    }

    // ------------------------------------------------------------------ values

    /** One value: {@code get(i, r, c)} of an {@code (n, h, w)} array. */
    public float get(int... index) {
        if (index == null || index.length != shape.length) {
            throw new IllegalArgumentException("an index into shape " + tuple(shape) + " has " + shape.length
                    + " coordinates, got " + (index == null ? "null" : Arrays.toString(index)));
        }
        int offset = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + index[d] + " is out of bounds for dimension " + d + " of shape "
                        + tuple(shape));
            }
            offset = offset * shape[d] + index[d];
        }
        return data[offset];
    }

    /** The values in row-major order, a copy. */
    public float[] flat() {
        return data.clone();
    }

    /** The values in row-major order, read-only and not copied: for copying large arrays elsewhere in bulk. */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(data).asReadOnlyBuffer();
    }

    /**
     * One flattened row per sample, {@code float[count()][sampleSize()]}: an {@code (n, 28, 28)}
     * array gives {@code float[n][784]}, labels {@code (n,)} give {@code float[n][1]}. This is what
     * {@code Sequential.fit(float[][], ...)} and {@link Dataset} take.
     */
    public float[][] rows() {
        int n = count(), w = sampleSize();
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) rows[i] = Arrays.copyOfRange(data, i * w, (i + 1) * w);
        return rows;
    }

    /**
     * The values as class indices, for {@code fit(x, int[] labels, ...)}: the array must have shape
     * {@code (n,)} or {@code (n, 1)} and hold integers (as {@code 3.0f}), else an error names the
     * first value that is not.
     */
    public int[] toIntLabels() {
        if (rank() > 2 || (rank() == 2 && shape[1] != 1)) {
            throw new IllegalArgumentException("labels need shape (n,) or (n, 1), got " + tuple(shape));
        }
        int[] labels = new int[data.length];
        for (int i = 0; i < labels.length; i++) {
            float v = data[i];
            // The bounds in double: (float) Integer.MAX_VALUE rounds up to 2^31, which does not fit.
            if (v != Math.rint(v) || v < (double) Integer.MIN_VALUE || v > (double) Integer.MAX_VALUE) {
                throw new IllegalArgumentException("labels[" + i + "] = " + v + " is not an integer");
            }
            labels[i] = (int) v;
        }
        return labels;
    }

    // ------------------------------------------------------------------ views

    /**
     * The same values in another shape, as numpy's {@code reshape}: one dimension may be -1, and is
     * then whatever makes the sizes agree ({@code reshape(-1, 784)}).
     */
    public NdArray reshape(int... newShape) {
        if (newShape == null || newShape.length == 0) {
            throw new IllegalArgumentException("reshape needs at least one dimension");
        }
        int[] s = newShape.clone();
        int unknown = -1;
        long known = 1;
        for (int d = 0; d < s.length; d++) {
            if (s[d] == -1 && unknown < 0) {
                unknown = d;
            } else if (s[d] < 1) {
                throw new IllegalArgumentException("cannot reshape " + tuple(shape) + " into " + tuple(newShape)
                        + ": each dimension must be positive, or one of them -1");
            } else {
                known = Math.min(known * s[d], (long) MAX_SIZE + 1); // saturate: both factors are below 2^31
            }
        }
        if (unknown >= 0 && data.length % known == 0) s[unknown] = (int) (data.length / known);
        if ((unknown >= 0 && data.length % known != 0) || (unknown < 0 && known != data.length)) {
            throw new IllegalArgumentException("cannot reshape " + tuple(shape) + " (" + data.length + " values) into "
                    + tuple(newShape));
        }
        return new NdArray(data, s);
    }

    /** Samples {@code [from, to)}: the first dimension cut, the values copied. */
    public NdArray slice(int from, int to) {
        if (from < 0 || to > count() || from >= to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") is not a non-empty range of the "
                    + count() + " samples of shape " + tuple(shape));
        }
        int[] s = shape.clone();
        s[0] = to - from;
        int w = sampleSize();
        return new NdArray(Arrays.copyOfRange(data, from * w, to * w), s);
    }

    // ------------------------------------------------------------------ object

    /** Same shape and the same values, bit for bit (so NaN equals NaN, as in {@link Arrays#equals(float[], float[])}). */
    @Override
    public boolean equals(Object o) {
        return o instanceof NdArray a && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    /** {@code NdArray(150, 4)}. */
    @Override
    public String toString() {
        return "NdArray" + tuple(shape);
    }

    // ------------------------------------------------------------------ checks

    /** A copy of {@code shape} once it is a valid one: at least one dimension, each positive, few enough values. */
    private static int[] checkShape(int[] shape) {
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException("a shape needs at least one dimension (the samples); got "
                    + (shape == null ? "null" : "()"));
        }
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("shape " + tuple(shape) + " has a dimension " + d
                        + (d == 0 ? ": empty arrays are not supported" : ""));
            }
        }
        long size = 1;
        for (int d : shape) size = Math.min(size * d, (long) MAX_SIZE + 1); // saturate, as in reshape
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("shape " + tuple(shape) + " holds more values than one Java array can ("
                    + MAX_SIZE + ")");
        }
        return shape.clone();
    }

    private static int sizeOf(int[] checkedShape) {
        int size = 1;
        for (int d : checkedShape) size *= d;
        return size;
    }

    /**
     * {@code float[][]}, {@code double[][]}, {@code float[][][]} or {@code float[][][][]} of
     * {@code rank} levels, flattened. The shape is read from the first element of each level
     * ({@code x[0]}, {@code x[0][0]}, ...); every other element must match it.
     */
    private static NdArray fromNested(Object[] x, int rank) {
        int[] shape = new int[rank];
        Object level = x;
        int[] index = new int[rank];
        for (int d = 0; d < rank; d++) {
            if (level == null) throw new IllegalArgumentException(path(index, d) + " is null");
            int length = java.lang.reflect.Array.getLength(level);
            if (length == 0) {
                throw new IllegalArgumentException(path(index, d) + " is empty: an NdArray needs at least one value in each"
                        + " dimension");
            }
            shape[d] = length;
            if (d < rank - 1) level = ((Object[]) level)[0];
        }
        int[] s = checkShape(shape);
        float[] out = new float[sizeOf(s)];
        flatten(x, 0, index, s, out, new int[1]);
        return new NdArray(out, s);
    }

    /** Copies {@code level} (at depth {@code d}, reached by {@code index[0..d)}) into {@code out} from {@code pos[0]}. */
    private static void flatten(Object level, int d, int[] index, int[] shape, float[] out, int[] pos) {
        if (level == null) throw new IllegalArgumentException(path(index, d) + " is null");
        int length = java.lang.reflect.Array.getLength(level);
        if (length != shape[d]) {
            throw new IllegalArgumentException(path(index, d) + " has " + length + (d == shape.length - 1 ? " values" : " rows")
                    + ", expected " + shape[d]);
        }
        if (level instanceof float[] f) {
            System.arraycopy(f, 0, out, pos[0], f.length);
            pos[0] += f.length;
        } else if (level instanceof double[] v) {
            for (double value : v) out[pos[0]++] = (float) value;
        } else {
            Object[] children = (Object[]) level;
            for (int i = 0; i < children.length; i++) {
                index[d] = i;
                flatten(children[i], d + 1, index, shape, out, pos);
            }
        }
    }

    /** {@code x[3][2]}: the element at depth {@code d} reached by {@code index[0..d)}. */
    private static String path(int[] index, int d) {
        StringBuilder sb = new StringBuilder("x");
        for (int i = 0; i < d; i++) sb.append('[').append(index[i]).append(']');
        return sb.toString();
    }

    /** A shape as numpy prints it: {@code (784, 150)}, {@code (10,)}. */
    private static String tuple(int[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
        return sb.append(')').toString();
    }
}
