package dev.sinew.layers;

import dev.sinew.tensor.Tensor;

/** Keras's {@code Average}: the elementwise mean of its k inputs; each input's gradient is dy / k. */
public final class Average extends ElementwiseMerge {
    @Override
    protected void compute(Rows r, long values) {
        r.y.copyFrom(r.x[0], values);
        for (int i = 1; i < r.x.length; i++) backend.axpy(values, 1f, r.x[i], r.y);
        backend.scale(r.y, values, 1f / r.x.length);
    }

    @Override
    protected void gradient(int i, Rows r, long values) {
        r.dx[i].copyFrom(r.dy, values);
        backend.scale(r.dx[i], values, 1f / r.dx.length);
    }
}
