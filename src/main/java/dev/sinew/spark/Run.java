package dev.sinew.spark;

import dev.sinew.metrics.MetricState;
import dev.sinew.models.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * One {@link SparkTrainer#fit} in progress, as the driver sees it: the cached shards, the model
 * file every executor rebuilds its copies from (broadcast once), the driver's model (the one
 * trained, whose optimizer state lives here in exact mode), the round count and what the rounds cost.
 */
final class Run {
    final String id = UUID.randomUUID().toString();
    final JavaSparkContext sc;
    final JavaRDD<Shard> shards;
    final int[] shardSizes;
    final Broadcast<byte[]> modelFile;
    final Model model;
    RoundStats stats = new RoundStats(0, 0, 0, 0, 0);

    Run(JavaSparkContext sc, JavaRDD<Shard> shards, int[] shardSizes, byte[] modelFile, Model model) {
        this.sc = sc;
        this.shards = shards;
        this.shardSizes = shardSizes;
        this.modelFile = sc.broadcast(modelFile);
        this.model = model;
    }

    /**
     * Counts a round that began at {@code startNanos} (System.nanoTime), broadcast and collected
     * these many bytes, and whose slowest partition computed for {@code computeNanos}.
     */
    void count(long startNanos, long broadcast, long collected, long computeNanos) {
        stats = stats.plus(broadcast, collected, System.nanoTime() - startNanos, computeNanos);
    }

    /** The number of the round about to run: 0, 1, ... over the whole fit. */
    long round() {
        return stats.rounds();
    }

    /** Feeds the rows each partition trained on and its predictions to the driver's metric states, in partition order. */
    static void score(MetricState[] states, List<? extends Trained> parts) {
        if (states.length == 0) return;
        List<float[]> truth = new ArrayList<>(), predicted = new ArrayList<>();
        for (Trained p : parts) {
            if (p.targets() == null) continue;
            truth.addAll(List.of(p.targets()));
            predicted.addAll(List.of(p.outputs()));
        }
        if (truth.isEmpty()) return;
        float[][] t = truth.toArray(float[][]::new), o = predicted.toArray(float[][]::new);
        for (MetricState s : states) s.update(t, o);
    }

    /**
     * What a partition sends back that metrics score: the targets it trained on and the model's
     * outputs for them; and how long it computed.
     */
    interface Trained {
        float[][] targets();

        float[][] outputs();

        long nanos();
    }

    /** The payload of float rows, 4 bytes a value. */
    static long bytes(float[][] rows) {
        long n = 0;
        if (rows != null) for (float[] r : rows) n += 4L * r.length;
        return n;
    }

    static long bytes(float[] a) {
        return a == null ? 0 : 4L * a.length;
    }
}
