package dev.sinew.callbacks;

import dev.sinew.models.Model;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Stops training when a monitored value has stopped improving, as Keras 3's {@code EarlyStopping}.
 * At the end of each epoch from {@code startFromEpoch} on:
 * <pre>
 *   wait += 1
 *   if value improves on the best so far by more than minDelta:
 *       best = value;  wait = 0 (only if it also improves on baseline, when one is given)
 *   else if wait >= patience (and it is not the first epoch):  stop after this epoch
 * </pre>
 * Arguments (Keras's names and defaults, in {@link #builder()}):
 * <ul>
 *   <li>{@code monitor} ("val_loss"): a log name, e.g. {@code "val_accuracy"}; fit rejects a name
 *       it will not log before the first epoch, listing the names it will;</li>
 *   <li>{@code minDelta} (0): the least change that counts as an improvement, >= 0;</li>
 *   <li>{@code patience} (0): epochs without improvement before stopping;</li>
 *   <li>{@code verbose} (0): 1 prints {@code "Epoch 7: early stopping"} when it stops, and which
 *       epoch's weights it restores;</li>
 *   <li>{@code mode} ("auto"): "min", "max", or "auto": minimise a loss, maximise an accuracy
 *       (every metric Sinew has is an accuracy); any other name needs "min" or "max";</li>
 *   <li>{@code baseline} (none): a value to reach; until the monitored value improves on it, wait
 *       is not reset, so training stops after {@code patience} epochs that do not beat it;</li>
 *   <li>{@code restoreBestWeights} (false): at the end of training, put back the weights of the
 *       best epoch (as Keras 3 does, whether or not training stopped early);</li>
 *   <li>{@code startFromEpoch} (0): epochs before this one are not monitored (a warm-up).</li>
 * </ul>
 * <pre>{@code
 * new EarlyStopping("val_accuracy", 5)
 * EarlyStopping.builder().monitor("val_loss").patience(3).restoreBestWeights(true).build()
 * }</pre>
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final double minDelta;
    private final int patience;
    private final int verbose;
    private final Mode mode;
    private final Double baseline;
    private final boolean restoreBestWeights;
    private final int startFromEpoch;
    private final PrintStream out;
    /** Whether larger is better; null when mode "auto" cannot tell from the monitor's name. */
    private final Boolean maximise;

    private Model model;
    private double best;
    private int bestEpoch;
    private int wait;
    private int stoppedEpoch;
    private List<float[]> bestWeights;

    /** Patience {@code patience} on {@code monitor}, no minimum delta, weights not restored (Keras's defaults). */
    public EarlyStopping(String monitor, int patience) {
        this(builder().monitor(monitor).patience(patience));
    }

    public EarlyStopping(String monitor, int patience, double minDelta, boolean restoreBestWeights) {
        this(builder().monitor(monitor).patience(patience).minDelta(minDelta).restoreBestWeights(restoreBestWeights));
    }

    private EarlyStopping(Builder b) {
        Monitor.checkName("EarlyStopping", b.monitor);
        if (b.patience < 0) throw new IllegalArgumentException("EarlyStopping: patience must be >= 0. Received: patience=" + b.patience);
        if (!(b.minDelta >= 0) || Double.isInfinite(b.minDelta)) {
            throw new IllegalArgumentException("EarlyStopping: min_delta must be a finite number >= 0. Received: min_delta=" + b.minDelta);
        }
        if (b.verbose != 0 && b.verbose != 1) {
            throw new IllegalArgumentException("EarlyStopping: verbose must be 0 or 1. Received: verbose=" + b.verbose);
        }
        if (b.baseline != null && !Double.isFinite(b.baseline)) {
            throw new IllegalArgumentException("EarlyStopping: baseline must be a finite number or null. Received: baseline=" + b.baseline);
        }
        if (b.startFromEpoch < 0) {
            throw new IllegalArgumentException("EarlyStopping: start_from_epoch must be >= 0. Received: start_from_epoch=" + b.startFromEpoch);
        }
        if (b.out == null) throw new IllegalArgumentException("EarlyStopping: out is null");
        this.monitor = b.monitor;
        this.minDelta = b.minDelta;
        this.patience = b.patience;
        this.verbose = b.verbose;
        this.mode = b.mode;
        this.baseline = b.baseline;
        this.restoreBestWeights = b.restoreBestWeights;
        this.startFromEpoch = b.startFromEpoch;
        this.out = b.out;
        this.maximise = switch (mode) {
            case MIN -> false;
            case MAX -> true;
            case AUTO -> autoMaximise(monitor);
        };
        this.best = maximise == Boolean.TRUE ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        this.bestEpoch = -1;
        this.stoppedEpoch = -1;
    }

    /**
     * Keras 3 asks the model's metric for its direction; Sinew's metrics are all accuracies, which
     * go up, and the loss goes down. Anything else: null, an error once it is monitored.
     */
    private static Boolean autoMaximise(String monitor) {
        String metric = monitor.startsWith("val_") ? monitor.substring(4) : monitor;
        if (metric.equals("loss")) return false;
        if (metric.contains("acc")) return true;
        return null;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void checkLogKeys(List<String> logKeys) {
        Monitor.checkKeys("EarlyStopping", monitor, logKeys);
        direction();
    }

    private boolean direction() {
        if (maximise == null) {
            throw new IllegalArgumentException("EarlyStopping callback received monitor=" + monitor + " but Sinew isn't able to"
                    + " automatically determine whether that metric should be maximized or minimized. Pass mode \"max\" in"
                    + " order to do early stopping based on the highest metric value, or mode \"min\" in order to use the"
                    + " lowest value.");
        }
        return maximise;
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(int epochs, int stepsPerEpoch) {
        best = direction() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        bestEpoch = -1;
        wait = 0;
        stoppedEpoch = -1;
        bestWeights = null;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double current = Monitor.value("EarlyStopping", monitor, logs);
        if (epoch < startFromEpoch) return; // still warming up
        if (restoreBestWeights && bestWeights == null) {
            // Until an epoch improves (a NaN never does), the first monitored epoch's weights are the best.
            bestWeights = model.getWeights();
            bestEpoch = epoch;
        }
        wait++;
        if (isImprovement(current, best)) {
            best = current;
            bestEpoch = epoch;
            if (restoreBestWeights) bestWeights = model.getWeights();
            // Only restart waiting when the value beats both the best so far and the baseline.
            if (baseline == null || isImprovement(current, baseline)) wait = 0;
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model.setStopTraining(true);
        }
    }

    private boolean isImprovement(double value, double reference) {
        return direction() ? value - minDelta > reference : value + minDelta < reference;
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (stoppedEpoch >= 0 && verbose > 0) out.println("Epoch " + (stoppedEpoch + 1) + ": early stopping");
        if (restoreBestWeights && bestWeights != null) {
            if (verbose > 0) out.println("Restoring model weights from the end of the best epoch: " + (bestEpoch + 1) + ".");
            model.setWeights(bestWeights);
        }
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

    /** Epochs since the last improvement (that also beat the baseline). */
    public int waited() {
        return wait;
    }

    public String monitor() {
        return monitor;
    }

    /** Keras's arguments and defaults; {@code out} is where {@code verbose} prints (standard output). */
    public static final class Builder {
        private String monitor = "val_loss";
        private double minDelta;
        private int patience, verbose, startFromEpoch;
        private Mode mode = Mode.AUTO;
        private Double baseline;
        private boolean restoreBestWeights;
        private PrintStream out = System.out;

        private Builder() {}

        public Builder monitor(String v) {
            monitor = v;
            return this;
        }

        public Builder minDelta(double v) {
            minDelta = v;
            return this;
        }

        public Builder patience(int v) {
            patience = v;
            return this;
        }

        public Builder verbose(int v) {
            verbose = v;
            return this;
        }

        /** {@code "auto"}, {@code "min"} or {@code "max"}. */
        public Builder mode(String v) {
            mode = Mode.of(v);
            return this;
        }

        public Builder mode(Mode v) {
            if (v == null) throw new IllegalArgumentException("EarlyStopping: mode is null");
            mode = v;
            return this;
        }

        /** A value to beat, or null for none. */
        public Builder baseline(Double v) {
            baseline = v;
            return this;
        }

        public Builder restoreBestWeights(boolean v) {
            restoreBestWeights = v;
            return this;
        }

        public Builder startFromEpoch(int v) {
            startFromEpoch = v;
            return this;
        }

        public Builder out(PrintStream v) {
            out = v;
            return this;
        }

        public EarlyStopping build() {
            return new EarlyStopping(this);
        }
    }
}
