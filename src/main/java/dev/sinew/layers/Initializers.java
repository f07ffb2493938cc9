package dev.sinew.layers;

import dev.sinew.tensor.Tensor;
import java.util.random.RandomGenerator;

/** Keras's default weight initialisers. */
public final class Initializers {
    private Initializers() {}

    /**
     * Glorot (Xavier) uniform: U(-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)), which
     * keeps activation variance about equal from layer to layer.
     */
    public static void glorotUniform(Tensor w, long fanIn, long fanOut, RandomGenerator rng) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        for (long i = 0; i < w.size(); i++) {
            w.set(i, (float) rng.nextDouble(-limit, limit));
        }
    }

    /** Zeros: Keras's default bias initialiser. */
    public static void zeros(Tensor w) {
        w.segment().fill((byte) 0);
    }

    /** Ones: Keras's default for a normalisation's gamma and moving variance. */
    public static void ones(Tensor w) {
        for (long i = 0; i < w.size(); i++) w.set(i, 1f);
    }
}
