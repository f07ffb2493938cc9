package dev.sinew.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A model's weights: one off-heap block of values, one block of gradients for the trainable ones,
 * and the table saying which slice is which ({@link Variable}: layer, name, offset, shape,
 * trainable). As llm.c's {@code params_memory}, but with names, so that an optimizer can treat a
 * bias differently from a kernel (weight decay, per-weight clipping) and non-trainable weights
 * (BatchNormalization's moving statistics) get neither gradient nor update.
 *
 * <p>Layout: the trainable weights first, in Keras order (layer by layer, each layer's weights in
 * its own order), then the non-trainable ones. {@link #variables()} lists them in Keras order,
 * which is also {@code getWeights()}'s order.
 */
public final class ParameterTable {
    private final Tensor values, gradients;
    private final List<Variable> variables;
    private final long trainableSize, size;

    /**
     * Lays out {@code specs} (in Keras order) in blocks allocated from {@code workspace}. Blocks
     * hold at least one value, so a model without weights still has valid tensors.
     */
    public static ParameterTable allocate(Workspace workspace, List<Spec> specs) {
        long trainable = 0, total = 0;
        for (Spec s : specs) {
            total += s.shape().size();
            if (s.trainable()) trainable += s.shape().size();
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("weights up to " + s.layer() + "/" + s.name() + " hold " + total
                        + " values; one model holds at most " + Integer.MAX_VALUE);
            }
        }
        List<Variable> vs = new ArrayList<>();
        long nextTrainable = 0, nextFrozen = trainable;
        for (Spec s : specs) {
            long offset;
            if (s.trainable()) {
                offset = nextTrainable;
                nextTrainable += s.shape().size();
            } else {
                offset = nextFrozen;
                nextFrozen += s.shape().size();
            }
            vs.add(new Variable(s.layer(), s.name(), offset, s.shape(), s.trainable()));
        }
        Tensor values = workspace.allocate(Shape.of((int) Math.max(total, 1)));
        Tensor gradients = workspace.allocate(Shape.of((int) Math.max(trainable, 1)));
        return new ParameterTable(values, gradients, vs, trainable, total);
    }

    /** What a layer declares about one weight, before the table gives it an offset. */
    public record Spec(String layer, String name, Shape shape, boolean trainable) {}

    private ParameterTable(Tensor values, Tensor gradients, List<Variable> variables, long trainableSize, long size) {
        this.values = values;
        this.gradients = gradients;
        this.variables = List.copyOf(variables);
        this.trainableSize = trainableSize;
        this.size = size;
    }

    /** Every weight, in Keras order. */
    public List<Variable> variables() {
        return variables;
    }

    /** The trainable weights, in Keras order. */
    public List<Variable> trainable() {
        return variables.stream().filter(Variable::trainable).toList();
    }

    /** The whole block of values (trainable first); its first {@link #trainableSize()} are what optimizers update. */
    public Tensor values() {
        return values;
    }

    /** The gradients of the trainable weights, at the same offsets as their values. */
    public Tensor gradients() {
        return gradients;
    }

    /** Values in the trainable run. */
    public long trainableSize() {
        return trainableSize;
    }

    /** All values. */
    public long size() {
        return size;
    }

    /** A view of {@code v}'s values. */
    public Tensor value(Variable v) {
        return values.slice(v.offset(), v.shape());
    }

    /** A view of {@code v}'s gradient, or null when it is not trainable. */
    public Tensor gradient(Variable v) {
        return v.trainable() ? gradients.slice(v.offset(), v.shape()) : null;
    }
}
