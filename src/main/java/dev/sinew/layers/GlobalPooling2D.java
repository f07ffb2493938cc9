package dev.sinew.layers;

import dev.sinew.backend.Backend.ShardTask;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.Map;

/**
 * What {@link GlobalAveragePooling2D} and {@link GlobalMaxPooling2D} share: the shapes, Keras's
 * {@code keepdims}, the config, and the split of a batch over threads (each image is reduced on
 * its own, so each shard takes its own rows, as in {@link MaxPooling2D}).
 */
abstract class GlobalPooling2D extends Layer {
    final boolean keepdims;
    int HW, C;        // pixels per image and channels, known once built
    Tensor y, dx;     // output (capacity, C) and input gradient (capacity, HW*C)
    Tensor x, dy;     // the tensors of the call being sharded (not owned)
    private final ShardTask forwardShard = this::forwardShard, backwardShard = this::backwardShard;

    GlobalPooling2D(boolean keepdims) {
        this.keepdims = keepdims;
    }

    /** Whether the output keeps its two pooled axes, as (1, 1, C) rather than (C,). */
    public boolean keepdims() {
        return keepdims;
    }

    @Override
    protected Shape computeOutputShape(Shape in) {
        Images.require(this, in);
        HW = in.dim(0) * in.dim(1);
        C = in.dim(2);
        return keepdims ? Shape.of(1, 1, C) : Shape.of(C);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("data_format", "channels_last");
        c.put("keepdims", keepdims);
        return c;
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, C);
        dx = allocateRows(workspace, "input gradient", capacity, (long) HW * C);
    }

    /** Pools rows [from, to) of {@link #x} into those rows of {@link #y}. */
    abstract void forwardShard(int s, int from, int to);

    /** Rows [from, to) of {@link #dx} from those rows of {@link #dy}. */
    abstract void backwardShard(int s, int from, int to);

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        this.x = x;
        backend.forEachShard(n, work(n), forwardShard);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (!needInputGradient) return null;
        this.dy = dy;
        backend.forEachShard(n, work(n), backwardShard);
        return dx;
    }

    // A load and an add or comparison per input value: weighted up against a GEMM's flops, as MaxPooling2D.
    private long work(int n) {
        return 8L * n * HW * C;
    }
}
