package dev.sinew.backend;

import dev.sinew.tensor.Shape;
import java.util.Arrays;

/**
 * A transpose of each sample (the batch axis stays first), as numpy's
 * {@code transpose(x, (0, *[a + 1 for a in axes]))}: output axis j is input axis {@code axes[j]}
 * (0-based). Like {@link Window}, made once by a layer when it is built and handed to every call,
 * so that a call computes (and allocates) nothing. At most {@link #MAX_RANK} axes per sample.
 */
public final class Transpose {
    /** The most axes per sample: the C kernel's loop nest ({@code sinew_transpose}). */
    public static final int MAX_RANK = 4;

    private final Shape in, out;
    private final int[] axes;
    // The C kernel's arguments (see sinew.h): output axis j of 4 has size D[j] and steps through
    // the input by S[j]; leading axes of size 1 and stride 0 fill up a sample of fewer axes.
    private final int[] D = {1, 1, 1, 1}, S = {0, 0, 0, 0};

    private Transpose(Shape in, int[] axes) {
        this.in = in;
        this.axes = axes;
        int r = in.rank(), pad = MAX_RANK - r;
        int[] outDims = new int[r], stride = new int[r];
        int s = 1;
        for (int k = r - 1; k >= 0; k--) {
            stride[k] = s;
            s *= in.dim(k);
        }
        for (int j = 0; j < r; j++) {
            outDims[j] = in.dim(axes[j]);
            D[pad + j] = outDims[j];
            S[pad + j] = stride[axes[j]];
        }
        this.out = Shape.of(outDims);
    }

    /**
     * The transpose of samples of shape {@code in} by {@code axes}, a permutation of
     * {@code 0 .. in.rank() - 1}; the sample must hold at most 2^31 - 1 values (int32 strides).
     */
    public static Transpose of(Shape in, int... axes) {
        if (in == null || axes == null) throw new IllegalArgumentException("transpose: shape or axes is null");
        if (in.rank() > MAX_RANK || axes.length != in.rank() || !isPermutation(axes)) {
            throw new IllegalArgumentException("transpose: axes " + Arrays.toString(axes) + " must be a permutation of 0.."
                    + (in.rank() - 1) + " for a sample of shape " + in + " (at most " + MAX_RANK + " axes)");
        }
        if (in.size() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("transpose: a sample of shape " + in + " is too large for int32 strides");
        }
        return new Transpose(in, axes.clone());
    }

    private static boolean isPermutation(int[] axes) {
        boolean[] seen = new boolean[axes.length];
        for (int a : axes) {
            if (a < 0 || a >= axes.length || seen[a]) return false;
            seen[a] = true;
        }
        return true;
    }

    /** The transpose that undoes this one (its gradient): from the output shape back to the input. */
    public Transpose inverse() {
        int[] inv = new int[axes.length];
        for (int j = 0; j < axes.length; j++) inv[axes[j]] = j;
        return new Transpose(out, inv);
    }

    public Shape inputShape() {
        return in;
    }

    public Shape outputShape() {
        return out;
    }

    /** Output axis j is input axis {@code axis(j)}. */
    public int axis(int j) {
        return axes[j];
    }

    /** Values per sample (the same before and after). */
    public long size() {
        return in.size();
    }

    int D(int j) {
        return D[j];
    }

    int S(int j) {
        return S[j];
    }

    @Override
    public String toString() {
        return "Transpose" + in + " by " + Arrays.toString(axes) + " -> " + out;
    }
}
