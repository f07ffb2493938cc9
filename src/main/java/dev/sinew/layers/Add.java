package dev.sinew.layers;

/** Keras's {@code Add}: the elementwise sum of its inputs (a residual connection); each input's gradient is dy. */
public final class Add extends ElementwiseMerge {
    @Override
    protected void compute(Rows r, long values) {
        backend.add(r.y, r.x[0], r.x[1], values);
        for (int i = 2; i < r.x.length; i++) backend.axpy(values, 1f, r.x[i], r.y);
    }

    @Override
    protected boolean gradientIsDy() {
        return true;
    }

    @Override
    protected void gradient(int i, Rows r, long values) {
        r.dx[i].copyFrom(r.dy, values);
    }
}
