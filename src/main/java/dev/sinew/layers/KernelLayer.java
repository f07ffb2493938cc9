package dev.sinew.layers;

import dev.sinew.activations.Activation;
import dev.sinew.tensor.Tensor;
import java.util.List;

/**
 * What {@link Dense} and {@link Conv2D} share: a kernel and a bias (Keras's names and order), the
 * gradients of both, and an activation that a loss may fuse with.
 */
public abstract class KernelLayer extends Layer implements Activated {
    protected final Activation activation;
    private boolean fusedWithLoss;
    protected Tensor kernel, bias, dKernel, dBias; // views into the model's parameter tensors

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
     * Turns dL/dy (in {@code dy}, {@code rows x cols}) into dL/dz in place, from the output y; a
     * no-op when the loss already delivered dL/dz (softmax + cross-entropy).
     */
    protected void activationBackward(Tensor dy, Tensor y, int rows, int cols) {
        if (!fusedWithLoss) backend.activationBackward(dy, y, dy, rows, cols, activation);
    }
}
