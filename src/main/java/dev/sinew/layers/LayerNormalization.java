package dev.sinew.layers;

import dev.sinew.backend.Backend.ShardTask;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.List;
import java.util.Map;

/**
 * Layer normalisation, as Keras's {@code LayerNormalization}: each sample's values along the last
 * axis are normalised by their own mean and (biased) variance, then scaled and shifted,
 * {@code y = gamma * (x - mean) / sqrt(variance + epsilon) + beta}, the same in training and
 * inference (no batch statistics, no state).
 * <ul>
 *   <li>{@code axis}: -1 (only the last axis is supported; its positive index is accepted too);</li>
 *   <li>{@code epsilon} 0.001, {@code center} (use beta) and {@code scale} (use gamma) true, as Keras.</li>
 * </ul>
 * Input of any shape, output the same; a sample of shape (..., C) is normalised as rows of C.
 * Weights: gamma (C) ones and beta (C) zeros. Backward:
 * {@code dx = (g - mean(g) - xhat * mean(g xhat)) / sqrt(variance + epsilon)} per row, with
 * {@code g = dy * gamma}; dgamma = sum dy xhat, dbeta = sum dy over the rows.
 */
public final class LayerNormalization extends Normalization {
    private Tensor y;                          // (capacity, width)
    private Tensor mean, invStd;               // (capacity, positions): each row's, kept for backward
    private Tensor[] shardDGamma = {}, shardDBeta = {};
    private Tensor x, dy;                      // not owned
    private final ShardTask forwardShard = this::forwardShard, backwardShard = this::backwardShard;

    /** Keras's defaults: axis -1, epsilon 0.001, center and scale. */
    public LayerNormalization() {
        this(-1, 1e-3, true, true);
    }

    public LayerNormalization(double epsilon) {
        this(-1, epsilon, true, true);
    }

    /**
     * @param axis    the normalised axis: -1, or the last axis's index counted with the batch axis;
     *                checked when the input shape is known
     * @param epsilon added to the variance, finite and &gt;= 0
     * @param center  whether to add beta
     * @param scale   whether to multiply by gamma
     */
    public LayerNormalization(int axis, double epsilon, boolean center, boolean scale) {
        super(axis, epsilon, center, scale);
    }

    /** As Keras writes it: the axis as given, and once built the sorted list of positive axes ({@code [3]}). */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", isBuilt() ? List.of((long) inputShape().rank()) : (Object) (long) axis);
        putAffine(c);
        c.put("rms_scaling", false);
        return c;
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, width);
        mean = allocateRows(workspace, "row means", capacity, positions);
        invStd = allocateRows(workspace, "row scales", capacity, positions);
        int shards = Math.min(backend.shards(), capacity);
        shardDGamma = new Tensor[shards];
        shardDBeta = new Tensor[shards];
        for (int s = 1; s < shards; s++) {
            if (dGamma != null) shardDGamma[s] = workspace.allocate(dGamma.shape());
            if (dBeta != null) shardDBeta[s] = workspace.allocate(dBeta.shape());
        }
    }

    // Rows are independent: each shard normalises its samples' rows.
    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        this.x = x;
        backend.forEachShard(n, work(n), forwardShard);
        return y;
    }

    // dx in place in dy, per shard; the shards' dgamma and dbeta added in shard order.
    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        this.dy = dy;
        int shards = backend.forEachShard(n, work(n), backwardShard);
        for (int s = 1; s < shards; s++) {
            if (dGamma != null) backend.axpy(channels, 1f, shardDGamma[s], dGamma);
            if (dBeta != null) backend.axpy(channels, 1f, shardDBeta[s], dBeta);
        }
        return needInputGradient ? dy : null;
    }

    private void forwardShard(int s, int from, int to) {
        backend.layernormForward(y.fromRow(from, width), mean.fromRow(from, positions), invStd.fromRow(from, positions),
                x.fromRow(from, width), gamma, beta, (long) (to - from) * positions, channels, eps);
    }

    private void backwardShard(int s, int from, int to) {
        Tensor d = dy.fromRow(from, width);
        backend.layernormBackward(d, s == 0 ? dGamma : shardDGamma[s], s == 0 ? dBeta : shardDBeta[s], d,
                x.fromRow(from, width), mean.fromRow(from, positions), invStd.fromRow(from, positions), gamma,
                (long) (to - from) * positions, channels);
    }
}
