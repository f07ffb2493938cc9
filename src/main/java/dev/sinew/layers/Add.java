package dev.sinew.layers;

import dev.sinew.tensor.Tensor;

/** Keras's {@code Add}: the elementwise sum of its inputs (a residual connection); each input's gradient is dy. */
public final class Add extends ElementwiseMerge {
    @Override
    protected void compute(long values) {
        y.copyFrom(xs.getFirst(), values);
        for (int i = 1; i < xs.size(); i++) backend.axpy(values, 1f, xs.get(i), y);
    }

    @Override
    protected void gradient(int i, Tensor dy, long values) {
        dx[i].copyFrom(dy, values);
    }
}
