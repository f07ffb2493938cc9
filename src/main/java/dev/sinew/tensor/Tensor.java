package dev.sinew.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A dense row-major float32 array off the Java heap, with a {@link Shape}.
 *
 * <p>Every tensor's memory has a named owner: either the tensor itself (made with
 * {@link #of(float[], int...)}, {@link #zeros} or {@link #fromRows}; {@link #close()} frees it) or
 * an {@link Arena} someone else owns ({@link #allocate}, {@link #slice}; closing the tensor then
 * does nothing, and the memory goes when that arena closes). Element access is bounds-checked by
 * the segment itself; sizes handed to native code are checked by the backend.
 */
public final class Tensor implements AutoCloseable {
    /** Bytes in one element. */
    public static final long BYTES = Float.BYTES;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;

    private final MemorySegment segment;
    private final Shape shape;
    private final Arena ownArena;

    private Tensor(MemorySegment segment, Shape shape, Arena ownArena) {
        this.segment = segment;
        this.shape = shape;
        this.ownArena = ownArena;
    }

    /** A zero-filled tensor whose memory belongs to {@code arena}. */
    public static Tensor allocate(Arena arena, Shape shape) {
        // 64-byte alignment: a cache line, and what AVX-512 loads like best.
        MemorySegment seg = arena.allocate(shape.size() * BYTES, 64);
        return new Tensor(seg, shape, null);
    }

    /** A zero-filled tensor that owns its memory; free it with {@link #close()}. */
    public static Tensor zeros(int... dims) {
        Shape shape = Shape.of(dims);
        Arena arena = Arena.ofShared();
        return new Tensor(arena.allocate(shape.size() * BYTES, 64), shape, arena);
    }

    /** A tensor holding a copy of {@code data}, viewed with the given dimensions. */
    public static Tensor of(float[] data, int... dims) {
        Shape shape = Shape.of(dims);
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " holds " + shape.size()
                    + " values, but the array has " + data.length);
        }
        Tensor t = zeros(dims);
        t.copyFrom(data);
        return t;
    }

    /** A (rows, columns) tensor holding a copy of a rectangular {@code float[][]}. */
    public static Tensor fromRows(float[][] rows) {
        int cols = Rows.width(rows, "rows");
        Tensor t = zeros(rows.length, cols);
        t.copyRowsFrom(rows, 0, rows.length);
        return t;
    }

    /** A view of {@code shape.size()} elements starting at element {@code offset}; shares memory. */
    public Tensor slice(long offset, Shape shape) {
        if (offset < 0 || offset + shape.size() > size()) {
            throw new IndexOutOfBoundsException("slice of " + shape.size() + " elements at "
                    + offset + " does not fit in a tensor of " + size());
        }
        return new Tensor(segment.asSlice(offset * BYTES, shape.size() * BYTES), shape, null);
    }

    /**
     * This buffer from row {@code row} on, read as rows of {@code width} values: a view holding rows
     * {@code row, row + 1, ...} to the end (operations say how many rows they use). Row 0 is this
     * tensor itself; the views made are kept (the last {@value #TAILS}) and handed out again for the
     * same row, so a batch split the same way every step allocates nothing, whatever the number of
     * shards asking at once (with one view kept, shards 1 and 2 of three replaced each other's).
     */
    public Tensor fromRow(int row, int width) {
        if (row == 0) return this;
        long offset = (long) row * width;
        for (Tail t : tails) if (t.offset == offset && t.width == width) return t.view;
        long rows = width < 1 || offset < 0 || offset >= size() ? 0 : (size() - offset) / width;
        if (rows < 1) {
            throw new IndexOutOfBoundsException("row " + row + " of width " + width
                    + " is outside a tensor of " + size() + " elements");
        }
        synchronized (this) {
            Tail[] ts = tails;
            for (Tail t : ts) if (t.offset == offset && t.width == width) return t.view;
            Tail t = new Tail(offset, width, slice(offset, Shape.of((int) rows, width)));
            // Copy on write: readers see a whole array; beyond TAILS views the oldest goes.
            Tail[] next = new Tail[Math.min(ts.length + 1, TAILS)];
            System.arraycopy(ts, ts.length + 1 - next.length, next, 0, next.length - 1);
            next[next.length - 1] = t;
            tails = next;
            return t.view;
        }
    }

    private record Tail(long offset, int width, Tensor view) {}

    private static final int TAILS = 64; // a shard from row > 0 per thread, up to 64 threads
    private static final Tail[] NO_TAILS = {};
    private volatile Tail[] tails = NO_TAILS;

    public Shape shape() {
        return shape;
    }

    /** Number of elements. */
    public long size() {
        return shape.size();
    }

    /** The off-heap memory, for backends and bindings. */
    public MemorySegment segment() {
        return segment;
    }

    public float get(long i) {
        return segment.getAtIndex(F32, i);
    }

    public void set(long i, float v) {
        segment.setAtIndex(F32, i, v);
    }

    /**
     * Copies the first {@code values} values of {@code src} into this tensor's first ones. The
     * static {@link MemorySegment#copy}, not slices: a per-step copy allocates nothing.
     */
    public void copyFrom(Tensor src, long values) {
        MemorySegment.copy(src.segment, 0, segment, 0, values * BYTES);
    }

    /** Copies all of {@code src} into the start of this tensor. */
    public void copyFrom(float[] src) {
        if (src.length > size()) {
            throw new IllegalArgumentException(
                    "cannot copy " + src.length + " values into a tensor of " + size());
        }
        MemorySegment.copy(src, 0, segment, F32, 0, src.length);
    }

    /**
     * Copies rows {@code [from, to)} of {@code rows} into this tensor's first rows. Every row must
     * have {@code width} = this tensor's row length; the caller has checked this (see {@link Rows}).
     */
    public void copyRowsFrom(float[][] rows, int from, int to) {
        int width = rowLength();
        if ((long) (to - from) * width > size()) {
            throw new IllegalArgumentException("cannot copy " + (to - from) + " rows of " + width
                    + " into a tensor of " + size());
        }
        for (int r = from; r < to; r++) {
            MemorySegment.copy(rows[r], 0, segment, F32, (long) (r - from) * width * BYTES, width);
        }
    }

    /**
     * Copies rows {@code rows[index[k]]} for k in {@code [from, to)} into this tensor's first
     * rows: how a shuffled mini-batch is gathered without copying the whole data set.
     */
    public void copyRowsFrom(float[][] rows, int[] index, int from, int to) {
        int width = rowLength();
        if ((long) (to - from) * width > size()) {
            throw new IllegalArgumentException("cannot copy " + (to - from) + " rows of " + width
                    + " into a tensor of " + size());
        }
        for (int k = from; k < to; k++) {
            MemorySegment.copy(rows[index[k]], 0, segment, F32, (long) (k - from) * width * BYTES, width);
        }
    }

    /** All elements as a new array. */
    public float[] toArray() {
        return segment.toArray(F32);
    }

    /** The first {@code n} rows as a new {@code float[n][rowLength]}. */
    public float[][] toRows(int n) {
        return toRows(n, rowLength());
    }

    /** The first {@code n * width} values as {@code n} rows of {@code width}. */
    public float[][] toRows(int n, int width) {
        float[][] out = new float[Math.max(0, n)][];
        toRows(n, width, out, 0);
        return out;
    }

    /** The first {@code n * width} values as {@code n} new rows of {@code width}, stored in {@code dst[at .. at + n)}. */
    public void toRows(int n, int width, float[][] dst, int at) {
        if ((long) n * width > size()) {
            throw new IllegalArgumentException(
                    "tensor of shape " + shape + " holds fewer than " + n + " rows of " + width);
        }
        for (int r = 0; r < n; r++) {
            float[] row = new float[width];
            MemorySegment.copy(segment, F32, (long) r * width * BYTES, row, 0, width);
            dst[at + r] = row;
        }
    }

    /** Elements per row: the product of all dimensions after the first. */
    public int rowLength() {
        return shape.rank() == 1 ? shape.dim(0) : (int) (size() / shape.dim(0));
    }

    /** Frees this tensor's memory if it owns it; views and arena-owned tensors are left alone. */
    @Override
    public void close() {
        if (ownArena != null && ownArena.scope().isAlive()) {
            ownArena.close();
        }
    }

    @Override
    public String toString() {
        return "Tensor" + shape;
    }
}
