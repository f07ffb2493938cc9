package dev.sinew.models;

import dev.sinew.backend.Backend;
import dev.sinew.layers.Layer;
import dev.sinew.layers.Merge;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.List;

/**
 * Runs batches through a model's graph with buffers of its own: a copy of each input and each
 * target (its {@link BatchLoader}), each output's loss gradient (training only), every layer's
 * activations, and the sums of gradients where one output feeds several layers; all sized for the
 * largest batch seen.
 *
 * <p>The graph is a list of nodes in an order where every node comes after its inputs (a
 * Sequential model is a chain); a node reads model input k as {@code -1 - k}. Forward runs them in
 * that order; backward runs them in reverse, skipping every node upstream of which no weight is
 * trained (as a chain skips the layers before its first weights), and adds the gradients that
 * reach one output from several consumers. A model output's loss counts as one more consumer of
 * its node, so an output that also feeds other layers gets the sum of its loss gradient and theirs.
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
    private final int[][] inputs; // per node: the nodes it reads, -1 - k for the model's input k
    private final int[] outputs;  // per model output: the node whose output it is
    private final boolean[] wantsGrad;   // some weight at or upstream of the node is trained
    private final boolean[][] needInput; // per node and input: that input wants its gradient
    private final int[] consumers;       // how many (node, input) pairs and losses read each node's output
    private final Tensor[] outs, grads;
    private final Tensor[] sums;         // per node read more than once: its gradient's sum
    private final int[] received;
    private final List<Tensor>[] mergeInputs; // per merge node, a list reused by every forward
    private final boolean training;
    private final ModelMemory memory;

    private Workspace space;
    private int capacity;
    private int shards; // the backend's shard count the buffers were sized for (layers keep per-shard ones)
    /** Each input's and target's batch buffer, filled from Java arrays. */
    final BatchLoader batch;
    /** Per model output (training), the loss gradient. */
    final Tensor[] lossGrads;
    private final Tensor[] one = new Tensor[1]; // forward(Tensor)'s argument, without an array per call
    /** Which gates the borrowing call entered as a counted reader, to leave them (see Model.enterRead). */
    int heldGates;
    /** The int8 kernels (Model.quantize) its layers were made with; null: float. */
    java.util.Map<dev.sinew.layers.Layer, dev.sinew.layers.Int8Kernel> int8;


    Executor(Backend backend, List<Layer> layers, int[][] inputs, int[] outputs, List<Shape> inputShapes, boolean training,
            ModelMemory memory) {
        this.backend = backend;
        this.layers = List.copyOf(layers);
        this.inputs = inputs;
        this.outputs = outputs.clone();
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
        for (int o : outputs) consumers[o]++; // the output's loss
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
        List<Shape> outputShapes = new java.util.ArrayList<>();
        for (int o : outputs) outputShapes.add(layers.get(o).outputShape());
        batch = new BatchLoader(backend, inputShapes, outputShapes);
        lossGrads = new Tensor[outputs.length];
        this.training = training;
        this.memory = memory;
    }

    /**
     * Makes sure every buffer holds at least {@code n} rows; grows (never shrinks) them. Also sizes
     * them again when the backend now splits a batch into more shards than when they were made
     * (NativeBackend.setThreads): layers keep per-shard views and gradient parts.
     */
    void ensureCapacity(int n) {
        if (n <= capacity && backend.shards() <= shards) return;
        n = Math.max(n, capacity);
        // Free the outgrown buffers first (lower peak); if the new ones cannot be had, the executor
        // is left empty and the next call tries again: the model stays usable.
        memory.close(space);
        space = null;
        capacity = 0;
        Workspace next = memory.open();
        try {
            batch.allocate(next, n);
            for (int j = 0; j < lossGrads.length; j++) {
                lossGrads[j] = training ? next.allocate(Shape.of(n, (int) layers.get(outputs[j]).outputShape().size())) : null;
            }
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
        shards = backend.shards();
    }

    /** Frees the buffers; the executor must not be used after it. */
    void free() {
        memory.close(space);
        space = null;
        capacity = 0;
    }

    /** Output j of the last forward pass (a buffer of its node's layer). */
    Tensor output(int j) {
        return outs[outputs[j]];
    }

    /** {@link #forward(Tensor[], int, boolean)} for a model of one input; returns its (first) output. */
    Tensor forward(Tensor in, int n, boolean train) {
        one[0] = in;
        try {
            forward(one, n, train);
        } finally {
            one[0] = null;
        }
        return outs[outputs[0]];
    }

    /** Runs every node on the first n rows of the inputs {@code in} (one per model input); see {@link #output}. */
    void forward(Tensor[] in, int n, boolean train) {
        for (int i = 0; i < outs.length; i++) {
            Layer l = layers.get(i);
            long t0 = LayerTimes.ON ? System.nanoTime() : 0;
            int[] from = inputs[i];
            if (l instanceof Merge m) {
                List<Tensor> xsi = mergeInputs[i];
                for (int k = 0; k < from.length; k++) xsi.set(k, from[k] < 0 ? in[-1 - from[k]] : outs[from[k]]);
                outs[i] = m.forward(xsi, n, train);
            } else {
                outs[i] = l.forward(from[0] < 0 ? in[-1 - from[0]] : outs[from[0]], n, train);
            }
            if (LayerTimes.ON) LayerTimes.add(l.getClass().getSimpleName(), 0, System.nanoTime() - t0);
        }
    }

    /**
     * Backward from dL/d(output j) in {@link #lossGrads}: every node that some trained weight is
     * at or upstream of gets the gradient of its output and stores its weights' gradients.
     */
    void backward(int n) {
        java.util.Arrays.fill(grads, null);
        java.util.Arrays.fill(received, 0);
        // The losses first: an output that other layers read too gets theirs added to its loss's.
        for (int j = 0; j < outputs.length; j++) if (wantsGrad[outputs[j]]) deliver(outputs[j], lossGrads[j], n);
        for (int i = outs.length - 1; i >= 0; i--) {
            if (!wantsGrad[i] || grads[i] == null) continue;
            Layer l = layers.get(i);
            long t0 = LayerTimes.ON ? System.nanoTime() : 0;
            if (l instanceof Merge m) {
                List<Tensor> dxs = m.backward(grads[i], n, needInput[i]);
                if (LayerTimes.ON) LayerTimes.add(l.getClass().getSimpleName(), 1, System.nanoTime() - t0);
                for (int k = 0; k < inputs[i].length; k++) if (needInput[i][k]) deliver(inputs[i][k], dxs.get(k), n);
            } else {
                Tensor dx = l.backward(grads[i], n, needInput[i][0]);
                if (LayerTimes.ON) LayerTimes.add(l.getClass().getSimpleName(), 1, System.nanoTime() - t0);
                if (needInput[i][0]) deliver(inputs[i][0], dx, n);
            }
        }
    }

    /**
     * Node j's output gradient gets dx: as it is when it is the first (or only) to arrive, else
     * added up in j's sum. The first is kept as it is, not copied: it is a buffer of a layer whose
     * backward pass has run, so nothing writes it before j's own backward pass reads the sum.
     */
    private void deliver(int j, Tensor dx, int n) {
        if (consumers[j] == 1 || received[j]++ == 0) {
            grads[j] = dx;
            return;
        }
        // The second: sum = first + dx in one pass; later ones: sum += dx. Per shard of the batch,
        // as the layers around it run (in a residual network, one such sum per block).
        sumOut = sums[j];
        sumA = received[j] == 2 ? grads[j] : sums[j];
        sumB = dx;
        sumWidth = (int) layers.get(j).outputShape().size();
        long t0 = LayerTimes.ON ? System.nanoTime() : 0;
        backend.forEachShard(n, Backend.memoryPass(n, sumWidth), sumShard);
        if (LayerTimes.ON) LayerTimes.add(layers.get(j).getClass().getSimpleName(), 2, System.nanoTime() - t0);
        sumOut = sumA = sumB = null;
        grads[j] = sums[j];
    }

    private Tensor sumOut, sumA, sumB;
    private int sumWidth;
    private final Backend.ShardTask sumShard = this::sumShard;

    private void sumShard(int s, int from, int to) {
        backend.add(sumOut.fromRow(from, sumWidth), sumA.fromRow(from, sumWidth), sumB.fromRow(from, sumWidth),
                (long) (to - from) * sumWidth);
    }
}
