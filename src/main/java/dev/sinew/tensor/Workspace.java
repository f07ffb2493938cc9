package dev.sinew.tensor;

import java.lang.foreign.Arena;

/**
 * An {@link Arena} that counts what it hands out: the owner of a model's weights, or of its
 * per-batch-size buffers. {@link #bytes()} is how tests prove that training does not grow memory;
 * {@link #close()} frees everything at once.
 */
public final class Workspace implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private long bytes;

    /** A zero-filled tensor owned by this workspace. */
    public Tensor allocate(Shape shape) {
        Tensor t = Tensor.allocate(arena, shape);
        bytes += shape.size() * Tensor.BYTES;
        return t;
    }

    /** Bytes allocated so far (alignment padding not counted). */
    public long bytes() {
        return bytes;
    }

    public boolean isOpen() {
        return arena.scope().isAlive();
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
