package dev.sinew.layers;

import dev.sinew.activations.Activation;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.List;

/**
 * What {@link Dense} and {@link Conv2D} share: a kernel and a bias (Keras's names and order), the
 * gradients of both, and an activation that a loss may fuse with.
 */
public abstract class KernelLayer extends Layer implements Activated {
    protected final Activation activation;
    private boolean fusedWithLoss;
    protected Tensor kernel, bias, dKernel, dBias; // views into the model's parameter tensors
    private Tensor[] dKernelShards = {}, dBiasShards = {};

    protected KernelLayer(Activation activation) {
        this.activation = activation == null ? Activation.LINEAR : activation;
    }

    @Override
    public Activation activation() {
        return activation;
    }

    @Override
    public void setActivationFusedWithLoss(boolean fused) {
        this.fusedWithLoss = fused;
    }

    @Override
    public List<String> weightNames() {
        return List.of("kernel", "bias");
    }

    @Override
    public void bindWeights(List<Tensor> weights, List<Tensor> gradients) {
        kernel = weights.get(0);
        bias = weights.get(1);
        dKernel = gradients.get(0);
        dBias = gradients.get(1);
    }

    /**
     * Buffers for the kernel and bias gradients of batch shards 1, 2, ... (see
     * {@code Backend.forEachShard}); shard 0 writes {@code dKernel} and {@code dBias} directly.
     */
    protected void allocateGradientShards(Workspace workspace, int capacity) {
        int shards = Math.min(backend.shards(), capacity);
        dKernelShards = new Tensor[shards];
        dBiasShards = new Tensor[shards];
        for (int s = 1; s < shards; s++) {
            dKernelShards[s] = workspace.allocate(dKernel.shape());
            dBiasShards[s] = workspace.allocate(dBias.shape());
        }
    }

    /** Where shard {@code s} writes its part of the kernel gradient. */
    protected Tensor dKernel(int s) {
        return s == 0 ? dKernel : dKernelShards[s];
    }

    /** Where shard {@code s} writes its part of the bias gradient. */
    protected Tensor dBias(int s) {
        return s == 0 ? dBias : dBiasShards[s];
    }

    /** Adds the parts of shards 1 .. shards-1 into dKernel and dBias, in shard order. */
    protected void addGradientShards(int shards) {
        for (int s = 1; s < shards; s++) {
            backend.axpy(dKernel.size(), 1f, dKernelShards[s], dKernel);
            backend.axpy(dBias.size(), 1f, dBiasShards[s], dBias);
        }
    }

    /**
     * Turns dL/dy (in {@code dy}, {@code rows x cols}) into dL/dz in place, from the output y; a
     * no-op when the loss already delivered dL/dz (softmax + cross-entropy).
     */
    protected void activationBackward(Tensor dy, Tensor y, int rows, int cols) {
        if (!fusedWithLoss) backend.activationBackward(dy, y, dy, rows, cols, activation);
    }
}
