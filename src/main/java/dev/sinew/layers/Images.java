package dev.sinew.layers;

import dev.sinew.tensor.Shape;

/** Shape checks shared by the image layers. */
final class Images {
    private Images() {}

    /** Checks that {@code in} is an image shape (height, width, channels), naming {@code layer} otherwise. */
    static void require(Layer layer, Shape in) {
        if (in.rank() != 3) {
            throw new IllegalArgumentException(layer.describe() + " expects images of shape (height, width, channels), got "
                    + in + (in.rank() == 1 ? "; declare the image shape with e.g. new Input(28, 28, 1)" : ""));
        }
    }

    static int positive(String what, int v) {
        if (v <= 0) throw new IllegalArgumentException(what + " must be a positive integer, got " + v);
        return v;
    }

    static String padding(String who, String p) {
        if (!"valid".equals(p) && !"same".equals(p)) {
            throw new IllegalArgumentException(who + " padding must be \"valid\" or \"same\", got \"" + p + "\"");
        }
        return p;
    }
}
