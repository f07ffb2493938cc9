package dev.sinew.spark;

import dev.sinew.data.Dataset;
import dev.sinew.metrics.MetricState;
import dev.sinew.models.Model;
import dev.sinew.models.Trainer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * Averaging mode, Deeplearning4j's parameter averaging: each round, every partition starts from
 * the driver's weights and optimizer state, trains K local steps on batches of its own samples
 * (its own shuffle per epoch), and the driver averages the resulting weights and optimizer state
 * (weighted by the samples each trained). The batch size is global, as in exact mode: each of P
 * partitions trains on ceil(batch / P) of its samples a step, so that a round of K steps covers
 * about K global batches and an epoch has about as many averaged steps as {@code fit} has steps.
 * An epoch is every partition's pass over its samples: ceil(ceil(n_p / local batch) / K) rounds
 * for the largest partition n_p. One Spark job per K steps instead of per step, but the result
 * is not {@code fit}'s: with one partition it is exactly {@code fit} without shuffling; with more,
 * a mean of models each trained on part of the data.
 */
final class AveragingSteps implements Trainer.Steps {
    private final Run run;
    private final int k, batchSize;
    private final boolean shuffle;
    private final long seed;
    private int lastTrained;

    AveragingSteps(Run run, int k, int globalBatch, boolean shuffle, long seed) {
        this.run = run;
        this.k = k;
        int partitions = run.shardSizes.length;
        this.batchSize = (globalBatch + partitions - 1) / partitions; // a partition's share of the global batch
        this.shuffle = shuffle;
        this.seed = seed;
    }

    /** What one partition did in a round: samples trained (0 when it had none left), and its model afterwards. */
    record Part(int samples, int steps, double lossSum, float[] weights, float[] state, float[][] targets, float[][] outputs,
            long nanos)
            implements Serializable, Run.Trained {}

    @Override
    public int perEpoch(int samples, int batch) {
        int most = 0;
        for (int n : run.shardSizes) most = Math.max(most, (n + batchSize - 1) / batchSize);
        return (most + k - 1) / k;
    }

    @Override
    public float train(int epoch, int round, int[] order, int from, int to, MetricState[] states) {
        long start = System.nanoTime();
        Model model = run.model;
        float[] weights = Blocks.weights(model), state = Blocks.optimizerState(model);
        long iterations = model.optimizer().iterations();
        Broadcast<float[]> w = run.sc.broadcast(weights), s = run.sc.broadcast(state);
        List<Part> parts;
        try {
            // A callback (LearningRateScheduler, ReduceLROnPlateau) may have changed the driver's learning rate.
            double lr = model.optimizer().schedule() == null ? model.optimizer().learningRate() : Double.NaN;
            Task task = new Task(run.id, run.modelFile, w, s, iterations, lr, epoch, round, k, batchSize, shuffle, seed, run.round(),
                    run.shardSizes.length);
            parts = run.shards.mapPartitionsWithIndex(task, true).collect();
        } finally {
            w.destroy();
            s.destroy();
        }
        long collected = 0, compute = 0;
        double lossSum = 0;
        int samples = 0, steps = 0;
        double[] share = new double[parts.size()];
        List<float[]> ws = new ArrayList<>(), ss = new ArrayList<>();
        for (int p = 0; p < parts.size(); p++) {
            Part part = parts.get(p);
            collected += Run.bytes(part.weights()) + Run.bytes(part.state()) + Run.bytes(part.targets()) + Run.bytes(part.outputs());
            lossSum += part.lossSum();
            samples += part.samples();
            steps = Math.max(steps, part.steps());
            share[p] = part.samples();
            ws.add(part.weights());
            ss.add(part.state());
            compute = Math.max(compute, part.nanos());
        }
        lastTrained = samples;
        float loss = (float) (lossSum / Math.max(samples, 1));
        if (samples > 0 && Float.isFinite(loss)) { // else fit's loop reports it, and the model keeps its weights
            model.setWeights(Blocks.perWeight(model, Blocks.weightedMean(ws, share), false));
            // The schedule and bias corrections go on from the most steps any partition took.
            Blocks.setOptimizerState(model, state.length == 0 ? state : Blocks.weightedMean(ss, share), iterations + steps);
            Run.score(states, parts);
        }
        run.count(start, Run.bytes(weights) + Run.bytes(state), collected, compute);
        return loss;
    }

    @Override
    public int trained(int from, int to) {
        return lastTrained;
    }

    /** The executor's side of a round: up to K local steps of this epoch's pass over the partition. */
    private record Task(String run, Broadcast<byte[]> modelFile, Broadcast<float[]> weights, Broadcast<float[]> state,
            long iterations, double learningRate, int epoch, int round, int k, int batchSize, boolean shuffle, long seed, long roundNumber,
            int partitions)
            implements Function2<Integer, Iterator<Shard>, Iterator<Part>> {
        @Override
        public Iterator<Part> call(Integer partition, Iterator<Shard> shards) {
            Shard shard = shards.next();
            int n = shard.size(), first = round * k * batchSize;
            if (first >= n) return List.of(new Part(0, 0, 0, null, null, null, null, 0)).iterator();
            long start = System.nanoTime();
            int[] order = localOrder(n, partition);
            Part part = ExecutorModels.use(run, modelFile.value(), model -> {
                Blocks.setWeights(model, weights.value());
                Blocks.setOptimizerState(model, state.value(), iterations);
                if (!Double.isNaN(learningRate)) model.optimizer().setLearningRate(learningRate);
                // Random layers: a stream per task, numbered so that no two tasks' local steps share one.
                ExecutorModels.drawFrom(model, (roundNumber * partitions + partition) * k);
                List<float[]> targets = new ArrayList<>(), outputs = new ArrayList<>();
                double lossSum = 0;
                int steps = 0, at = first;
                for (; steps < k && at < n; steps++) {
                    int m = Math.min(batchSize, n - at);
                    float[][] x = new float[m][], y = new float[m][];
                    for (int r = 0; r < m; r++) {
                        x[r] = shard.x()[order[at + r]];
                        y[r] = shard.y()[order[at + r]];
                    }
                    lossSum += (double) model.trainOnBatch(x, y)[0] * m;
                    targets.addAll(List.of(y));
                    outputs.addAll(List.of(model.lastTrainingOutput()));
                    at += m;
                }
                Part computed = new Part(at - first, steps, lossSum, Blocks.weights(model), Blocks.optimizerState(model),
                        targets.toArray(float[][]::new), outputs.toArray(float[][]::new), System.nanoTime() - start);
                TaskFaults.check(roundNumber, partition); // after the copy has changed: a retry must not mind
                return computed;
            });
            return List.of(part).iterator();
        }

        /** This epoch's order of the partition's samples: its own shuffle, the same on every attempt. */
        private int[] localOrder(int n, int partition) {
            if (!shuffle) {
                int[] identity = new int[n];
                for (int i = 0; i < n; i++) identity[i] = i;
                return identity;
            }
            long mixed = seed ^ (epoch + 1) * 0x9E3779B97F4A7C15L ^ (partition + 1L) * 0xC2B2AE3D27D4EB4FL;
            return Dataset.permutation(n, new SplittableRandom(mixed));
        }
    }
}
