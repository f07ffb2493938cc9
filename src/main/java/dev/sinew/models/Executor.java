package dev.sinew.models;

import dev.sinew.backend.Backend;
import dev.sinew.layers.Layer;
import dev.sinew.tensor.Rows;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.List;

/**
 * Runs batches through a chain of layers with buffers of its own: the input and target copies, the
 * loss gradient (training only) and every layer's activations, sized for the largest batch seen.
 *
 * <p>A model has one training executor, over its own layers, and as many inference executors as
 * threads have predicted at once, each over copies of the layers that share the model's weights
 * (see {@code Sequential}). Layers keep per-batch state in fields, so one chain must never run two
 * batches at a time; giving each concurrent caller its own chain is what makes inference
 * thread-safe without a lock around the arithmetic.
 */
final class Executor {
    private final Backend backend;
    final List<Layer> layers;
    private final int inputWidth, outputWidth;
    private final boolean training;
    private final ModelMemory memory;

    private Workspace space;
    private int capacity;
    Tensor x, y, lossGrad;
    private Tensor target;     // y read as rows of targetWidth values (class indices: 1 per row)
    private int targetWidth;
    /** Whether the borrowing call entered the gate as a counted reader (see Sequential.enter). */
    boolean countedReader;

    // copyBatch's shard task and its arguments (fields, so a call allocates nothing).
    private float[][] copySource;
    private int copyFrom;
    private long[] nonFinite = new long[1];
    private final Backend.ShardTask copyShard = this::copyShard;

    Executor(Backend backend, List<Layer> layers, Shape inputShape, boolean training, ModelMemory memory) {
        this.backend = backend;
        this.layers = List.copyOf(layers);
        this.inputWidth = (int) inputShape.size();
        this.outputWidth = (int) layers.getLast().outputShape().size();
        this.targetWidth = outputWidth;
        this.training = training;
        this.memory = memory;
    }

    /** Makes sure every buffer holds at least {@code n} rows; grows (never shrinks) them. */
    void ensureCapacity(int n) {
        if (n <= capacity) return;
        // Free the outgrown buffers first (lower peak); if the new ones cannot be had, the executor
        // is left empty and the next call tries again: the model stays usable.
        memory.close(space);
        space = null;
        capacity = 0;
        Workspace next = memory.open();
        try {
            x = next.allocate(Shape.of(n, inputWidth));
            y = next.allocate(Shape.of(n, outputWidth));
            lossGrad = training ? next.allocate(Shape.of(n, outputWidth)) : null;
            for (Layer l : layers) l.allocate(next, n);
        } catch (RuntimeException | OutOfMemoryError e) {
            memory.close(next);
            throw e;
        }
        space = next;
        capacity = n;
        target = targetView();
    }

    /** Values per target row: the output width, or 1 when the loss takes class indices. Set by compile. */
    void setTargetWidth(int width) {
        targetWidth = width;
        if (y != null) target = targetView();
    }

    /** The target buffer as rows of {@code targetWidth} (a view of y: no allocation per batch). */
    Tensor target() {
        return target;
    }

    private Tensor targetView() {
        return targetWidth == outputWidth ? y : y.slice(0, Shape.of(capacity, targetWidth));
    }

    /** The chain's output for the first n rows of {@code in} (a buffer of the last layer). */
    Tensor forward(Tensor in, int n, boolean train) {
        Tensor h = in;
        for (Layer l : layers) h = l.forward(h, n, train);
        return h;
    }

    /**
     * Copies rows [from, to) of xs, and of ys unless it is null, into the batch buffers, then
     * rejects NaN or infinity with its position. The native scan is fast; only when it finds
     * something does the Java scan look for where. The rows of x are copied and scanned per shard:
     * a large batch (inference in batches of 1,000) spends as long on this memory-bound work as in
     * its first layer, so each thread takes its own rows; a small one stays in one piece.
     */
    void copyBatch(float[][] xs, float[][] ys, int from, int to) {
        int n = to - from;
        copySource = xs;
        copyFrom = from;
        if (nonFinite.length < backend.shards()) nonFinite = new long[backend.shards()];
        int shards;
        try {
            shards = backend.forEachShard(n, 8L * n * inputWidth, copyShard);
        } finally {
            copySource = null;
        }
        for (int s = 0; s < shards; s++) if (nonFinite[s] > 0) checkAllFinite(xs, "x");
        if (ys == null) return;
        target.copyRowsFrom(ys, from, to);
        if (backend.countNonFinite(target, (long) n * targetWidth) > 0) checkAllFinite(ys, "y");
    }

    private void copyShard(int s, int a, int b) {
        Tensor part = x.fromRow(a, inputWidth);
        part.copyRowsFrom(copySource, copyFrom + a, copyFrom + b);
        nonFinite[s] = backend.countNonFinite(part, (long) (b - a) * inputWidth);
    }

    static void checkAllFinite(float[][] rows, String what) {
        int[] at = Rows.firstNonFinite(rows);
        if (at != null) {
            throw new IllegalArgumentException(what + " contains a non-finite value (" + rows[at[0]][at[1]] + " at row "
                    + at[0] + ", column " + at[1] + "); clean or impute the data first");
        }
    }
}
