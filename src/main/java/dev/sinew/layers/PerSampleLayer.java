package dev.sinew.layers;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backend.ShardTask;
import dev.sinew.tensor.Tensor;

/**
 * A layer without weights whose samples are independent (pooling, padding, permuting): its forward
 * and backward passes run per shard of the batch, each shard on its own rows. Such a pass is memory
 * traffic, a load and a store or two per value, and run on one core the other would wait.
 * Subclasses allocate {@link #y} and {@link #dx} and say what a shard does.
 */
abstract class PerSampleLayer extends Layer {
    protected Tensor y, dx; // output and input gradient (capacity rows)
    protected Tensor x, dy; // the tensors of the call being sharded (not owned)
    private final ShardTask forwardShard = this::forwardShard, backwardShard = this::backwardShard;

    /** Rows [from, to) of {@link #y} from those rows of {@link #x}. */
    protected abstract void forwardShard(int s, int from, int to);

    /** Rows [from, to) of {@link #dx} from those rows of {@link #dy} (and what forward kept). */
    protected abstract void backwardShard(int s, int from, int to);

    /** The values a pass touches per sample: the larger of input and output. */
    protected abstract long valuesPerSample();

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        this.x = x;
        backend.forEachShard(n, Backend.memoryPass(n, valuesPerSample()), forwardShard);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (!needInputGradient) return null;
        this.dy = dy;
        backend.forEachShard(n, Backend.memoryPass(n, valuesPerSample()), backwardShard);
        return dx;
    }
}
