package dev.sinew.layers;

import dev.sinew.tensor.Tensor;

/**
 * Keras's {@code Multiply}: the elementwise product of its inputs (e.g. a gate); the gradient of
 * input i is dy times the product of the other inputs.
 */
public final class Multiply extends ElementwiseMerge {
    @Override
    protected void compute(long values) {
        backend.multiply(y, xs.get(0), xs.get(1), values);
        for (int i = 2; i < xs.size(); i++) backend.multiply(y, y, xs.get(i), values);
    }

    @Override
    protected void gradient(int i, Tensor dy, long values) {
        dx[i].copyFrom(dy, values);
        for (int j = 0; j < xs.size(); j++) if (j != i) backend.multiply(dx[i], dx[i], xs.get(j), values);
    }
}
