package dev.sinew.layers;

import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;

/**
 * Global max pooling, as Keras's {@code GlobalMaxPooling2D(keepdims=False)}: each channel's
 * maximum over all pixels of the image, {@code y[c] = max over (h, w) of x[h, w, c]}. Input
 * {@code (batch, H, W, C)} (channels last); output {@code (batch, C)}, or {@code (batch, 1, 1, C)}
 * with {@code keepdims}. No weights. The position of each maximum is kept (the first one, on a
 * tie), so backward routes each channel's gradient to the one pixel that produced it.
 */
public final class GlobalMaxPooling2D extends GlobalPooling2D {
    private Tensor argmax; // (capacity, C), int32 storage: each maximum's index h*W*C + w*C + c

    public GlobalMaxPooling2D() {
        this(false);
    }

    public GlobalMaxPooling2D(boolean keepdims) {
        super(keepdims);
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        super.allocate(workspace, capacity);
        argmax = allocateRows(workspace, "argmax", capacity, C);
    }

    @Override
    protected void forwardShard(int s, int from, int to) {
        backend.globalMaxPool(y.fromRow(from, C), argmax.fromRow(from, C), x.fromRow(from, HW * C), to - from, HW, C);
    }

    @Override
    protected void backwardShard(int s, int from, int to) {
        backend.globalMaxPoolBackward(dx.fromRow(from, HW * C), dy.fromRow(from, C), argmax.fromRow(from, C), to - from,
                HW, C);
    }
}
