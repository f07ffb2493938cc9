package dev.sinew.spark;

import dev.sinew.metrics.MetricState;
import dev.sinew.models.Model;
import dev.sinew.models.Trainer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * Exact mode: synchronous data parallelism, one Spark job per step. The step's global batch (rows
 * {@code order[from..to)} of the shuffle {@code fit} would make with the same seed) is split by
 * where its samples live; each partition computes the gradient of its m rows of the N scaled by
 * m / N, the driver sums the parts in a fixed tree order ({@link Blocks#treeSum}) and applies the
 * sum with the model's own optimizer, whose state never leaves the driver. Since the loss is a
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
            parts = run.shards.mapPartitionsWithIndex(task, true).collect();
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
