package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import java.util.List;

/**
 * A symbolic tensor of the functional API, as Keras's {@code KerasTensor}: no values, only the
 * shape of one sample and how it is made — which layer was applied to which earlier symbolic
 * tensors. {@code Input.of(...)} starts a graph, {@link Layer#apply} extends it, and
 * {@code new Model(inputs, outputs)} turns the graph between them into a model.
 */
public final class KerasTensor {
    private final Shape shape;
    private final Layer layer;
    private final List<KerasTensor> inputs;

    KerasTensor(Shape shape, Layer layer, List<KerasTensor> inputs) {
        this.shape = shape;
        this.layer = layer;
        this.inputs = List.copyOf(inputs);
    }

    /** The shape of one sample (no batch dimension). */
    public Shape shape() {
        return shape;
    }

    /** The layer whose application made this tensor (an {@link Input} for a model input). */
    public Layer layer() {
        return layer;
    }

    /** The symbolic tensors the layer was applied to (none for an input). */
    public List<KerasTensor> inputs() {
        return inputs;
    }

    @Override
    public String toString() {
        return "<KerasTensor shape=(None, " + String.join(", ", java.util.Arrays.stream(shape.dims()).mapToObj(String::valueOf).toList())
                + "), made by " + layer.describe() + ">";
    }
}
