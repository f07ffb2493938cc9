package dev.sinew.models;

import dev.sinew.tensor.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every workspace a model holds (weights, optimizer state, batch buffers of each executor), in one
 * object that knows nothing of the model. The model's {@code close()} runs {@link #run()}; so does
 * a {@link java.lang.ref.Cleaner} once the model is unreachable, which is why this class must never
 * point back at the model: a service that forgets {@code close()} still gets the memory back.
 * {@code Cleanable.clean()} runs it at most once, whichever comes first.
 */
final class ModelMemory implements Runnable {
    /** How many models' memory has been freed in this process, by close() or by the cleaner (for tests). */
    static final AtomicLong FREED = new AtomicLong();

    private final List<Workspace> open = new ArrayList<>();
    private boolean freed;
    /** How many times {@link #run()} was called, the no-op repeats included (a test proves it is once). */
    int runs;

    /** A new workspace that belongs to the model. */
    synchronized Workspace open() {
        if (freed) throw new IllegalStateException("the model's memory has been freed");
        Workspace w = new Workspace();
        open.add(w);
        return w;
    }

    /** Frees one workspace now (buffers outgrown by a larger batch, optimizer state replaced). */
    synchronized void close(Workspace w) {
        if (w == null) return;
        open.remove(w);
        w.close();
    }

    /** Off-heap bytes held now. */
    synchronized long bytes() {
        long b = 0;
        for (Workspace w : open) b += w.bytes();
        return b;
    }

    @Override
    public synchronized void run() {
        runs++;
        if (freed) return;
        freed = true;
        for (Workspace w : open) w.close();
        open.clear();
        FREED.incrementAndGet();
    }
}
