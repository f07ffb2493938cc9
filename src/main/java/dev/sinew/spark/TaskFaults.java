package dev.sinew.spark;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;

/**
 * For tests: makes the first attempt of one task fail on purpose, after it has computed its
 * result (and so changed its executor's model), to show that Spark's retry leaves the training
 * unchanged. A static of the JVM, so it reaches tasks only in local mode ({@code local[N,maxFailures]},
 * the only local master that retries).
 */
final class TaskFaults {
    private TaskFaults() {}

    /** Fail round {@code round}'s task on partition {@code partition}, first attempt only. */
    record Plan(long round, int partition) {}

    static volatile Plan plan;
    static final AtomicInteger injected = new AtomicInteger();

    static void check(long round, int partition) {
        Plan p = plan;
        TaskContext task = TaskContext.get();
        if (p != null && p.round() == round && p.partition() == partition && task != null && task.attemptNumber() == 0) {
            injected.incrementAndGet();
            throw new IllegalStateException("failure injected for a test: round " + round + ", partition " + partition);
        }
    }
}
