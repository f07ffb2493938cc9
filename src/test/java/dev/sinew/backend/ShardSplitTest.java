package dev.sinew.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sinew.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The arithmetic of a sharded batch does not depend on other callers of the shard pool (issue 9,
 * A5). Before, a GEMM inside a shard ran whole when the pool was busy and was split by rows when
 * it was free; a caller that found the pool busy ran its shards in turn, and if the other caller
 * finished meanwhile, its GEMMs split, and OpenBLAS rounds a 64 x 150 x 150 product differently
 * from two of 32 rows. This test stages exactly that interleaving.
 */
class ShardSplitTest {

    /** Each shard multiplies its rows of A (rows x 150) by B (150 x 150) into C. */
    static final class Product implements Backend.ShardTask {
        final Backend b;
        final Tensor A, B, C;
        Runnable beforeGemm = () -> {};

        Product(Backend b, Tensor A, Tensor B, Tensor C) {
            this.b = b;
            this.A = A;
            this.B = B;
            this.C = C;
        }

        @Override
        public void run(int s, int from, int to) {
            if (s == 0) beforeGemm.run();
            b.gemm(false, false, to - from, 150, 150, 1f, A.fromRow(from, 150), B, 0f, C.fromRow(from, 150));
        }
    }

    @Test
    void aShardsGemmIsTheSameWhetherThePoolWasBusyOrNot() throws Exception {
        NativeBackend b = NativeBackend.get();
        int before = NativeBackend.threads();
        NativeBackend.setThreads(2);
        try (Tensor A = Tensor.zeros(128, 150); Tensor B = Tensor.zeros(150, 150);
                Tensor alone = Tensor.zeros(128, 150); Tensor contended = Tensor.zeros(128, 150)) {
            SplittableRandom r = new SplittableRandom(3);
            for (long i = 0; i < A.size(); i++) A.set(i, (float) r.nextDouble(-1, 1));
            for (long i = 0; i < B.size(); i++) B.set(i, (float) r.nextDouble(-1, 1));
            long work = 2L * 128 * 150 * 150;
            assumeTrue(b.forEachShard(128, work, new Product(b, A, B, alone)) == 2, "needs two shards");

            // Another caller holds the pool: its shard 0 waits until ours has started.
            CountDownLatch ourShardStarted = new CountDownLatch(1), otherDone = new CountDownLatch(1);
            Thread other = new Thread(() -> {
                b.forEachShard(128, work, (s, from, to) -> {
                    if (s == 0) await(ourShardStarted);
                });
                otherDone.countDown();
            });
            other.start();
            Thread.sleep(50); // let the other caller take the pool
            Product ours = new Product(b, A, B, contended);
            // Our shards run in turn on this thread; before our first GEMM the other caller
            // finishes, so the pool is free by the time the GEMM decides how to split.
            ours.beforeGemm = () -> {
                ourShardStarted.countDown();
                await(otherDone);
            };
            b.forEachShard(128, work, ours);
            other.join();

            int differing = 0;
            for (long i = 0; i < alone.size(); i++) {
                if (Float.floatToRawIntBits(alone.get(i)) != Float.floatToRawIntBits(contended.get(i))) differing++;
            }
            System.out.println("ShardSplitTest: " + differing + " of " + alone.size()
                    + " products differ between an idle and a contended pool");
            assertEquals(0, differing, "values that differ between an idle and a contended shard pool");
        } finally {
            NativeBackend.setThreads(before);
        }
    }

    static void await(CountDownLatch l) {
        try {
            if (!l.await(10, TimeUnit.SECONDS)) throw new AssertionError("timed out");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
