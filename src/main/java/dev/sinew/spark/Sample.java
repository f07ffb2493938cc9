package dev.sinew.spark;

import dev.sinew.data.Dataset;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

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
     * them as {@code model.fit(data, ...)} would. The rows are shared, not copied, until Spark
     * serialises them.
     */
    public static JavaRDD<Sample> rdd(JavaSparkContext sc, Dataset data, int partitions) {
        if (sc == null || data == null) throw new IllegalArgumentException("Sample.rdd: the Spark context and the data must not be null");
        if (partitions < 1) throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        List<Sample> rows = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) rows.add(new Sample(data.x()[i], data.y()[i]));
        return sc.parallelize(rows, partitions);
    }
}
