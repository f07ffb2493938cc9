package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Keras's {@code Concatenate(axis=-1)}: the inputs joined along one axis (by default the last,
 * channels in an image); every other dimension must agree. Forward copies each input's blocks
 * into place, backward copies the matching blocks of dy back out: pure data movement, done with
 * bulk memory copies on both backends.
 */
public final class Concatenate extends Merge {
    private final int axis;
    private int[] inner;     // per input: values per outer position (its axis extent times what follows)
    private int outInner;    // the same for the output
    private int outer;       // positions before the axis, per sample
    private Tensor y;
    private Tensor[] dx;
    private List<Tensor> dxs;

    public Concatenate() {
        this(-1);
    }

    /** {@code axis} as Keras counts it: -1 the last, 1 the first after the batch dimension. */
    public Concatenate(int axis) {
        if (axis == 0) throw new IllegalArgumentException("Concatenate: axis 0 is the batch; join along a sample axis (-1, 1, ...)");
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    @Override
    protected Shape computeOutputShape(List<Shape> inputShapes) {
        int rank = inputShapes.getFirst().rank();
        int a = axis > 0 ? axis - 1 : rank + axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(describe() + ": axis " + axis + " is not an axis of inputs of rank " + rank
                    + " (plus the batch)");
        }
        int[] out = inputShapes.getFirst().dims().clone();
        long joined = 0; // in a long: five inputs of 2^30 would wrap an int round to 2^30
        for (Shape s : inputShapes) {
            boolean fits = s.rank() == rank;
            for (int d = 0; fits && d < rank; d++) fits = d == a || s.dim(d) == out[d];
            if (!fits) {
                throw new IllegalArgumentException(describe() + " joins along axis " + axis + " inputs that agree on every"
                        + " other axis, got " + shapes(inputShapes));
            }
            joined += s.dim(a);
        }
        if (joined > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(describe() + ": joining " + shapes(inputShapes) + " along axis " + axis + " gives "
                    + joined + " values on that axis, beyond the int range");
        }
        out[a] = (int) joined;
        outer = 1;
        for (int d = 0; d < a; d++) outer *= out[d];
        inner = new int[inputShapes.size()];
        for (int i = 0; i < inner.length; i++) inner[i] = (int) (inputShapes.get(i).size() / outer);
        outInner = Arrays.stream(inner).sum();
        return Shape.of(out);
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "an output", capacity, outputShape().size());
        dx = new Tensor[inner.length];
        for (int i = 0; i < dx.length; i++) dx[i] = allocateRows(workspace, "an input gradient", capacity, inputShapes().get(i).size());
        dxs = Arrays.asList(new Tensor[inner.length]);
    }

    @Override
    public Tensor forward(List<Tensor> xs, int n, boolean training) {
        for (int i = 0, at = 0; i < xs.size(); at += inner[i], i++) move(xs.get(i), inner[i], 0, y, outInner, at, n);
        return y;
    }

    @Override
    public List<Tensor> backward(Tensor dy, int n, boolean[] needInputGradient) {
        for (int i = 0, at = 0; i < dx.length; at += inner[i], i++) {
            if (needInputGradient[i]) move(dy, outInner, at, dx[i], inner[i], 0, n);
            dxs.set(i, needInputGradient[i] ? dx[i] : null);
        }
        return dxs;
    }

    /** For each of n * outer positions: copies the block of {@code width} values between the two layouts. */
    private void move(Tensor src, int srcStride, int srcAt, Tensor dst, int dstStride, int dstAt, int n) {
        int width = Math.min(srcStride, dstStride); // the input's block: the output's is the wider
        MemorySegment s = src.segment(), d = dst.segment();
        long blocks = (long) n * outer;
        for (long b = 0; b < blocks; b++) {
            MemorySegment.copy(s, (b * srcStride + srcAt) * Tensor.BYTES, d, (b * dstStride + dstAt) * Tensor.BYTES,
                    (long) width * Tensor.BYTES);
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", (long) axis);
        return c;
    }
}
