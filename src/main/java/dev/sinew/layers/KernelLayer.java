package dev.sinew.layers;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backend.ShardTask;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.List;
import java.util.Map;

/**
 * What {@link Dense}, {@link Conv2D}, {@link DepthwiseConv2D} and {@link SeparableConv2D} share: a
 * kernel (a layer may have more: its weights come kernels first, then the bias, as in Keras), a bias
 * unless {@code use_bias} is false, the gradients of all of them per shard of the batch, and an
 * activation that a loss may fuse with.
 */
public abstract class KernelLayer extends Layer implements Activated {
    protected final Activation activation;
    protected boolean useBias;
    private boolean fusedWithLoss;
    // Views into the model's parameter tensors: the first weight and the bias (null without one).
    protected Tensor kernel, bias, dKernel, dBias;
    protected Tensor y, dx;          // this layer's output and input gradient buffers (capacity rows)
    protected Tensor z;              // the pre-activation (capacity rows), kept only when the
                                     // activation is differentiated from it (Activation.needsInput)
    protected Tensor x, dy;          // the last forward input and the gradient being propagated (not owned)
    protected boolean needInputGradient;
    private Tensor[] gradients = {};           // every weight's gradient, in weight order (shard 0's)
    private Tensor[][] gradientShards = {};    // [shard][weight] for shards 1, 2, ...
    private final ShardTask forwardShard = this::forwardShard, backwardShard = this::backwardShard;

    protected KernelLayer(Activation activation) {
        this(activation, true);
    }

    protected KernelLayer(Activation activation, boolean useBias) {
        this.activation = activation == null ? Activation.LINEAR : activation;
        this.useBias = useBias;
    }

    /** Whether the layer adds a bias (Keras's {@code use_bias}); without one it has no bias weight. */
    public boolean useBias() {
        return useBias;
    }

    /**
     * Sets Keras's {@code use_bias}; the layer must not be in a model yet (its weights are laid
     * out when it is added). Subclasses return themselves: {@code new Conv2D(32, 3).useBias(false)}.
     */
    protected void setUseBias(boolean useBias) {
        if (isBuilt()) {
            throw new IllegalStateException(describe() + " is already in a model; set use_bias before adding it");
        }
        this.useBias = useBias;
    }

    /** The weight shapes: the kernel, then the bias of {@code units} values unless use_bias is false. */
    protected List<Shape> kernelAndBias(Shape kernelShape, int units) {
        return useBias ? List.of(kernelShape, Shape.of(units)) : List.of(kernelShape);
    }

    /** Keras's {@code use_bias} key, added to a subclass's config after its activation. */
    protected void putUseBias(Map<String, Object> config) {
        config.put("use_bias", useBias);
    }

    @Override
    public Activation activation() {
        return activation;
    }

    @Override
    public void setActivationFusedWithLoss(boolean fused) {
        this.fusedWithLoss = fused;
    }

    /**
     * The forward pass over one shard of the batch, rows {@code [from, to)}: reads {@code x},
     * writes those rows of {@code y}. Rows are independent, so shards may run at the same time.
     */
    protected abstract void forwardShard(int s, int from, int to);

    /**
     * The backward pass over one shard: reads those rows of {@code dy} (turning them into dL/dz in
     * place), writes the shard's kernel and bias gradients to {@link #dKernel(int)} and
     * {@link #dBias(int)}, and those rows of {@code dx} when {@code needInputGradient}.
     */
    protected abstract void backwardShard(int s, int from, int to);

