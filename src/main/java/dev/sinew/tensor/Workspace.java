package dev.sinew.tensor;

import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link Arena} that counts what it hands out: the owner of a model's weights, or of its
 * per-batch-size buffers. {@link #bytes()} is how tests prove that training does not grow memory;
 * {@link #close()} frees everything at once.
 *
 * <p>All workspaces of the process are counted together too ({@link #liveBytes()}). Models that
 * are dropped without {@code close()} are freed by a cleaner after the garbage collector finds them
 * unreachable, but the collector sees only their small Java objects, not the native memory behind
 * them. So, as the JDK does for direct buffers, allocating here asks for a collection whenever the
 * live total has doubled since the last one (from {@code sinew.gcThresholdMB}, default 256 MB):
 * a service that forgets {@code close()} stays bounded instead of growing until the next full GC.
 */
public final class Workspace implements AutoCloseable {
    private static final AtomicLong LIVE = new AtomicLong();
    private static final long MIN_GC_THRESHOLD = Long.getLong("sinew.gcThresholdMB", 256) << 20;
    private static final AtomicLong gcThreshold = new AtomicLong(MIN_GC_THRESHOLD);

    private final Arena arena = Arena.ofShared();
    private long bytes;

    /** A zero-filled tensor owned by this workspace. */
    public Tensor allocate(Shape shape) {
        Tensor t = Tensor.allocate(arena, shape);
        long b = shape.size() * Tensor.BYTES;
        bytes += b;
        collectIfGrown(LIVE.addAndGet(b));
        return t;
    }

    private static void collectIfGrown(long live) {
        long limit = gcThreshold.get();
        if (MIN_GC_THRESHOLD > 0 && live > limit && gcThreshold.compareAndSet(limit, 2 * live)) {
            System.gc(); // unreachable models' cleaners then free their memory
        }
    }

    /** Bytes allocated so far (alignment padding not counted). */
    public long bytes() {
        return bytes;
    }

    /** Bytes held by all open workspaces of this process (every model's weights and buffers). */
    public static long liveBytes() {
        return LIVE.get();
    }

    public boolean isOpen() {
        return arena.scope().isAlive();
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
            long live = LIVE.addAndGet(-bytes);
            // Memory came back: lower the next collection's threshold again, never under the minimum.
            long limit = gcThreshold.get();
            if (live < limit / 4) gcThreshold.compareAndSet(limit, Math.max(MIN_GC_THRESHOLD, 2 * live));
        }
    }
}
