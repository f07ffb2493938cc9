package dev.sinew.spark;

import dev.sinew.metrics.MetricState;
import dev.sinew.models.Model;
import dev.sinew.models.Trainer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Exact mode: synchronous data parallelism, one Spark job per step. The step's global batch (rows
 * {@code order[from..to)} of the shuffle {@code fit} would make with the same seed) is split by
 * where its samples live; each partition computes the gradient of its m rows of the N scaled by
 * m / N, the parts are summed in a fixed tree order ({@link Blocks#treeSum}; beyond
 * {@link #FAN_IN} partitions first in groups on the executors, see {@link #gather}) and the
 * driver applies the sum with the model's own optimizer, whose state never leaves the driver.
 * Since the loss is a
 * mean over the batch, sum_p (m_p / N) * grad_p is the whole batch's gradient: the result equals
 * {@code fit}'s up to float rounding (a different summation order, not bit for bit).
 * <p>
 * Layers that look at the whole batch cannot be exact this way: BatchNormalization normalises
 * each partition's rows by their own statistics (its moving statistics are then averaged, weighted
 * by m), and Dropout draws its masks from a stream numbered by round and partition
 * ({@link ExecutorModels#drawFrom}), not the driver's: random, fixed by the seed, but not fit's.
 */
final class ExactSteps implements Trainer.Steps {
    private final Run run;

    ExactSteps(Run run) {
        this.run = run;
    }

    /** What one partition computed for a step; all null (and m = 0) when none of the batch was there. */
    record Part(int m, double lossSum, float[] gradient, float[] nonTrainable, float[][] targets, float[][] outputs, long nanos)
            implements Serializable, Run.Trained {}

    @Override
    public float train(int epoch, int step, int[] order, int from, int to, MetricState[] states) {
        long start = System.nanoTime();
        Model model = run.model;
        int[] batch = Arrays.copyOfRange(order, from, to);
        float[] weights = Blocks.weights(model);
        Broadcast<float[]> w = run.sc.broadcast(weights);
        List<Part> parts;
        try {
            Task task = new Task(run.id, run.modelFile, w, batch, run.round(), run.shardSizes.length);
            parts = gather(run.shards.mapPartitionsWithIndex(task, true), run.shardSizes.length);
        } finally {
            w.destroy();
        }
        long collected = 0, compute = 0;
        double lossSum = 0;
        List<float[]> gradients = new ArrayList<>(), nonTrainable = new ArrayList<>();
        double[] m = new double[parts.size()];
        for (int p = 0; p < parts.size(); p++) {
            Part part = parts.get(p);
            collected += Run.bytes(part.gradient()) + Run.bytes(part.nonTrainable()) + Run.bytes(part.targets()) + Run.bytes(part.outputs());
            lossSum += part.lossSum();
            gradients.add(part.gradient());
            nonTrainable.add(part.nonTrainable());
            m[p] = part.m();
            compute = Math.max(compute, part.nanos());
        }
        float loss = (float) (lossSum / batch.length);
        if (Float.isFinite(loss)) { // else fit's loop reports it, and the model keeps its last finite weights
            model.applyGradients(Blocks.perWeight(model, Blocks.treeSum(gradients), true));
            if (weights.length > model.parameterTable().trainableSize()) {
                // Moving statistics: each partition updated them from its own rows; their mean weighted by rows.
                float[] mean = Blocks.weightedMean(nonTrainable, m);
                float[] now = Blocks.weights(model);
                System.arraycopy(mean, 0, now, (int) model.parameterTable().trainableSize(), mean.length);
                model.setWeights(Blocks.perWeight(model, now, false));
            }
            Run.score(states, parts);
        }
        run.count(start, Run.bytes(weights) + 4L * batch.length, collected, compute);
        return loss;
    }

    /**
     * The partitions' parts in partition order. Up to {@link #FAN_IN} partitions they all go to
     * the driver; beyond, they are first summed in groups of about sqrt(P) consecutive partitions
     * on the executors (one shuffle), each group in partition order, so the driver receives
     * about sqrt(P) gradient blocks instead of P — treeAggregate's shape, but in a fixed order
     * (treeAggregate merges in the order tasks finish).
     */
    static List<Part> gather(JavaRDD<Part> parts, int partitions) {
        if (partitions <= FAN_IN) return parts.collect();
        int group = (int) Math.ceil(Math.sqrt(partitions)), groups = (partitions + group - 1) / group;
        List<Tuple2<Integer, Part>> sums = new ArrayList<>(parts
                .mapPartitionsWithIndex((p, it) -> List.of(new Tuple2<>(p / group, new Tuple2<>(p, it.next()))).iterator(), true)
                .mapToPair(t -> t).groupByKey(groups).mapValues(ExactSteps::inOrder).collect());
        sums.sort(Comparator.comparing(Tuple2::_1));
        List<Part> out = new ArrayList<>();
        for (Tuple2<Integer, Part> t : sums) out.add(t._2());
        return out;
    }

    /** Partitions above which {@link #gather} sums in two levels. */
    static final int FAN_IN = 8;

    /** One part standing for a group's: sums (the gradient pairwise, in partition order), rows concatenated, statistics averaged by m. */
    private static Part inOrder(Iterable<Tuple2<Integer, Part>> group) {
        List<Tuple2<Integer, Part>> sorted = new ArrayList<>();
        group.forEach(sorted::add);
        sorted.sort(Comparator.comparing(Tuple2::_1));
        int m = 0;
        double lossSum = 0;
        long nanos = 0;
        List<float[]> gradients = new ArrayList<>(), nonTrainable = new ArrayList<>(), targets = new ArrayList<>(), outputs = new ArrayList<>();
        double[] weight = new double[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            Part p = sorted.get(i)._2();
            m += p.m();
            lossSum += p.lossSum();
            nanos = Math.max(nanos, p.nanos());
            gradients.add(p.gradient());
            nonTrainable.add(p.nonTrainable());
            weight[i] = p.m();
            if (p.targets() != null) {
                targets.addAll(List.of(p.targets()));
                outputs.addAll(List.of(p.outputs()));
            }
        }
        if (m == 0) return new Part(0, 0, null, null, null, null, nanos);
        boolean statistics = nonTrainable.stream().anyMatch(x -> x != null);
        return new Part(m, lossSum, Blocks.treeSum(gradients), statistics ? Blocks.weightedMean(nonTrainable, weight) : null,
                targets.toArray(float[][]::new), outputs.toArray(float[][]::new), nanos);
    }

    /** The executor's side of a step: the gradient of the batch rows held in this partition. */
    private record Task(String run, Broadcast<byte[]> modelFile, Broadcast<float[]> weights, int[] batch, long round, int partitions)
            implements Function2<Integer, Iterator<Shard>, Iterator<Part>> {
        @Override
        public Iterator<Part> call(Integer partition, Iterator<Shard> shards) {
            Shard shard = shards.next();
            // The batch's samples held here, in batch order, as rows of the shard.
            int[] here = Arrays.stream(batch).filter(shard::holds).map(i -> (int) (i - shard.first())).toArray();
            int m = here.length;
            if (m == 0) return List.of(new Part(0, 0, null, null, null, null, 0)).iterator();
            float[][] x = new float[m][], y = new float[m][];
            for (int r = 0; r < m; r++) {
                x[r] = shard.x()[here[r]];
                y[r] = shard.y()[here[r]];
            }
            long start = System.nanoTime();
            Part part = ExecutorModels.use(run, modelFile.value(), model -> {
                Blocks.setWeights(model, weights.value());
                ExecutorModels.drawFrom(model, round * partitions + partition);
                double loss = model.computeGradients(x, y);
                float[] g = Blocks.gradients(model);
                float scale = (float) m / batch.length; // this part's share of the batch mean
                for (int j = 0; j < g.length; j++) g[j] *= scale;
                Part computed = new Part(m, loss * m, g, Blocks.nonTrainable(model), y, model.lastTrainingOutput(), System.nanoTime() - start);
                TaskFaults.check(round, partition); // after the copy has changed: a retry must not mind
                return computed;
            });
            return List.of(part).iterator();
        }
    }
}
