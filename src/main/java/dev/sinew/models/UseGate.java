package dev.sinew.models;

/**
 * Who may use a model at a time: any number of readers (predict, evaluate, getWeights, save) or
 * one writer (a training step, compile, setWeights), and {@link #close} last of all.
 *
 * <p>Why not {@code ReentrantReadWriteLock}: its read lock allocates a hold counter per call once
 * two threads read, and inference must allocate nothing beyond its result. This gate is a monitor
 * and four fields. A waiting writer holds back new readers, so a training loop is not starved by
 * a stream of predictions; the thread that holds the write side may read and write again (a
 * callback of its own, say) without waiting for itself.
 */
final class UseGate {
    private final String model;
    private int readers;
    private Thread writer;
    private int writerDepth;
    private int writersWaiting;
    private volatile boolean closed;

    UseGate(String model) {
        this.model = model;
    }

    /**
     * Enters as a reader; returns whether the caller must {@link #exitRead}: false when this thread
     * already holds the write side (its read is part of that).
     */
    synchronized boolean enterRead() {
        Thread me = Thread.currentThread();
        if (writer == me) return false;
        boolean interrupted = false;
        while (!closed && (writer != null || writersWaiting > 0)) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true; // keep waiting: a read is short; the flag is restored below
            }
        }
        if (interrupted) me.interrupt();
        checkOpen();
        readers++;
        return true;
    }

    synchronized void exitRead() {
        if (--readers == 0) notifyAll();
    }

    /** Enters as the one writer, once every reader and any other writer has left. */
    synchronized void enterWrite() {
        Thread me = Thread.currentThread();
        if (writer == me) {
            writerDepth++;
            return;
        }
        boolean interrupted = false;
        writersWaiting++;
        try {
            while (!closed && (writer != null || readers > 0)) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            writersWaiting--;
        }
        if (interrupted) me.interrupt();
        if (closed) {
            notifyAll(); // readers held back by this writer may go (and find the model closed)
            checkOpen();
        }
        writer = me;
        writerDepth = 1;
    }

    synchronized void exitWrite() {
        if (--writerDepth == 0) {
            writer = null;
            notifyAll();
        }
    }

    /**
     * Waits until no call is in flight, then marks the model closed and runs {@code free}; returns
     * false (running nothing) if it was closed already. Calls that were waiting, and every later
     * one, fail with "closed". A writer closing its own model (from inside a training step) frees
     * at once: what is left of its step then fails on the freed memory with an exception.
     */
    synchronized boolean close(Runnable free) {
        if (closed) return false;
        Thread me = Thread.currentThread();
        boolean interrupted = false;
        writersWaiting++;
        try {
            while (!closed && ((writer != null && writer != me) || readers > 0)) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // close() must finish: freeing is not optional
                }
            }
        } finally {
            writersWaiting--;
        }
        if (interrupted) me.interrupt();
        if (closed) return false;
        closed = true;
        notifyAll();
        free.run();
        return true;
    }

    /**
     * Not synchronized, on purpose: compile asks whether another model is closed while holding
     * the optimizer-owner lock, and close() takes that lock while holding this monitor; a
     * synchronized read here would let the two deadlock. {@code closed} is volatile.
     */
    boolean isClosed() {
        return closed;
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("model \"" + model + "\" is closed");
    }
}
