package dev.sinew.layers;

import dev.sinew.backend.Transpose;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Permutes the axes of each sample, as Keras's {@code Permute(dims)}: {@code dims} numbers the
 * sample's axes from 1 (the batch axis is not counted and stays first), and output axis j is
 * input axis {@code dims[j]}. {@code Permute(2, 1)} turns {@code (batch, 10, 64)} into
 * {@code (batch, 64, 10)}; {@code Permute(2, 1, 3)} swaps the height and width of images. No
 * weights. Forward is a transpose; backward the inverse transpose of the gradient. At most four
 * axes per sample.
 */
public final class Permute extends PerSampleLayer {
    private final int[] dims; // 1-based, as Keras
    private Transpose forwardT, backwardT;

    public Permute(int... dims) {
        if (dims == null || dims.length == 0) {
            throw new IllegalArgumentException("Permute needs dims, a permutation of 1..n, got "
                    + (dims == null ? "null" : "()"));
        }
        boolean[] seen = new boolean[dims.length];
        for (int d : dims) {
            if (d < 1 || d > dims.length || seen[d - 1]) {
                throw new IllegalArgumentException("Permute dims must be a permutation of 1.." + dims.length
                        + " (the sample's axes, numbered from 1), got dims=" + Shape.format(dims));
            }
            seen[d - 1] = true;
        }
        if (dims.length > Transpose.MAX_RANK) {
            throw new IllegalArgumentException("Permute supports at most " + Transpose.MAX_RANK
                    + " axes per sample, got dims=" + Shape.format(dims));
        }
        this.dims = dims.clone();
    }

    /** The permutation as given, numbered from 1. */
    public int[] dims() {
        return dims.clone();
    }

    @Override
    protected Shape computeOutputShape(Shape in) {
        if (in.rank() != dims.length) {
            throw new IllegalArgumentException(describe() + " with dims=" + Shape.format(dims) + " expects samples of "
                    + dims.length + " axes, got shape " + in);
        }
        int[] axes = new int[dims.length];
        for (int j = 0; j < dims.length; j++) axes[j] = dims[j] - 1;
        forwardT = Transpose.of(in, axes);
        backwardT = forwardT.inverse();
        return forwardT.outputShape();
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        List<Long> d = new ArrayList<>();
        for (int v : dims) d.add((long) v);
        c.put("dims", d);
        return c;
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, size());
        dx = allocateRows(workspace, "input gradient", capacity, size());
    }

    @Override
    protected void forwardShard(int s, int from, int to) {
        backend.transpose(y.fromRow(from, size()), x.fromRow(from, size()), to - from, forwardT);
    }

    @Override
    protected void backwardShard(int s, int from, int to) {
        backend.transpose(dx.fromRow(from, size()), dy.fromRow(from, size()), to - from, backwardT);
    }

    private int size() {
        return (int) forwardT.size();
    }

    @Override
    protected long valuesPerSample() {
        return forwardT.size();
    }
}
