package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;

/**
 * Declares the shape of one input sample, as Keras's {@code keras.Input(shape=...)}:
 * {@code new Input(2)} for two features, {@code new Input(28, 28, 1)} for a grey image
 * (channels last). It is the first thing added to a {@code Sequential}, and what
 * {@link #of Input.of} makes to start a functional model; data rows are the samples flattened, so
 * an image row holds 28*28*1 values.
 */
public final class Input extends Layer {
    private final Shape shape;

    public Input(int... shape) {
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException("Input needs a shape, e.g. new Input(784) or new Input(28, 28, 1)");
        }
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("Input shape dimensions must be positive, got "
                        + java.util.Arrays.toString(shape));
            }
        }
        // A sample is one row of a batch: it must fit in a tensor (checked before Shape.of, whose
        // own limit is a long's).
        requireFits("shape " + Shape.format(shape), shape, " per sample");
        this.shape = Shape.of(shape);
    }

    /**
     * A symbolic input of the given sample shape, the start of a functional model, as Keras's
     * {@code keras.Input(shape=...)}: {@code var in = Input.of(28, 28, 1);}.
     */
    public static KerasTensor of(int... shape) {
        Input input = new Input(shape);
        return new KerasTensor(input.shape, input, java.util.List.of());
    }

    /** The shape of one sample. */
    public Shape shape() {
        return shape;
    }

    @Override
    public String typeName() {
        return "InputLayer";
    }

    /** Keras 3 names inputs "input_layer", "input_layer_1", ... */
    @Override
    public String defaultNameStem() {
        return "input_layer";
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        return shape;
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {}

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        return x;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        return needInputGradient ? dy : null;
    }

    @Override
    public KerasTensor apply(KerasTensor input) {
        throw new IllegalArgumentException("an Input is not applied to a tensor: Input.of(shape) makes the symbolic input");
    }
}
