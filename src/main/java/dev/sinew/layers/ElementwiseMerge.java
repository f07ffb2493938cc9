package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.Arrays;
import java.util.List;

/**
 * What the elementwise merges ({@link Add}, {@link Subtract}, {@link Multiply}, {@link Average},
 * {@link Maximum}) share: inputs of one shape, an output of that shape, and a gradient buffer per
 * input (lists reused batch after batch, so a step allocates nothing).
 */
abstract class ElementwiseMerge extends Merge {
    protected Tensor y;
    protected Tensor[] dx;
    protected List<Tensor> xs; // the inputs of the last forward pass, for backward
    private List<Tensor> dxs;
    protected long size;        // values per sample

    /** How many inputs this merge takes, or -1 for any number from two up. */
    protected int arity() {
        return -1;
    }

    @Override
    protected Shape computeOutputShape(List<Shape> inputShapes) {
        if (arity() > 0 && inputShapes.size() != arity()) {
            throw new IllegalArgumentException(describe() + " takes exactly " + arity() + " inputs, got " + inputShapes.size());
        }
        for (Shape s : inputShapes) {
            if (!s.equals(inputShapes.getFirst())) {
                throw new IllegalArgumentException(describe() + " needs inputs of one shape, got " + shapes(inputShapes));
            }
        }
        return inputShapes.getFirst();
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        size = outputShape().size();
        int k = inputShapes().size();
        y = allocateRows(workspace, "an output", capacity, size);
        dx = new Tensor[k];
        for (int i = 0; i < k; i++) dx[i] = allocateRows(workspace, "an input gradient", capacity, size);
        dxs = Arrays.asList(new Tensor[k]);
    }

    @Override
    public final Tensor forward(List<Tensor> inputs, int n, boolean training) {
        xs = inputs;
        compute(n * size);
        return y;
    }

    /** y from xs over the first {@code values} values. */
    protected abstract void compute(long values);

    @Override
    public final List<Tensor> backward(Tensor dy, int n, boolean[] needInputGradient) {
        long values = n * size;
        for (int i = 0; i < dx.length; i++) {
            if (needInputGradient[i]) gradient(i, dy, values);
            dxs.set(i, needInputGradient[i] ? dx[i] : null);
        }
        return dxs;
    }

    /** dx[i] = dL/d(input i) from dy over the first {@code values} values. */
    protected abstract void gradient(int i, Tensor dy, long values);
}
