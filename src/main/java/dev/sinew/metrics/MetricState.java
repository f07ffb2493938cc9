package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.tensor.Rows;
import dev.sinew.tensor.Tensor;

/**
 * A metric accumulated over batches: Keras's {@code update_state}, {@code result} and
 * {@code reset_state}. {@code fit} and {@code evaluate} keep one per metric per epoch (or per
 * call), so what they report is the metric over all the rows seen, not a mean of batch values.
 * Not thread-safe: one state belongs to one loop.
 */
public interface MetricState {

    /** Adds {@code n} rows of {@code c} predictions and their targets. */
    void update(Backend backend, Tensor pred, Tensor target, int n, int c);

    /** The metric over everything added since the last {@link #reset}; 0 when nothing was added. */
    double result();

    /** Forgets everything added. */
    void reset();

    /**
     * {@link #update} on arrays, in Keras's argument order ({@code y_true}, then {@code y_pred}):
     * for scoring predictions outside a model, e.g. {@code new AUC().newState()} fed by
     * {@code model.predict}. Targets are rows of the metric's target width (one class index per
     * row for the sparse metrics).
     */
    default void update(float[][] yTrue, float[][] yPred) {
        int c = Rows.width(yPred, "yPred");
        Rows.width(yTrue, "yTrue");
        if (yTrue.length != yPred.length) {
            throw new IllegalArgumentException("yTrue has " + yTrue.length + " rows but yPred has " + yPred.length);
        }
        try (Tensor p = Tensor.fromRows(yPred); Tensor t = Tensor.fromRows(yTrue)) {
            update(Backends.reference(), p, t, yPred.length, c);
        }
    }
}
