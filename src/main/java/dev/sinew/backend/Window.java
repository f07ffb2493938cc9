package dev.sinew.backend;

/**
 * The geometry of a sliding window over NHWC images (per image; the batch size N is given to each
 * operation): input H x W x C, window KH x KW, strides SH, SW, top/left padding PT, PL, and the
 * output size OH x OW. The window of output (oh, ow) starts at input pixel (oh*SH - PT, ow*SW - PL).
 */
public record Window(int H, int W, int C, int KH, int KW, int SH, int SW, int PT, int PL, int OH, int OW) {

    public Window {
        for (int v : new int[] {H, W, C, KH, KW, SH, SW, OH, OW}) {
            if (v <= 0) throw new IllegalArgumentException("window sizes must be positive: " + this);
        }
        if (PT < 0 || PL < 0 || PT >= KH || PL >= KW) {
            throw new IllegalArgumentException("window padding must be in [0, kernel size): " + this);
        }
        if ((long) H * W * C > Integer.MAX_VALUE || (long) OH * OW * KH * KW * C > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("image too large for int32 indices: " + this);
        }
    }

    /**
     * The window Keras uses for {@code padding} "valid" (no padding; windows must fit inside) or
     * "same" (output ceil(H / SH) x ceil(W / SW), padding split with the extra pixel at the
     * bottom/right). {@code who} names the layer in errors.
     */
    public static Window of(String who, int H, int W, int C, int KH, int KW, int SH, int SW, String padding) {
        switch (padding) {
            case "valid" -> {
                if (KH > H || KW > W) {
                    throw new IllegalArgumentException(who + ": kernel " + KH + "x" + KW + " is larger than its input "
                            + H + "x" + W + " (padding \"valid\")");
                }
                return new Window(H, W, C, KH, KW, SH, SW, 0, 0, (H - KH) / SH + 1, (W - KW) / SW + 1);
            }
            case "same" -> {
                int OH = (H + SH - 1) / SH, OW = (W + SW - 1) / SW;
                int padH = Math.max((OH - 1) * SH + KH - H, 0), padW = Math.max((OW - 1) * SW + KW - W, 0);
                return new Window(H, W, C, KH, KW, SH, SW, padH / 2, padW / 2, OH, OW);
            }
            default -> throw new IllegalArgumentException(who + ": padding must be \"valid\" or \"same\", got \"" + padding + "\"");
        }
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
}
