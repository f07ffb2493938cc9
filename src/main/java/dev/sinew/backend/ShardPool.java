package dev.sinew.backend;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the shards of a batch on the cores: shard 0 on the calling thread, shards 1.. on daemon
 * worker threads kept for the life of the process.
 *
 * <p>Why our own threads and not OpenBLAS's: a convolution step is a chain of small GEMMs and C
 * kernels; OpenBLAS splits each GEMM over the cores and leaves the C kernels on one, and the
 * hand-over between its threads on every call costs more than it wins at these shapes (a W2 step
 * measured 20-24 ms with two OpenBLAS threads and 23 ms with one). Splitting the batch instead
 * gives every core a whole chain (im2col, GEMM, bias + activation, pooling) on its own images.
 *
 * <p>A hand-over costs a few microseconds: a worker spins briefly for the next shard (yielding
 * now and then) before it parks. One batch at a time uses the pool; a second caller meanwhile
 * (another model training in another thread) runs its shards itself, one after the other, with
 * the same results: the split depends only on the row count and the shard count, never on who
 * runs the shards.
 * {@link #insideShard()} tells code running in a shard (a GEMM inside a layer's shard) not to
 * split again, whether the shard runs on a worker or on its caller, in parallel or in turn.
 */
final class ShardPool {
    private static final int SPINS = 1 << 14;
    /**
     * While spinning, every 64th turn (~1-2 µs) yields the core instead. On a machine with as many
     * shard threads as cores, a spinning thread otherwise keeps HotSpot's compiler threads (or the
     * shard it waits for, when the OS has put it aside) off the core: W1's first epochs, while C2
     * compiles the step, took 0.5-1.1 s instead of 0.35, and 0.45-0.65 with the yield. A yield
     * with nothing else to run returns at once, so the warm step is unchanged (0.35-0.38 s).
     */
    private static final int YIELD_EVERY = 64;

    private static void spin(int spins) {
        if ((spins & (YIELD_EVERY - 1)) == YIELD_EVERY - 1) Thread.yield();
        else Thread.onSpinWait();
    }

    /** Set on a caller thread while it runs shard 0 (or all shards in turn); workers are always inside. */
    private static final ThreadLocal<Boolean> IN_SHARD = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();

    ShardPool(int threads) {
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("sinew-shard-" + (i + 1));
            workers[i].start();
        }
    }

    /**
     * Whether the current thread is running a shard of a split batch. Work inside a shard stays in
     * one piece, so the arithmetic of a batch is the same whether its shards ran in parallel on
     * the pool or one after the other on a caller that found the pool busy.
     */
    static boolean insideShard() {
        return Thread.currentThread() instanceof Worker || IN_SHARD.get();
    }

    /** The most shards a batch is split into: the calling thread plus the workers. */
    int threads() {
        return workers.length + 1;
    }

    /**
     * Splits {@code n} rows into {@code shards} contiguous, non-empty ranges (the first ones one row
     * shorter when n does not divide) and runs {@code task} on each; returns when all are done,
     * rethrowing the first failure.
     */
    void run(int n, int shards, Backend.ShardTask task) {
        boolean outer = !IN_SHARD.get();
        if (outer) IN_SHARD.set(Boolean.TRUE);
        try {
            if (shards == 1 || !busy.compareAndSet(false, true)) {
                for (int s = 0; s < shards; s++) task.run(s, from(n, shards, s), from(n, shards, s + 1));
            } else {
                runOnWorkers(n, shards, task);
            }
        } finally {
            if (outer) IN_SHARD.set(Boolean.FALSE);
        }
    }

    private void runOnWorkers(int n, int shards, Backend.ShardTask task) {
        try {
            Thread caller = Thread.currentThread();
            for (int s = 1; s < shards; s++) {
                workers[s - 1].submit(task, s, from(n, shards, s), from(n, shards, s + 1), caller);
            }
            Throwable failure = null;
            try {
                task.run(0, 0, from(n, shards, 1));
            } catch (Throwable t) {
                failure = t;
            }
            for (int s = 1; s < shards; s++) {
                Throwable t = workers[s - 1].await();
                if (failure == null) failure = t;
            }
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new IllegalStateException(failure);
        } finally {
            busy.set(false);
        }
    }

    static int from(int n, int shards, int s) {
        return (int) ((long) n * s / shards);
    }

    private static final class Worker extends Thread {
        private volatile Backend.ShardTask task;
        private volatile boolean done = true;
        private int shard, from, to;
        private Thread caller;
        private Throwable failure;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void submit(Backend.ShardTask t, int shard, int from, int to, Thread caller) {
            this.shard = shard;
            this.from = from;
            this.to = to;
            this.caller = caller;
            this.failure = null;
            this.done = false;
            this.task = t; // volatile write publishes the fields above
            LockSupport.unpark(this);
        }

        Throwable await() {
            for (int spins = 0; !done; spins++) {
                if (spins < SPINS) spin(spins);
                else LockSupport.park(this);
            }
            return failure;
        }

        @Override
        public void run() {
            for (int spins = 0; ; spins++) {
                Backend.ShardTask t = task;
                if (t == null) {
                    if (spins < SPINS) spin(spins);
                    else LockSupport.park(this);
                    continue;
                }
                task = null;
                spins = 0;
                try {
                    t.run(shard, from, to);
                } catch (Throwable e) {
                    failure = e;
                }
                Thread c = caller;
                done = true; // volatile write publishes failure
                LockSupport.unpark(c);
            }
        }
    }
}
