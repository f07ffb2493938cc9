package dev.sinew.layers;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backend.ShardTask;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.Arrays;
import java.util.List;

/**
 * What the elementwise merges ({@link Add}, {@link Subtract}, {@link Multiply}, {@link Average},
 * {@link Maximum}) share: inputs of one shape, an output of that shape, and a gradient buffer per
 * input (lists reused batch after batch, so a step allocates nothing).
 */
abstract class ElementwiseMerge extends Merge {
    protected Tensor y;
    protected Tensor[] dx;
    protected List<Tensor> xs; // the inputs of the last forward pass, for backward
    private List<Tensor> dxs;
    private Tensor dy;
    private boolean[] needInputGradient;
    private int passedOn; // the input handed dy itself in the last backward, or -1
    protected long size;        // values per sample
    // Per shard of the batch (one per thread): a merge is a pass over memory, and in a residual
    // network one follows every block; run on one core, the other waits.
    private Rows[] shardRows = {};
    private final ShardTask computeShard = this::computeShard, gradientShard = this::gradientShard;

    /** One shard's rows of the buffers: each tensor from the shard's first sample on. */
    protected static final class Rows {
        protected Tensor y, dy;
        protected final Tensor[] x, dx;

        private Rows(int inputs) {
            x = new Tensor[inputs];
            dx = new Tensor[inputs];
        }
    }

    /** How many inputs this merge takes, or -1 for any number from two up. */
    protected int arity() {
        return -1;
    }

    @Override
    protected Shape computeOutputShape(List<Shape> inputShapes) {
        if (arity() > 0 && inputShapes.size() != arity()) {
            throw new IllegalArgumentException(describe() + " takes exactly " + arity() + " inputs, got " + inputShapes.size());
        }
        for (Shape s : inputShapes) {
            if (!s.equals(inputShapes.getFirst())) {
                throw new IllegalArgumentException(describe() + " needs inputs of one shape, got " + shapes(inputShapes));
            }
        }
        return inputShapes.getFirst();
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        size = outputShape().size();
        int k = inputShapes().size();
        y = allocateRows(workspace, "an output", capacity, size);
        dx = new Tensor[k];
        for (int i = 0; i < k; i++) dx[i] = allocateRows(workspace, "an input gradient", capacity, size);
        dxs = Arrays.asList(new Tensor[k]);
        shardRows = new Rows[Math.min(backend.shards(), capacity)];
        for (int s = 0; s < shardRows.length; s++) shardRows[s] = new Rows(k);
    }

    @Override
    public final Tensor forward(List<Tensor> inputs, int n, boolean training) {
        xs = inputs;
        backend.forEachShard(n, Backend.memoryPass(n, size), computeShard);
        return y;
    }

    private void computeShard(int s, int from, int to) {
        compute(rows(s, from), (to - from) * size);
    }

    /** r.y from r.x over the first {@code values} values of the shard's rows. */
    protected abstract void compute(Rows r, long values);

    /** Whether every input's gradient is dy itself (Add): then one input is handed dy as it is. */
    protected boolean gradientIsDy() {
        return false;
    }

    // When gradientIsDy, the first input that wants a gradient gets dy itself, not a copy: once this
    // layer's backward runs, dy is its alone (the executor hands each gradient to one layer). The
    // others get copies, since a layer may work on its incoming gradient in place (an activation's
    // backward does). A residual network saves one pass over each block's output this way.
    @Override
    public final List<Tensor> backward(Tensor dy, int n, boolean[] needInputGradient) {
        this.dy = dy;
        this.needInputGradient = needInputGradient;
        passedOn = -1;
        if (gradientIsDy()) {
            for (int i = 0; i < dx.length && passedOn < 0; i++) if (needInputGradient[i]) passedOn = i;
        }
        boolean compute = false;
        for (int i = 0; i < dx.length; i++) compute |= needInputGradient[i] && i != passedOn;
        if (compute) backend.forEachShard(n, Backend.memoryPass(n, size), gradientShard);
        for (int i = 0; i < dx.length; i++) dxs.set(i, !needInputGradient[i] ? null : i == passedOn ? dy : dx[i]);
        return dxs;
    }

    private void gradientShard(int s, int from, int to) {
        Rows r = rows(s, from);
        r.dy = dy.fromRow(from, (int) size);
        for (int i = 0; i < dx.length; i++) if (needInputGradient[i] && i != passedOn) gradient(i, r, (to - from) * size);
    }

    /** r.dx[i] = dL/d(input i) from r.dy over the first {@code values} values of the shard's rows. */
    protected abstract void gradient(int i, Rows r, long values);

    // Shard s's views from sample `from` on (Tensor.fromRow keeps them, so a step allocates nothing).
    private Rows rows(int s, int from) {
        Rows r = shardRows[s];
        int width = (int) size;
        r.y = y.fromRow(from, width);
        for (int i = 0; i < r.x.length; i++) {
            r.x[i] = xs.get(i).fromRow(from, width);
            r.dx[i] = dx[i].fromRow(from, width);
        }
        return r;
    }
}
