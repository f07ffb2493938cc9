package dev.sinew.callbacks;

import dev.sinew.models.Model;
import java.io.PrintStream;
import java.util.Map;

/**
 * Ends training at the first batch whose loss is NaN or infinite, as Keras's
 * {@code TerminateOnNaN}: prints {@code "Batch 12: Invalid loss, terminating training"} and stops.
 * <p>Without it, Sinew's {@code fit} throws a {@code NonFiniteLossException} at such a batch (or
 * stops, with {@code FitOptions.onNaN(STOP)}); with it, {@code fit} returns normally, the
 * {@code History} holding the epochs finished before and {@code stopReason()} saying where the
 * loss diverged. The weights are those after the diverging step.
 */
public final class TerminateOnNaN implements Callback {
    private final PrintStream out;
    private Model model;
    private int terminatedAtBatch = -1;

    /** Prints to standard output. */
    public TerminateOnNaN() {
        this(System.out);
    }

    public TerminateOnNaN(PrintStream out) {
        if (out == null) throw new IllegalArgumentException("TerminateOnNaN: out is null");
        this.out = out;
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(int epochs, int stepsPerEpoch) {
        terminatedAtBatch = -1;
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        Double loss = logs.get("loss");
        if (loss != null && !Double.isFinite(loss)) {
            out.println("Batch " + batch + ": Invalid loss, terminating training");
            terminatedAtBatch = batch;
            if (model != null) model.setStopTraining(true);
        }
    }

    /** The batch (from 0, within its epoch) whose loss ended training, or -1. */
    public int terminatedAtBatch() {
        return terminatedAtBatch;
    }
}
