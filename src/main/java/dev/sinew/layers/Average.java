package dev.sinew.layers;

import dev.sinew.tensor.Tensor;

/** Keras's {@code Average}: the elementwise mean of its k inputs; each input's gradient is dy / k. */
public final class Average extends ElementwiseMerge {
    @Override
    protected void compute(long values) {
        y.copyFrom(xs.getFirst(), values);
        for (int i = 1; i < xs.size(); i++) backend.axpy(values, 1f, xs.get(i), y);
        backend.scale(y, values, 1f / xs.size());
    }

    @Override
    protected void gradient(int i, Tensor dy, long values) {
        dx[i].copyFrom(dy, values);
        backend.scale(dx[i], values, 1f / dx.length);
    }
}
