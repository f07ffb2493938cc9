package dev.sinew.layers;

import dev.sinew.tensor.Tensor;

/**
 * Keras's {@code Multiply}: the elementwise product of its inputs (e.g. a gate); the gradient of
 * input i is dy times the product of the other inputs.
 */
public final class Multiply extends ElementwiseMerge {
    @Override
    protected void compute(Rows r, long values) {
        backend.multiply(r.y, r.x[0], r.x[1], values);
        for (int i = 2; i < r.x.length; i++) backend.multiply(r.y, r.y, r.x[i], values);
    }

    @Override
    protected void gradient(int i, Rows r, long values) {
        r.dx[i].copyFrom(r.dy, values);
        for (int j = 0; j < r.x.length; j++) if (j != i) backend.multiply(r.dx[i], r.dx[i], r.x[j], values);
    }
}
