package dev.sinew.models;

import dev.sinew.backend.Backend;
import dev.sinew.layers.Layer;
import dev.sinew.layers.Merge;
import dev.sinew.tensor.Rows;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.List;

/**
 * Runs batches through a model's graph with buffers of its own: the input and target copies, the
 * loss gradient (training only), every layer's activations, and the sums of gradients where one
 * output feeds several layers; all sized for the largest batch seen.
 *
 * <p>The graph is a list of nodes in an order where every node comes after its inputs (a
 * Sequential model is a chain). Forward runs them in that order; backward runs them in reverse,
 * skipping every node upstream of which no weight is trained (as a chain skips the layers before
 * its first weights), and adds the gradients that reach one output from several consumers.
 *
 * <p>A model has one training executor, over its own layers, and as many inference executors as
 * threads have predicted at once, each over copies of the layers that share the model's weights
 * (see {@code Model}). Layers keep per-batch state in fields, so one chain must never run two
 * batches at a time; giving each concurrent caller its own chain is what makes inference
 * thread-safe without a lock around the arithmetic.
 */
final class Executor {
    private final Backend backend;
    final List<Layer> layers;   // one per node: the layer instance this executor runs there
    private final int[][] inputs; // per node: the nodes it reads, -1 for the model's input
    private final int output;    // the node whose output is the model's
    private final boolean[] wantsGrad;   // some weight at or upstream of the node is trained
    private final boolean[][] needInput; // per node and input: that input wants its gradient
    private final int[] consumers;       // how many (node, input) pairs read each node's output
    private final Tensor[] outs, grads;
    private final Tensor[] sums;         // per node read more than once: its gradient's sum
    private final int[] received;
    private final List<Tensor>[] mergeInputs; // per merge node, a list reused by every forward
    private final int inputWidth, outputWidth;
    private final boolean training;
    private final ModelMemory memory;

    private Workspace space;
    private int capacity;
    Tensor x, y, lossGrad;
    private Tensor target;     // y read as rows of targetWidth values (class indices: 1 per row)
    private int targetWidth;
    /** Whether the borrowing call entered the gate as a counted reader (see Model.enter). */
    boolean countedReader;

    // copyBatch's shard task and its arguments (fields, so a call allocates nothing).
    private float[][] copySource;
    private int copyFrom;
    private long[] nonFinite = new long[1];
    private final Backend.ShardTask copyShard = this::copyShard;

    Executor(Backend backend, List<Layer> layers, int[][] inputs, int output, Shape inputShape, boolean training,
            ModelMemory memory) {
        this.backend = backend;
        this.layers = List.copyOf(layers);
        this.inputs = inputs;
        this.output = output;
        int nodes = layers.size();
        wantsGrad = new boolean[nodes];
        needInput = new boolean[nodes][];
        consumers = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            boolean upstream = false;
            needInput[i] = new boolean[inputs[i].length];
            for (int k = 0; k < inputs[i].length; k++) {
                int j = inputs[i][k];
                if (j >= 0) {
                    consumers[j]++;
                    needInput[i][k] = wantsGrad[j];
                    upstream |= wantsGrad[j];
                }
            }
            wantsGrad[i] = upstream || layers.get(i).trainableParameterCount() > 0;
        }
        outs = new Tensor[nodes];
        grads = new Tensor[nodes];
        sums = new Tensor[nodes];
        received = new int[nodes];
        @SuppressWarnings("unchecked")
        List<Tensor>[] lists = new List[nodes];
        for (int i = 0; i < nodes; i++) {
            if (layers.get(i) instanceof Merge) lists[i] = java.util.Arrays.asList(new Tensor[inputs[i].length]);
        }
        mergeInputs = lists;
        this.inputWidth = (int) inputShape.size();
        this.outputWidth = (int) layers.get(output).outputShape().size();
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
            for (int j = 0; j < sums.length; j++) {
                sums[j] = training && consumers[j] > 1 && wantsGrad[j]
                        ? next.allocate(Shape.of(n, (int) layers.get(j).outputShape().size())) : null;
            }
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

    /** The model's output for the first n rows of {@code in} (a buffer of the output node's layer). */
    Tensor forward(Tensor in, int n, boolean train) {
        for (int i = 0; i < outs.length; i++) {
            Layer l = layers.get(i);
            int[] from = inputs[i];
            if (l instanceof Merge m) {
                List<Tensor> xs = mergeInputs[i];
                for (int k = 0; k < from.length; k++) xs.set(k, from[k] < 0 ? in : outs[from[k]]);
                outs[i] = m.forward(xs, n, train);
            } else {
                outs[i] = l.forward(from[0] < 0 ? in : outs[from[0]], n, train);
            }
        }
        return outs[output];
    }

    /**
     * Backward from dL/d(output) in {@code lossGrad}: every node that some trained weight is at or
     * upstream of gets the gradient of its output and stores its weights' gradients.
     */
    void backward(Tensor lossGrad, int n) {
        java.util.Arrays.fill(grads, null);
        java.util.Arrays.fill(received, 0);
        grads[output] = lossGrad;
        for (int i = outs.length - 1; i >= 0; i--) {
            if (!wantsGrad[i] || grads[i] == null) continue;
            Layer l = layers.get(i);
            if (l instanceof Merge m) {
                List<Tensor> dxs = m.backward(grads[i], n, needInput[i]);
                for (int k = 0; k < inputs[i].length; k++) if (needInput[i][k]) deliver(inputs[i][k], dxs.get(k), n);
            } else {
                Tensor dx = l.backward(grads[i], n, needInput[i][0]);
                if (needInput[i][0]) deliver(inputs[i][0], dx, n);
            }
        }
    }

    /** Node j's output gradient gets dx: as it is when one layer reads j, else added up in j's sum. */
    private void deliver(int j, Tensor dx, int n) {
        if (consumers[j] == 1) {
            grads[j] = dx;
            return;
        }
        long values = (long) n * layers.get(j).outputShape().size();
        if (received[j]++ == 0) {
            sums[j].segment().asSlice(0, values * Tensor.BYTES).copyFrom(dx.segment().asSlice(0, values * Tensor.BYTES));
        } else {
            backend.axpy(values, 1f, dx, sums[j]);
        }
        grads[j] = sums[j];
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
