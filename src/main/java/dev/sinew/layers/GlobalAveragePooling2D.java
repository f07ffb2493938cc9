package dev.sinew.layers;

/**
 * Global average pooling, as Keras's {@code GlobalAveragePooling2D(keepdims=False)}: each
 * channel's mean over all pixels of the image, {@code y[c] = mean over (h, w) of x[h, w, c]}.
 * Input {@code (batch, H, W, C)} (channels last); output {@code (batch, C)}, or
 * {@code (batch, 1, 1, C)} with {@code keepdims}. No weights. The gradient spreads evenly: every
 * pixel gets {@code dy[c] / (H*W)}. Usually the head of a modern CNN, in place of Flatten: the
 * output no longer grows with the image.
 */
public final class GlobalAveragePooling2D extends GlobalPooling2D {
    public GlobalAveragePooling2D() {
        this(false);
    }

    public GlobalAveragePooling2D(boolean keepdims) {
        super(keepdims);
    }

    @Override
    protected void forwardShard(int s, int from, int to) {
        backend.globalAvgPool(y.fromRow(from, C), x.fromRow(from, HW * C), to - from, HW, C);
    }

    @Override
    protected void backwardShard(int s, int from, int to) {
        backend.globalAvgPoolBackward(dx.fromRow(from, HW * C), dy.fromRow(from, C), to - from, HW, C);
    }
}
