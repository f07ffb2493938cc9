package dev.sinew.spark;

import dev.sinew.data.Dataset;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * One training sample as {@link SparkTrainer} reads it from a {@code JavaRDD}: the flattened
 * features {@code x} (an image row of 28*28*1 values) and the target {@code y} (one-hot for
 * classification, one class index for the sparse losses), both dense float arrays, as one row of
 * a {@link Dataset}. Spark moves them as plain float arrays.
 */
public record Sample(float[] x, float[] y) implements Serializable {

    public Sample {
        if (x == null || y == null) throw new IllegalArgumentException("a sample needs both x and y, got " + (x == null ? "x null" : "y null"));
    }

    /**
     * The rows of {@code data} as an RDD of {@code partitions} slices, in order: sample i of the
     * RDD is row i of the data set, so that {@link SparkTrainer}'s exact mode shuffles and batches
     * them as {@code model.fit(data, ...)} would. The rows travel once, as a broadcast, rather
     * than inside the RDD: {@code sc.parallelize(rows)} would keep them in the RDD's lineage,
     * which Spark serialises again with every job, that is with every training step (a 0.3 s
     * step for 45,000 images).
     */
    public static JavaRDD<Sample> rdd(JavaSparkContext sc, Dataset data, int partitions) {
        if (sc == null || data == null) throw new IllegalArgumentException("Sample.rdd: the Spark context and the data must not be null");
        if (partitions < 1) throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        Broadcast<float[][][]> rows = sc.broadcast(new float[][][] {data.x(), data.y()});
        List<Integer> slices = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) slices.add(p);
        int n = data.size();
        return sc.parallelize(slices, partitions).mapPartitions(ps -> slice(rows.value(), ps.next(), partitions, n), true);
    }

    /** Slice {@code p} of {@code partitions}: rows [p n / P, (p + 1) n / P), as parallelize cuts a list. */
    private static Iterator<Sample> slice(float[][][] rows, int p, int partitions, int n) {
        int from = (int) ((long) p * n / partitions), to = (int) ((long) (p + 1) * n / partitions);
        List<Sample> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) out.add(new Sample(rows[0][i], rows[1][i]));
        return out.iterator();
    }
}
