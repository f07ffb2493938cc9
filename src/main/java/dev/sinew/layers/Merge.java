package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import java.util.List;

/**
 * A layer of several inputs ({@code Add}, {@code Concatenate}, ...), Keras's {@code Merge}: it is
 * applied to two or more symbolic tensors, runs forward on a list of batches and returns one
 * gradient per input. Each gradient it returns is a buffer of its own (never the same tensor for
 * two inputs), because whoever receives one may overwrite it.
 */
public abstract class Merge extends Layer {

    /** The output shape for these input shapes, checked; errors name the layer and every shape. */
    @Override
    protected abstract Shape computeOutputShape(List<Shape> inputShapes);

    @Override
    protected final Shape computeOutputShape(Shape inputShape) {
        throw new IllegalArgumentException(describe() + " takes at least two inputs, got one of shape " + inputShape);
    }

    /** The output for the first {@code n} rows of each input, into a buffer the layer owns. */
    public abstract Tensor forward(List<Tensor> xs, int n, boolean training);

    /**
     * Given dL/d(output) in {@code dy}, returns dL/d(input i) for each input, or null for an input
     * whose {@code needInputGradient[i]} is false.
     */
    public abstract List<Tensor> backward(Tensor dy, int n, boolean[] needInputGradient);

    @Override
    public final Tensor forward(Tensor x, int n, boolean training) {
        throw new IllegalStateException(describe() + " takes a list of inputs");
    }

    @Override
    public final Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        throw new IllegalStateException(describe() + " returns a gradient per input");
    }

    @Override
    public KerasTensor apply(KerasTensor input) {
        throw new IllegalArgumentException(describe() + " takes at least two inputs: apply(a, b, ...)");
    }

    /** Applies the layer to two or more symbolic tensors, e.g. {@code new Add().apply(x, shortcut)}. */
    public KerasTensor apply(KerasTensor... inputs) {
        if (inputs == null || inputs.length < 2) {
            throw new IllegalArgumentException(describe() + " takes at least two inputs, got "
                    + (inputs == null ? 0 : inputs.length));
        }
        for (KerasTensor t : inputs) {
            if (t == null) throw new IllegalArgumentException(describe() + ".apply: an input is null");
        }
        return applied(List.of(inputs));
    }

    /** "shapes (4, 4, 8) and (4, 4, 16)" for messages. */
    protected static String shapes(List<Shape> shapes) {
        StringBuilder s = new StringBuilder("shapes ");
        for (int i = 0; i < shapes.size(); i++) {
            s.append(i == 0 ? "" : i == shapes.size() - 1 ? " and " : ", ").append(shapes.get(i));
        }
        return s.toString();
    }
}
