package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;
import java.util.Map;

/**
 * {@code binary_accuracy}: the fraction of outputs where {@code pred > threshold} (as 1 or 0)
 * equals the target, over every output of every row (Keras's default threshold 0.5). For
 * sigmoid outputs with 0/1 targets; with several outputs per row each counts on its own.
 */
public final class BinaryAccuracy implements Metric {
    private final String name;
    private final float threshold;

    public BinaryAccuracy() {
        this(0.5f);
    }

    public BinaryAccuracy(float threshold) {
        this("binary_accuracy", threshold);
    }

    BinaryAccuracy(String name, float threshold) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("binary_accuracy: threshold must be in [0, 1], got " + threshold);
        }
        this.name = name;
        this.threshold = threshold;
    }

    public float threshold() {
        return threshold;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c) {
        long values = (long) n * c;
        return backend.countThresholdMatches(pred, target, values, threshold) / (double) values;
    }

    @Override
    public Map<String, Object> getConfig() {
        return threshold == 0.5f ? Map.of() : Map.of("threshold", (double) threshold);
    }
}