    /** About the floating-point operations of a pass over n rows: whether splitting pays. */
    protected abstract long work(int n);

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        this.x = x;
        backend.forEachShard(n, work(n), forwardShard);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        this.dy = dy;
        this.needInputGradient = needInputGradient;
        addGradientShards(backend.forEachShard(n, work(n), backwardShard));
        return needInputGradient ? dx : null;
    }

    @Override
    public List<String> weightNames() {
        return useBias ? List.of("kernel", "bias") : List.of("kernel");
    }

    /** Binds the first weight as {@code kernel} and, with a bias, the last as {@code bias}. */
    @Override
    public void bindWeights(List<Tensor> weights, List<Tensor> gradients) {
        kernel = weights.get(0);
        dKernel = gradients.get(0);
        bias = useBias ? weights.getLast() : null;
        dBias = useBias ? gradients.getLast() : null;
        this.gradients = gradients.toArray(new Tensor[0]);
    }

    /**
     * Buffers for every weight's gradient in batch shards 1, 2, ... (see
     * {@code Backend.forEachShard}); shard 0 writes the bound gradients directly.
     */
    protected void allocateGradientShards(Workspace workspace, int capacity) {
        int shards = Math.min(backend.shards(), capacity);
        gradientShards = new Tensor[shards][];
        for (int s = 1; s < shards; s++) {
            gradientShards[s] = new Tensor[gradients.length];
            for (int i = 0; i < gradients.length; i++) {
                if (gradients[i] != null) gradientShards[s][i] = workspace.allocate(gradients[i].shape());
            }
        }
    }

    /** Where shard {@code s} writes its part of the gradient of weight {@code i} (weight order). */
    protected Tensor gradient(int s, int i) {
        return s == 0 ? gradients[i] : gradientShards[s][i];
    }

    /** Where shard {@code s} writes its part of the kernel gradient. */
    protected Tensor dKernel(int s) {
        return gradient(s, 0);
    }

    /** Where shard {@code s} writes its part of the bias gradient; null without a bias. */
    protected Tensor dBias(int s) {
        return useBias ? gradient(s, gradients.length - 1) : null;
    }

    /**
     * The shard's part of the bias gradient, the column sums of its dL/dz ({@code rows x cols});
     * nothing without a bias.
     */
    protected void biasGradient(int s, Tensor dz, int rows, int cols) {
        if (useBias) backend.columnSum(dBias(s), dz, rows, cols);
    }

    /**
     * Adds the parts of shards 1 .. shards-1 into the bound gradients, each value in shard order,
     * itself split over the cores by value ranges (the kernel gradient of a Dense layer is as
     * large as its kernel: one thread summing it left the others waiting).
     */
    protected void addGradientShards(int shards) {
        if (shards < 2) return;
        sumShards = shards;
        for (int i = 0; i < gradients.length; i++) {
            if (gradients[i] == null) continue;
            sumWeight = i;
            int n = (int) gradients[i].size();
            backend.forEachShard(n, Backend.memoryPass(n, shards + 1), sumPart);
        }
    }

    private int sumShards, sumWeight;
    private final ShardTask sumPart = this::sumPart;

    private void sumPart(int part, int from, int to) {
        Tensor sum = gradients[sumWeight].fromRow(from, 1);
        for (int s = 1; s < sumShards; s++) backend.axpy(to - from, 1f, gradientShards[s][sumWeight].fromRow(from, 1), sum);
    }

    /** Allocates {@link #z} when the activation needs it for the backward pass, else leaves it null. */
    protected void allocatePreActivation(Workspace workspace, int capacity, long perSample) {
        z = activation.needsInput() ? allocateRows(workspace, "pre-activation", capacity, perSample) : null;
    }

    /** The rows of {@link #z} from sample {@code from} on, or null when z is not kept. */
    protected Tensor preActivation(int from, int perSample) {
        return z == null ? null : z.fromRow(from, perSample);
    }

    /**
     * ys (rows x cols) holds x W; makes it act(x W + b) in place (no b without a bias). When zs is
     * not null (the activation needs z), x W + b is first kept there and the activation reads it.
     */
    protected void biasActivation(Tensor ys, Tensor zs, int rows, int cols) {
        if (zs == null && bias == null && activation == Activation.LINEAR) return; // nothing to add or apply
        if (zs == null) {
            backend.biasActivation(ys, ys, bias, rows, cols, activation);
        } else {
            backend.biasActivation(zs, ys, bias, rows, cols, Activation.LINEAR);
            backend.biasActivation(ys, zs, null, rows, cols, activation);
        }
    }

    /**
     * Turns dL/dy (in {@code dy}, {@code rows x cols}) into dL/dz in place, from the output y (and
     * the pre-activation zs, null unless the activation needs it); a no-op when the loss already
     * delivered dL/dz (softmax + cross-entropy).
     */
    protected void activationBackward(Tensor dy, Tensor zs, Tensor y, int rows, int cols) {
        if (!fusedWithLoss) {
            backend.activationBackward(dy, zs, y, dy, rows, cols, activation, activation.defaultAlpha());
        }
    }
}
