package dev.sinew.layers;

import dev.sinew.tensor.Tensor;

/**
 * Keras's {@code Maximum}: the elementwise maximum of its inputs. The gradient goes to the input
 * that holds the maximum, the first one on ties (as the pairwise maximum Keras reduces with
 * passes it to its left operand). Computed in Java: a comparison per value, the same on both backends.
 */
public final class Maximum extends ElementwiseMerge {
    @Override
    protected void compute(Rows r, long values) {
        r.y.copyFrom(r.x[0], values);
        for (int i = 1; i < r.x.length; i++) {
            Tensor x = r.x[i];
            for (long v = 0; v < values; v++) if (x.get(v) > r.y.get(v)) r.y.set(v, x.get(v));
        }
    }

    @Override
    protected void gradient(int i, Rows r, long values) {
        for (long v = 0; v < values; v++) r.dx[i].set(v, winner(r, v) == i ? r.dy.get(v) : 0f);
    }

    /** The first input holding the maximum at value v. */
    private static int winner(Rows r, long v) {
        float best = r.y.get(v);
        for (int i = 0; i < r.x.length; i++) if (r.x[i].get(v) == best) return i;
        return 0; // NaN: no input equals it
    }
}
