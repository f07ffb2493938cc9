package dev.sinew.callbacks;

import dev.sinew.models.Sequential;
import java.util.List;
import java.util.Map;

/**
 * Stops training when a monitored value has stopped improving, as Keras's {@code EarlyStopping}.
 *
 * <ul>
 *   <li>{@code monitor}: a log name, e.g. {@code "val_accuracy"} or {@code "val_loss"}; values
 *       whose name contains "acc" are maximised, others minimised;</li>
 *   <li>{@code patience}: epochs without improvement before stopping;</li>
 *   <li>{@code minDelta}: the least change that counts as an improvement;</li>
 *   <li>{@code restoreBestWeights}: at the end of training, put back the weights of the best
 *       epoch (as Keras 3 does, whether or not training stopped early).</li>
 * </ul>
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBestWeights;
    private final boolean maximise;

    private Sequential model;
    private double best;
    private int bestEpoch;
    private int wait;
    private int stoppedEpoch;
    private List<float[]> bestWeights;

    /** Patience {@code patience} on {@code monitor}, no minimum delta, weights not restored (Keras's defaults). */
    public EarlyStopping(String monitor, int patience) {
        this(monitor, patience, 0, false);
    }

    public EarlyStopping(String monitor, int patience, double minDelta, boolean restoreBestWeights) {
        if (monitor == null || monitor.isBlank()) throw new IllegalArgumentException("EarlyStopping needs a monitor, e.g. \"val_accuracy\"");
        if (patience < 0) throw new IllegalArgumentException("EarlyStopping patience must be >= 0, got " + patience);
        if (!(minDelta >= 0)) throw new IllegalArgumentException("EarlyStopping minDelta must be >= 0, got " + minDelta);
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.restoreBestWeights = restoreBestWeights;
        this.maximise = monitor.contains("acc");
    }

    @Override
    public void setModel(Sequential model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(int epochs, int stepsPerEpoch) {
        best = maximise ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        bestEpoch = -1;
        wait = 0;
        stoppedEpoch = -1;
        bestWeights = null;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double value = logs.get(monitor);
        if (value == null) {
            throw new IllegalStateException("EarlyStopping monitors '" + monitor + "', but the logs only have "
                    + logs.keySet() + (monitor.startsWith("val_") ? " (is there validation data?)" : ""));
        }
        boolean improved = maximise ? value - minDelta > best : value + minDelta < best;
        if (improved) {
            best = value;
            bestEpoch = epoch;
            wait = 0;
            if (restoreBestWeights) bestWeights = model.getWeights();
            return;
        }
        wait++;
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model.setStopTraining(true);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (restoreBestWeights && bestWeights != null) model.setWeights(bestWeights);
    }

    /** The epoch (from 0) at which training was stopped, or -1 if it ran to the end. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The epoch (from 0) with the best monitored value, or -1 before any. */
    public int bestEpoch() {
        return bestEpoch;
    }

    public double best() {
        return best;
    }

    public String monitor() {
        return monitor;
    }
}
