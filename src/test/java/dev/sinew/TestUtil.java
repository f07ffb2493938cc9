package dev.sinew;

import java.util.SplittableRandom;

/** Random data and error measures shared by the tests. */
public final class TestUtil {
    private TestUtil() {}

    public static float[][] uniform(SplittableRandom rng, int rows, int cols, double lo, double hi) {
        float[][] x = new float[rows][cols];
        for (float[] r : x) for (int c = 0; c < cols; c++) r[c] = (float) rng.nextDouble(lo, hi);
        return x;
    }

    public static float[] uniform(SplittableRandom rng, int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextDouble(lo, hi);
        return x;
    }

    /** Rows that are one-hot at a random class. */
    public static float[][] oneHot(SplittableRandom rng, int rows, int classes) {
        float[][] y = new float[rows][classes];
        for (float[] r : y) r[rng.nextInt(classes)] = 1f;
        return y;
    }

    /**
     * Normwise relative error max_i |a_i - b_i| / max_i |b_i| (b is the trusted side); with a
     * floor on the denominator so an all-zero reference compares absolutely.
     */
    public static double relativeError(float[] a, float[] b, double floor) {
        if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - b[i]));
            maxRef = Math.max(maxRef, Math.abs(b[i]));
        }
        return maxDiff / Math.max(maxRef, floor);
    }

    public static double relativeError(double[] a, double[] b, double floor) {
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            maxRef = Math.max(maxRef, Math.abs(b[i]));
        }
        return maxDiff / Math.max(maxRef, floor);
    }

    public static float[] flatten(float[][] rows) {
        int w = rows[0].length;
        float[] out = new float[rows.length * w];
        for (int r = 0; r < rows.length; r++) System.arraycopy(rows[r], 0, out, r * w, w);
        return out;
    }

    /** "Is it a shoe?": Fashion-MNIST's sandal (5), sneaker (7) and ankle boot (9) are 1, the rest 0. */
    public static dev.sinew.data.Dataset shoes(dev.sinew.data.Dataset d) {
        int[] labels = d.labels();
        float[][] y = new float[labels.length][1];
        for (int i = 0; i < labels.length; i++) y[i][0] = labels[i] == 5 || labels[i] == 7 || labels[i] == 9 ? 1 : 0;
        return new dev.sinew.data.Dataset(d.x(), y);
    }
}
