package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/** A number reported during training that is not optimised, e.g. accuracy. */
public interface Metric {

    /** The name under which results are reported, e.g. {@code "accuracy"}. */
    String name();

    /** Values per target row it reads (1 for class indices), as {@link dev.sinew.losses.Loss#targetWidth}. */
    default int targetWidth(int outputWidth) {
        return outputWidth;
    }

    /** The metric over {@code n} rows of {@code c} columns, as a mean over the batch. */
    double compute(Backend backend, Tensor pred, Tensor target, int n, int c);
}
