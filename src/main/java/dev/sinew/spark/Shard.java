package dev.sinew.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import scala.Tuple2;

/**
 * The samples of one partition, cached on its executor as rows ready for a model: {@code x[i]}
 * and {@code y[i]} are sample {@code first + i} of the whole RDD (zipWithIndex numbers a
 * partition's samples consecutively), so a step of the global shuffle finds its rows here by
 * index. {@code problem} names the first sample whose widths are not the model's (checked once,
 * when the shard is made, and reported by the driver), or is null.
 */
record Shard(long first, float[][] x, float[][] y, String problem) implements Serializable {

    int size() {
        return x.length;
    }

    /** What the driver learns of a shard before training: its size, and what is wrong with its samples (or null). */
    record Summary(int size, String problem) implements Serializable {}

    Summary summary() {
        return new Summary(size(), problem);
    }

    /** Whether global sample {@code i} is here. */
    boolean holds(long i) {
        return i >= first && i < first + x.length;
    }

    /**
     * A partition's indexed samples as one shard, each checked to have the model's
     * {@code features} and the same target width as the partition's first sample (the model
     * checks that width against its loss on every batch).
     */
    static Iterator<Shard> of(Iterator<Tuple2<Sample, Long>> samples, int features) {
        List<float[]> xs = new ArrayList<>(), ys = new ArrayList<>();
        long first = -1, expected = -1;
        int targets = -1;
        String problem = null;
        while (samples.hasNext()) {
            Tuple2<Sample, Long> s = samples.next();
            long i = s._2();
            if (first < 0) {
                first = expected = i;
                targets = s._1().y().length;
            }
            if (i != expected) throw new IllegalStateException("samples of a partition are not numbered consecutively: " + i + " after " + (expected - 1));
            expected++;
            if (problem == null && s._1().x().length != features) {
                problem = "sample " + i + " has " + s._1().x().length + " features; the model takes " + features;
            } else if (problem == null && s._1().y().length != targets) {
                problem = "sample " + i + " has a target of " + s._1().y().length + " values, sample " + first + " one of " + targets;
            }
            xs.add(s._1().x());
            ys.add(s._1().y());
        }
        return List.of(new Shard(Math.max(first, 0), xs.toArray(float[][]::new), ys.toArray(float[][]::new), problem)).iterator();
    }
}
