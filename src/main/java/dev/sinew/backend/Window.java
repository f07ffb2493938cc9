package dev.sinew.backend;

import java.math.BigInteger;

/**
 * The geometry of a sliding window over NHWC images (per image; the batch size N is given to each
 * operation): input H x W x C, window KH x KW, strides SH, SW, top/left padding PT, PL, and the
 * output size OH x OW. The window of output (oh, ow) starts at input pixel (oh*SH - PT, ow*SW - PL).
 */
public record Window(int H, int W, int C, int KH, int KW, int SH, int SW, int PT, int PL, int OH, int OW) {

    /** The most values per image (input, or windows unfolded): the kernels index images with int32. */
    static final long MAX_VALUES = Integer.MAX_VALUE;

    public Window {
        // The components as given: inside a compact constructor the fields are not assigned yet,
        // so printing `this` would show Window[H=0, W=0, ...].
        String given = "Window[H=" + H + ", W=" + W + ", C=" + C + ", KH=" + KH + ", KW=" + KW + ", SH=" + SH + ", SW=" + SW
                + ", PT=" + PT + ", PL=" + PL + ", OH=" + OH + ", OW=" + OW + "]";
        for (int v : new int[] {H, W, C, KH, KW, SH, SW, OH, OW}) {
            if (v <= 0) throw new IllegalArgumentException("window sizes must be positive: " + given);
        }
        if (PT < 0 || PL < 0 || PT >= KH || PL >= KW) {
            throw new IllegalArgumentException("window padding must be in [0, kernel size): " + given);
        }
        if (tooLarge(H, W, C) != null || tooLarge(OH, OW, KH, KW, C) != null) {
            throw new IllegalArgumentException("image too large for int32 indices: " + given);
        }
    }

    /**
     * The window Keras uses for {@code padding} "valid" (no padding; windows must fit inside) or
     * "same" (output ceil(H / SH) x ceil(W / SW), padding split with the extra pixel at the
     * bottom/right). {@code who} names the layer in errors, which show the sizes that are too large.
     */
    public static Window of(String who, int H, int W, int C, int KH, int KW, int SH, int SW, String padding) {
        BigInteger input = tooLarge(H, W, C);
        if (input != null) {
            throw new IllegalArgumentException(who + ": input " + H + "x" + W + "x" + C + " would hold " + input
                    + " values per image, more than a tensor's " + MAX_VALUES);
        }
        int OH, OW, PT, PL;
        switch (padding) {
            case "valid" -> {
                if (KH > H || KW > W) {
                    throw new IllegalArgumentException(who + ": kernel " + KH + "x" + KW + " is larger than its input "
                            + H + "x" + W + " (padding \"valid\")");
                }
                OH = (H - KH) / SH + 1;
                OW = (W - KW) / SW + 1;
                PT = PL = 0;
            }
            case "same" -> {
                // In long: H + SH - 1 passes Integer.MAX_VALUE for a stride near it. OH <= H, and the
                // padding is below the kernel size, so both fit an int again.
                OH = (int) ((H + (long) SH - 1) / SH);
                OW = (int) ((W + (long) SW - 1) / SW);
                PT = (int) (Math.max((OH - 1L) * SH + KH - H, 0) / 2);
                PL = (int) (Math.max((OW - 1L) * SW + KW - W, 0) / 2);
            }
            default -> throw new IllegalArgumentException(who + ": padding must be \"valid\" or \"same\", got \"" + padding + "\"");
        }
        // Every window unfolded (Conv2D's im2col rows for one image) must be addressable too.
        if (tooLarge(OH, OW, KH, KW, C) != null) {
            throw new IllegalArgumentException(who + ": " + OH + "x" + OW + " windows of " + KH + "x" + KW + "x" + C
                    + " values per image would hold " + (long) OH * OW + " x " + (long) KH * KW * C + " = "
                    + tooLarge(OH, OW, KH, KW, C) + " values, more than a tensor's " + MAX_VALUES);
        }
        return new Window(H, W, C, KH, KW, SH, SW, PT, PL, OH, OW);
    }

    /**
     * Whether OH*OW windows of KH*KW*C values (one image unfolded, as im2col does) fit a tensor:
     * the bound every Window is made within.
     */
    public static boolean unfoldFits(int OH, int OW, int KH, int KW, int C) {
        return tooLarge(OH, OW, KH, KW, C) == null;
    }

    /** The product of {@code dims} when it exceeds {@link #MAX_VALUES}, else null (exact: no long overflows). */
    private static BigInteger tooLarge(int... dims) {
        BigInteger p = BigInteger.ONE;
        for (int d : dims) p = p.multiply(BigInteger.valueOf(d));
        return p.compareTo(BigInteger.valueOf(MAX_VALUES)) > 0 ? p : null;
    }

    /** Values per input image, H*W*C. */
    public long inputSize() {
        return (long) H * W * C;
    }

    /** Output values per image and channel plane: OH*OW*C (pooling). */
    public long pooledSize() {
        return (long) OH * OW * C;
    }

    /** Values in one im2col row: KH*KW*C. */
    public int patchSize() {
        return KH * KW * C;
    }

    /** Output positions per image: OH*OW. */
    public int positions() {
        return OH * OW;
    }

    /** Rows of the window frame (see {@link Backend#padWindows}): every window inside, (OH-1)*SH + KH. */
    public int framedH() {
        return (int) Math.min(Integer.MAX_VALUE, (OH - 1L) * SH + KH);
    }

    /** Columns of the window frame: (OW-1)*SW + KW. */
    public int framedW() {
        return (int) Math.min(Integer.MAX_VALUE, (OW - 1L) * SW + KW);
    }

    /** The first frame row that holds the image (rows above it are the frame's zeros). */
    public int imageTop() {
        return Math.max(0, PT);
    }

    /** One past the last frame row that holds the image: PT + H, cropped to the frame. */
    public int imageBottom() {
        return (int) Math.min(framedH(), (long) PT + H);
    }

    /** The first frame column that holds the image. */
    public int imageLeft() {
        return Math.max(0, PL);
    }

    /** One past the last frame column that holds the image: PL + W, cropped to the frame. */
    public int imageRight() {
        return (int) Math.min(framedW(), (long) PL + W);
    }

    /** Values per image in the window frame: framedH * framedW * C. */
    public long framedSize() {
        return (long) framedH() * framedW() * C;
    }

    /**
     * The window of a stride-1 convolution's input gradient, seen as a convolution of the output
     * gradient (OH x OW x F) with the flipped kernel: the same kernel size, padding KH-1-PT and
     * KW-1-PL, output H x W.
     */
    public Window transposed(int F) {
        if (SH != 1 || SW != 1) throw new IllegalStateException("a transposed window needs stride 1, not " + SH + "x" + SW);
        return new Window(OH, OW, F, KH, KW, 1, 1, KH - 1 - PT, KW - 1 - PL, H, W);
    }
}
