package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Workspace;
import java.util.List;
import java.util.Map;

/**
 * Zero padding, as Keras's {@code ZeroPadding2D(padding)}: rows of zeros above and below each
 * image and columns of zeros left and right of it. Input {@code (batch, H, W, C)} (channels
 * last); output {@code (batch, top + H + bottom, left + W + right, C)}. No weights. The gradient
 * is the crop: the padding's part is dropped.
 *
 * <ul>
 *   <li>{@code ZeroPadding2D()}: 1 on every side (Keras's default);</li>
 *   <li>{@code ZeroPadding2D(p)}: p on every side;</li>
 *   <li>{@code ZeroPadding2D(h, w)}: h above and below, w left and right;</li>
 *   <li>{@code ZeroPadding2D(new int[][] {{top, bottom}, {left, right}})}, Keras's
 *       {@code ((top, bottom), (left, right))}.</li>
 * </ul>
 * A ResNet stem pads with {@code ZeroPadding2D(3)} before its 7x7 convolution of stride 2.
 */
public final class ZeroPadding2D extends PerSampleLayer {
    private final int top, bottom, left, right;
    private int H, W, C;

    /** One row or column of zeros on every side, Keras's default {@code padding=(1, 1)}. */
    public ZeroPadding2D() {
        this(1);
    }

    public ZeroPadding2D(int padding) {
        this(padding, padding);
    }

    /** {@code height} rows above and below, {@code width} columns left and right. */
    public ZeroPadding2D(int height, int width) {
        this(new int[][] {{height, height}, {width, width}});
    }

    /** Keras's {@code ((top, bottom), (left, right))}. */
    public ZeroPadding2D(int[][] padding) {
        if (padding == null || padding.length != 2 || padding[0] == null || padding[0].length != 2 || padding[1] == null
                || padding[1].length != 2) {
            throw new IllegalArgumentException("ZeroPadding2D padding must be an int, two ints or ((top, bottom), (left, right)),"
                    + " got " + format(padding));
        }
        if (padding[0][0] < 0 || padding[0][1] < 0 || padding[1][0] < 0 || padding[1][1] < 0) {
            throw new IllegalArgumentException("ZeroPadding2D padding must be >= 0, got " + format(padding));
        }
        this.top = padding[0][0];
        this.bottom = padding[0][1];
        this.left = padding[1][0];
        this.right = padding[1][1];
    }

    private static String format(int[][] p) {
        if (p == null) return "null";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < p.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(p[i] == null ? "null" : Shape.format(p[i]));
        }
        return sb.append(')').toString();
    }

    /** The padding as Keras stores it: {@code {{top, bottom}, {left, right}}}. */
    public int[][] padding() {
        return new int[][] {{top, bottom}, {left, right}};
    }

    @Override
    protected Shape computeOutputShape(Shape in) {
        Images.require(this, in);
        H = in.dim(0);
        W = in.dim(1);
        C = in.dim(2);
        long ph = (long) top + H + bottom, pw = (long) left + W + right;
        if (ph > Integer.MAX_VALUE || pw > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(describe() + ": padding " + in + " by " + format(padding())
                    + " gives " + ph + " x " + pw + " pixels, beyond the int range");
        }
        return Shape.of((int) ph, (int) pw, C);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("padding", List.of(List.of((long) top, (long) bottom), List.of((long) left, (long) right)));
        c.put("data_format", "channels_last");
        return c;
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, outputShape().size());
        dx = allocateRows(workspace, "input gradient", capacity, inputShape().size());
    }

    // Pads (backward: crops) the shard's images.
    @Override
    protected void forwardShard(int s, int from, int to) {
        backend.zeroPad(y.fromRow(from, out()), x.fromRow(from, in()), to - from, H, W, C, top, bottom, left, right);
    }

    @Override
    protected void backwardShard(int s, int from, int to) {
        backend.zeroPadBackward(dx.fromRow(from, in()), dy.fromRow(from, out()), to - from, H, W, C, top, bottom, left,
                right);
    }


    private int in() {
        return (int) inputShape().size();
    }

    private int out() {
        return (int) outputShape().size();
    }

    @Override
    protected long valuesPerSample() {
        return outputShape().size();
    }
}
