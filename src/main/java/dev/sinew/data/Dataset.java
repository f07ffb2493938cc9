package dev.sinew.data;

import dev.sinew.tensor.Rows;
import java.util.SplittableRandom;

/**
 * Samples and their targets: {@code x[i]} is one flattened sample (an image row of 28*28*1
 * values), {@code y[i]} its target (one-hot for classification). Views ({@link #slice},
 * {@link #shuffled}) share the row arrays, so splitting 60,000 images copies no pixels.
 */
public record Dataset(float[][] x, float[][] y) {

    public Dataset {
        if (x == null || y == null) throw new IllegalArgumentException("a data set needs both x and y");
        if (x.length == 0) throw new IllegalArgumentException("the data set is empty: it has no samples");
        if (x.length != y.length) {
            throw new IllegalArgumentException("x has " + x.length + " samples but y has " + y.length);
        }
        Rows.width(x, "x");
        Rows.width(y, "y");
    }

    public int size() {
        return x.length;
    }

    /** Values per sample. */
    public int features() {
        return x[0].length;
    }

    /** Values per target (classes, for one-hot targets). */
    public int targets() {
        return y[0].length;
    }

    /** Samples {@code [from, to)}, sharing rows. */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") is not a non-empty range of a data set of "
                    + size());
        }
        return new Dataset(java.util.Arrays.copyOfRange(x, from, to), java.util.Arrays.copyOfRange(y, from, to));
    }

    /** The same samples in an order fixed by {@code seed} (Fisher-Yates), sharing rows. */
    public Dataset shuffled(long seed) {
        int[] order = permutation(size(), new SplittableRandom(seed));
        float[][] xs = new float[size()][], ys = new float[size()][];
        for (int i = 0; i < order.length; i++) {
            xs[i] = x[order[i]];
            ys[i] = y[order[i]];
        }
        return new Dataset(xs, ys);
    }

    /** A uniformly random permutation of 0..n-1. */
    public static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        shuffle(p, rng);
        return p;
    }

    /** Fisher-Yates in place. */
    public static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** The class of each sample: the argmax of its target row. */
    public int[] labels() {
        int[] labels = new int[size()];
        for (int i = 0; i < size(); i++) {
            float[] r = y[i];
            int best = 0;
            for (int c = 1; c < r.length; c++) if (r[c] > r[best]) best = c;
            labels[i] = best;
        }
        return labels;
    }
}
