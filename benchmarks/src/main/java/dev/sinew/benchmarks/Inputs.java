package dev.sinew.benchmarks;

import dev.sinew.tensor.Tensor;
import java.util.SplittableRandom;

/** Random inputs for the benchmarks. */
final class Inputs {
    private Inputs() {}

    /** A (rows, cols) tensor of values uniform in [0, 1), like scaled pixels. */
    static Tensor random(SplittableRandom rng, int rows, int cols) {
        Tensor t = Tensor.zeros(rows, cols);
        for (long i = 0; i < t.size(); i++) t.set(i, (float) rng.nextDouble());
        return t;
    }

    /** A (rows, classes) tensor of one-hot rows. */
    static Tensor oneHot(SplittableRandom rng, int rows, int classes) {
        Tensor t = Tensor.zeros(rows, classes);
        for (int r = 0; r < rows; r++) t.set((long) r * classes + rng.nextInt(classes), 1f);
        return t;
    }
}
