package dev.sinew.layers;

import dev.sinew.tensor.Tensor;

/** Keras's {@code Subtract}: x0 - x1 for exactly two inputs; gradients dy and -dy. */
public final class Subtract extends ElementwiseMerge {
    @Override
    protected int arity() {
        return 2;
    }

    @Override
    protected void compute(long values) {
        y.copyFrom(xs.get(0), values);
        backend.axpy(values, -1f, xs.get(1), y);
    }

    @Override
    protected void gradient(int i, Tensor dy, long values) {
        dx[i].copyFrom(dy, values);
        if (i == 1) backend.scale(dx[i], values, -1f);
    }
}
