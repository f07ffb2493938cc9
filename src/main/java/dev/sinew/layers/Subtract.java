package dev.sinew.layers;

import dev.sinew.tensor.Tensor;

/** Keras's {@code Subtract}: x0 - x1 for exactly two inputs; gradients dy and -dy. */
public final class Subtract extends ElementwiseMerge {
    @Override
    protected int arity() {
        return 2;
    }

    @Override
    protected void compute(Rows r, long values) {
        r.y.copyFrom(r.x[0], values);
        backend.axpy(values, -1f, r.x[1], r.y);
    }

    @Override
    protected void gradient(int i, Rows r, long values) {
        r.dx[i].copyFrom(r.dy, values);
        if (i == 1) backend.scale(r.dx[i], values, -1f);
    }
}
