package dev.sinew.models;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Rows;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.List;

/**
 * The batch buffers of an {@link Executor} and what fills them: rows of Java arrays copied into
 * each model input's buffer and each output's target buffer, and checked for NaN or infinity on
 * the way in (an error naming the row and column, before any layer sees the value).
 */
final class BatchLoader {
    private final Backend backend;
    private final int[] inputWidths, outputWidths, targetWidths;
    private final String[] xNames, yNames; // "x" and "y", or "x[k]" and "y[j]" for several
    private int capacity;
    /** Per model input, its batch buffer; per output, its target buffer. */
    final Tensor[] xs, ys;
    private final Tensor[] targets; // each y read as rows of its targetWidth (class indices: 1 per row)

    // copyInput's shard task and its arguments (fields, so a call allocates nothing).
    private float[][] copySource;
    private int copyFrom, copyInput;
    private long[] nonFinite = new long[1];
    private final Backend.ShardTask copyShard = this::copyShard;

    BatchLoader(Backend backend, List<Shape> inputShapes, List<Shape> outputShapes) {
        this.backend = backend;
        inputWidths = new int[inputShapes.size()];
        xNames = new String[inputWidths.length];
        for (int k = 0; k < inputWidths.length; k++) {
            inputWidths[k] = (int) inputShapes.get(k).size();
            xNames[k] = inputWidths.length == 1 ? "x" : "x[" + k + "]";
        }
        outputWidths = new int[outputShapes.size()];
        yNames = new String[outputWidths.length];
        for (int j = 0; j < outputWidths.length; j++) {
            outputWidths[j] = (int) outputShapes.get(j).size();
            yNames[j] = outputWidths.length == 1 ? "y" : "y[" + j + "]";
        }
        targetWidths = outputWidths.clone();
        xs = new Tensor[inputWidths.length];
        ys = new Tensor[outputWidths.length];
        targets = new Tensor[outputWidths.length];
    }

    /** Buffers for batches of up to {@code n} rows, from {@code space} (the executor's, freed with it). */
    void allocate(Workspace space, int n) {
        for (int k = 0; k < xs.length; k++) xs[k] = space.allocate(Shape.of(n, inputWidths[k]));
        for (int j = 0; j < ys.length; j++) ys[j] = space.allocate(Shape.of(n, outputWidths[j]));
        capacity = n;
        for (int j = 0; j < ys.length; j++) targets[j] = targetView(j);
    }

    /**
     * Values per target row of output j: the output width, or 1 when its loss takes class
     * indices. Set by compile.
     */
    void setTargetWidth(int j, int width) {
        targetWidths[j] = width;
        if (ys[j] != null) targets[j] = targetView(j);
    }

    /** The target buffer of output j as rows of its target width (a view of y: no allocation per batch). */
    Tensor target(int j) {
        return targets[j];
    }

    /** The targets of every output (the array itself: the caller must not change it). */
    Tensor[] targets() {
        return targets;
    }

    private Tensor targetView(int j) {
        return targetWidths[j] == outputWidths[j] ? ys[j] : ys[j].slice(0, Shape.of(capacity, targetWidths[j]));
    }

    /** {@link #copyInput} and, unless {@code ys} is null, {@link #copyTarget} for a model of one input and output. */
    void copyBatch(float[][] xs, float[][] ys, int from, int to) {
        copyInput(0, xs, from, to);
        if (ys != null) copyTarget(0, ys, from, to);
    }

    /** {@link #copyInput} for every input and, unless {@code ys} is null, {@link #copyTarget} for every output. */
    void copyBatch(float[][][] xs, float[][][] ys, int from, int to) {
        for (int k = 0; k < xs.length; k++) copyInput(k, xs[k], from, to);
        if (ys != null) for (int j = 0; j < ys.length; j++) copyTarget(j, ys[j], from, to);
    }

