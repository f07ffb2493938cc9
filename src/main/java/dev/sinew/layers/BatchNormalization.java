package dev.sinew.layers;

import dev.sinew.backend.Backend.ShardTask;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Batch normalisation, as Keras's {@code BatchNormalization}: each channel (the last axis) is
 * normalised, then scaled and shifted,
 * {@code y = gamma * (x - mean) / sqrt(variance + epsilon) + beta}.
 * <ul>
 *   <li>Training ({@code fit}, {@code trainOnBatch}, {@code computeGradients}: every forward pass in
 *       training mode, one per step): mean and (biased) variance of the batch, over every axis but
 *       the last (over {@code n*h*w} rows of C for images); then
 *       {@code moving = moving * momentum + batch * (1 - momentum)} for both statistics.</li>
 *   <li>Inference ({@code predict}, {@code evaluate}): the moving statistics.</li>
 * </ul>
 * Options (Keras's defaults): {@code axis} -1 (only the last axis is supported; its positive index
 * is accepted too), {@code momentum} 0.99, {@code epsilon} 0.001, {@code center} (use beta) and
 * {@code scale} (use gamma) true. Input of any shape, output the same. Weights, in Keras's order:
 * gamma (C) ones and beta (C) zeros, trainable; moving_mean (C) zeros and moving_variance (C) ones,
 * not trainable (no gradient, no optimizer update; saved and loaded with the others).
 *
 * <p>A batch is split into shards over the threads: each shard's statistics are computed apart and
 * combined in shard order (Chan et al.'s formula), so the statistics are the whole batch's, and the
 * result depends only on the data and the thread count. Backward in training mode is the fused
 * batch-norm gradient: dbeta = sum dy, dgamma = sum dy xhat,
 * {@code dx = gamma / sqrt(variance + epsilon) * (dy - mean(dy) - xhat * mean(dy xhat))}.
 */
public final class BatchNormalization extends Normalization {
    private final double momentum;
    // What the kernels use, rounded as Keras's float32 arithmetic rounds them: the Python floats
    // momentum and 1.0 - momentum (computed in double) become float32 constants.
    private final float keep, blend;

    private Tensor movingMean, movingVariance;
    private Tensor y;                            // (capacity, width)
    private Tensor batchMean, batchVariance;     // (C): the statistics of the last training batch
    private Tensor gammaSums, betaSums;          // (C): sum dy xhat and sum dy over the batch
    // Shards 1..: their own statistics and sums (shard 0 writes the batch's tensors directly).
    private Tensor[] shardMean = {}, shardVariance = {}, shardGammaSums = {}, shardBetaSums = {};
    private int[] shardSamples = {};
    private Tensor x, dy; // the last forward's input and the gradient being propagated (not owned)
    private boolean batchStatistics; // whether the last forward normalised with the batch's statistics
    private int n;
    private final ShardTask statsShard = this::statsShard, forwardShard = this::forwardShard,
            sumsShard = this::sumsShard, backwardShard = this::backwardShard;

    /** Keras's defaults: axis -1, momentum 0.99, epsilon 0.001, center and scale. */
    public BatchNormalization() {
        this(-1, 0.99, 1e-3, true, true);
    }

    public BatchNormalization(double momentum, double epsilon) {
        this(-1, momentum, epsilon, true, true);
    }

    /**
     * @param axis     the normalised axis: -1, or the last axis's index counted with the batch axis
     *                 (3 for images (batch, h, w, c)); checked when the input shape is known
     * @param momentum of the moving statistics, in [0, 1]
     * @param epsilon  added to the variance, finite and &gt;= 0
     * @param center   whether to add beta
     * @param scale    whether to multiply by gamma
     */
    public BatchNormalization(int axis, double momentum, double epsilon, boolean center, boolean scale) {
        super(axis, epsilon, center, scale);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNormalization momentum must be in [0, 1], got momentum=" + momentum);
        }
        this.momentum = momentum;
        this.keep = (float) momentum;
        this.blend = (float) (1.0 - momentum);
    }

    public double momentum() {
        return momentum;
    }

    @Override
    protected List<String> stateNames() {
        return List.of("moving_mean", "moving_variance");
    }

    @Override
    public List<Boolean> weightTrainable() {
        return weightNames().stream().map(w -> !w.startsWith("moving_")).toList();
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", (long) axis);
        c.put("momentum", momentum);
        putAffine(c);
        return c;
    }

    @Override
    public void bindWeights(List<Tensor> weights, List<Tensor> gradients) {
        int k = bindAffine(weights, gradients);
        movingMean = weights.get(k++);
        movingVariance = weights.get(k);
    }

    @Override
    public void initializeWeights(RandomGenerator rng) {
        super.initializeWeights(rng);
        Initializers.zeros(movingMean);
        Initializers.ones(movingVariance);
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, width);
        Shape c = Shape.of(channels);
        batchMean = workspace.allocate(c);
        batchVariance = workspace.allocate(c);
        gammaSums = dGamma != null ? dGamma : workspace.allocate(c);
        betaSums = dBeta != null ? dBeta : workspace.allocate(c);
        int shards = Math.min(backend.shards(), capacity);
        shardMean = new Tensor[shards];
        shardVariance = new Tensor[shards];
        shardGammaSums = new Tensor[shards];
        shardBetaSums = new Tensor[shards];
        shardSamples = new int[shards];
        for (int s = 1; s < shards; s++) {
            shardMean[s] = workspace.allocate(c);
            shardVariance[s] = workspace.allocate(c);
            shardGammaSums[s] = workspace.allocate(c);
            shardBetaSums[s] = workspace.allocate(c);
        }
    }

    // Training: the batch's statistics (per shard, then combined), the moving statistics updated
    // once, then y normalised with the batch's statistics. Inference: y with the moving ones.
    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        this.x = x;
        this.n = n;
        this.batchStatistics = training;
        if (training) {
            combineShards(backend.forEachShard(n, work(n), statsShard));
            updateMovingStatistics();
        }
        backend.forEachShard(n, work(n), forwardShard);
        return y;
    }

    // dgamma = sum dy xhat, dbeta = sum dy (per shard, added in shard order); then, with those
    // sums over the whole batch, dx in place in dy.
    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        this.dy = dy;
        int shards = backend.forEachShard(n, work(n), sumsShard);
        for (int s = 1; s < shards; s++) {
            backend.axpy(channels, 1f, shardGammaSums[s], gammaSums);
            backend.axpy(channels, 1f, shardBetaSums[s], betaSums);
        }
        if (!needInputGradient) return null;
        backend.forEachShard(n, work(n), backwardShard);
        return dy;
    }

    private void statsShard(int s, int from, int to) {
        shardSamples[s] = to - from;
        backend.batchnormStats(s == 0 ? batchMean : shardMean[s], s == 0 ? batchVariance : shardVariance[s],
                x.fromRow(from, width), rows(from, to), channels);
    }

    private void forwardShard(int s, int from, int to) {
        backend.batchnormForward(y.fromRow(from, width), x.fromRow(from, width), mean(), variance(), gamma, beta,
                rows(from, to), channels, eps);
    }

    private void sumsShard(int s, int from, int to) {
        backend.batchnormBackwardSums(s == 0 ? gammaSums : shardGammaSums[s], s == 0 ? betaSums : shardBetaSums[s],
                dy.fromRow(from, width), x.fromRow(from, width), mean(), variance(), rows(from, to), channels, eps);
    }

    // The moving statistics were constants of an inference-mode forward: no terms for the batch's.
    private void backwardShard(int s, int from, int to) {
        Tensor d = dy.fromRow(from, width);
        backend.batchnormBackward(d, d, x.fromRow(from, width), mean(), variance(), gamma,
                batchStatistics ? gammaSums : null, batchStatistics ? betaSums : null, rows(from, to), channels,
                (long) n * positions, eps);
    }

    /**
     * Shard 0's statistics (in batchMean, batchVariance) and the others' become the whole batch's:
     * mean = sum n_s mean_s / N and variance = sum n_s (variance_s + (mean_s - mean)^2) / N, in
     * double, in shard order (Chan, Golub and LeVeque's pairwise update, all at once).
     */
    private void combineShards(int shards) {
        if (shards == 1) return;
        double total = 0;
        for (int s = 0; s < shards; s++) total += shardSamples[s];
        for (int c = 0; c < channels; c++) {
            double mean = 0;
            for (int s = 0; s < shards; s++) mean += shardSamples[s] * (double) meanOf(s).get(c);
            mean /= total;
            double m2 = 0;
            for (int s = 0; s < shards; s++) {
                double d = meanOf(s).get(c) - mean;
                m2 += shardSamples[s] * (varianceOf(s).get(c) + d * d);
            }
            batchMean.set(c, (float) mean);
            batchVariance.set(c, (float) (m2 / total));
        }
    }

    private Tensor meanOf(int s) {
        return s == 0 ? batchMean : shardMean[s];
    }

    private Tensor varianceOf(int s) {
        return s == 0 ? batchVariance : shardVariance[s];
    }

    // Keras: moving = moving * momentum + batch * (1.0 - momentum), in float32 (Java's float
    // arithmetic rounds each operation, as numpy's does). Variances are the biased ones.
    private void updateMovingStatistics() {
        for (int c = 0; c < channels; c++) {
            movingMean.set(c, movingMean.get(c) * keep + batchMean.get(c) * blend);
            movingVariance.set(c, movingVariance.get(c) * keep + batchVariance.get(c) * blend);
        }
    }

    private Tensor mean() {
        return batchStatistics ? batchMean : movingMean;
    }

    private Tensor variance() {
        return batchStatistics ? batchVariance : movingVariance;
    }

    private long rows(int from, int to) {
        return (long) (to - from) * positions;
    }
}
