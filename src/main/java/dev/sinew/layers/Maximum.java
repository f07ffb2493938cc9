package dev.sinew.layers;

import dev.sinew.tensor.Tensor;

/**
 * Keras's {@code Maximum}: the elementwise maximum of its inputs. The gradient goes to the input
 * that holds the maximum, the first one on ties (as the pairwise maximum Keras reduces with
 * passes it to its left operand). Computed in Java: a comparison per value, the same on both backends.
 */
public final class Maximum extends ElementwiseMerge {
    @Override
    protected void compute(long values) {
        y.copyFrom(xs.getFirst(), values);
        for (int i = 1; i < xs.size(); i++) {
            Tensor x = xs.get(i);
            for (long v = 0; v < values; v++) if (x.get(v) > y.get(v)) y.set(v, x.get(v));
        }
    }

    @Override
    protected void gradient(int i, Tensor dy, long values) {
        for (long v = 0; v < values; v++) dx[i].set(v, winner(v) == i ? dy.get(v) : 0f);
    }

    /** The first input holding the maximum at value v. */
    private int winner(long v) {
        float best = y.get(v);
        for (int i = 0; i < xs.size(); i++) if (xs.get(i).get(v) == best) return i;
        return 0; // NaN: no input equals it
    }
}