    /**
     * Copies rows [from, to) of {@code rows} into input k's batch buffer, then rejects NaN or
     * infinity with its position. The native scan is fast; only when it finds something does the
     * Java scan look for where. The rows are copied and scanned per shard: a large batch
     * (inference in batches of 1,000) spends as long on this memory-bound work as in its first
     * layer, so each thread takes its own rows; a small one stays in one piece.
     */
    void copyInput(int k, float[][] rows, int from, int to) {
        int n = to - from;
        copySource = rows;
        copyFrom = from;
        copyInput = k;
        if (nonFinite.length < backend.shards()) nonFinite = new long[backend.shards()];
        int shards;
        try {
            shards = backend.forEachShard(n, Backend.memoryPass(n, inputWidths[k]), copyShard);
        } finally {
            copySource = null;
        }
        for (int s = 0; s < shards; s++) if (nonFinite[s] > 0) checkAllFinite(rows, xNames[k]);
    }

    /** Copies rows [from, to) of {@code rows} into output j's target buffer and rejects NaN or infinity. */
    void copyTarget(int j, float[][] rows, int from, int to) {
        int n = to - from;
        targets[j].copyRowsFrom(rows, from, to);
        if (backend.countNonFinite(targets[j], (long) n * targetWidths[j]) > 0) checkAllFinite(rows, yNames[j]);
    }

    /**
     * Gathers samples {@code index[from..to)} of {@code xs} (one array per input) and {@code ys}
     * (per output) into the batch buffers: fit's step, on data checked once before training. The
     * inputs are gathered per shard, each thread its own rows (W1's 100 x 784 floats took one
     * thread about as long as a layer's shard while the others waited); the targets are small.
     */
    void gather(float[][][] xs, float[][][] ys, int[] index, int from, int to) {
        int n = to - from;
        gatherIndex = index;
        copyFrom = from;
        try {
            for (int k = 0; k < xs.length; k++) {
                copySource = xs[k];
                copyInput = k;
                backend.forEachShard(n, Backend.memoryPass(n, inputWidths[k]), gatherShard);
            }
        } finally {
            copySource = null;
            gatherIndex = null;
        }
        for (int j = 0; j < ys.length; j++) target(j).copyRowsFrom(ys[j], index, from, to);
    }

    private int[] gatherIndex;
    private final Backend.ShardTask gatherShard = this::gatherShard;

    private void gatherShard(int s, int a, int b) {
        xs[copyInput].fromRow(a, inputWidths[copyInput]).copyRowsFrom(copySource, gatherIndex, copyFrom + a, copyFrom + b);
    }

    private void copyShard(int s, int a, int b) {
        int w = inputWidths[copyInput];
        Tensor part = xs[copyInput].fromRow(a, w);
        part.copyRowsFrom(copySource, copyFrom + a, copyFrom + b);
        nonFinite[s] = backend.countNonFinite(part, (long) (b - a) * w);
    }

    /**
     * {@link #checkAllFinite(float[][], String)} for a whole data set (fit's one check before
     * training), split over the cores: 60,000 x 784 floats took one thread ~30 ms per fit.
     * Each shard finds its first bad value; the first shard with one names it.
     */
    static void checkAllFinite(Backend backend, float[][] rows, String what) {
        int[][] found = new int[Math.max(1, backend.shards())][];
        long width = rows.length == 0 ? 0 : rows[0].length;
        backend.forEachShard(rows.length, Backend.memoryPass(rows.length, width), (s, from, to) -> found[s] = Rows.firstNonFinite(rows, from, to));
        for (int[] at : found) if (at != null) throw nonFinite(rows, at, what);
    }

    static void checkAllFinite(float[][] rows, String what) {
        int[] at = Rows.firstNonFinite(rows, 0, rows.length);
        if (at != null) throw nonFinite(rows, at, what);
    }

    private static IllegalArgumentException nonFinite(float[][] rows, int[] at, String what) {
        return new IllegalArgumentException(what + " contains a non-finite value (" + rows[at[0]][at[1]] + " at row "
                + at[0] + ", column " + at[1] + "); clean or impute the data first");
    }
}
