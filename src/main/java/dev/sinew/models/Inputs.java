package dev.sinew.models;

import dev.sinew.data.NdArray;
import dev.sinew.tensor.Shape;
import java.util.Arrays;

/**
 * Arrays of any shape as the rows a model trains on, as Keras takes numpy arrays: samples of
 * the model's input shape, of that shape without its last axis of 1 (grey images as (n, 28, 28)
 * for an input of (28, 28, 1)), or already flat; targets of shape (n,) are one value per row
 * (class indices for the sparse losses, a single regression target or 0/1 label otherwise).
 */
final class Inputs {
    private Inputs() {}

    /** x's samples as flat rows, after checking their shape against the model's input. */
    static float[][] samples(NdArray x, Shape input, String model, String what) {
        if (x == null) throw new IllegalArgumentException(what + " is null");
        int[] sample = Arrays.copyOfRange(x.shape(), 1, x.rank());
        int[] want = input.dims();
        boolean same = Arrays.equals(sample, want);
        boolean noChannel = want.length == sample.length + 1 && want[want.length - 1] == 1
                && Arrays.equals(sample, Arrays.copyOf(want, sample.length));
        boolean flat = sample.length == 1 && sample[0] == input.size();
        if (!same && !noChannel && !flat) {
            throw new IllegalArgumentException("model " + model + " takes samples of shape " + input + " (" + input.size()
                    + " values); " + what + " has shape " + Arrays.toString(x.shape()) + ", samples of "
                    + Arrays.toString(sample) + " (" + (long) x.sampleSize() + " values)");
        }
        return x.rows();
    }
}
