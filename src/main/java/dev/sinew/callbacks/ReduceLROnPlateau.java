package dev.sinew.callbacks;

import dev.sinew.models.Model;
import dev.sinew.optimizers.Optimizer;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Lowers the learning rate when a monitored value has stopped improving, as Keras's
 * {@code ReduceLROnPlateau}. At the end of each epoch:
 * <pre>
 *   if cooling down:  cooldown_counter -= 1;  wait = 0
 *   if value improves on best (by more than minDelta):  best = value;  wait = 0
 *   else if not cooling down:
 *       wait += 1
 *       if wait >= patience and lr > minLr:
 *           lr = max(lr * factor, minLr);  cooldown_counter = cooldown;  wait = 0
 * </pre>
 * ({@code lr > minLr} is compared in float32, as Keras compares its float32 variable, so a rate
 * already at {@code minLr} is not "reduced" again.) The optimizer is the model's; one made with a
 * {@link dev.sinew.optimizers.LearningRateSchedule} has no rate to set and is rejected before
 * training starts.
 * <p>Arguments (Keras's names and defaults, in {@link #builder()}): {@code monitor}
 * ("val_loss"; fit rejects a name it will not log before the first epoch), {@code factor} (0.1, in
 * (0, 1)), {@code patience} (10), {@code verbose} (0; 1 prints each reduction), {@code mode}
 * ("auto": maximise when the name contains "acc", else minimise; or "min", "max"),
 * {@code minDelta} (1e-4), {@code cooldown} (0 epochs after a reduction when no waiting is
 * counted), {@code minLr} (0).
 * <pre>{@code
 * ReduceLROnPlateau.builder().monitor("val_loss").factor(0.2).patience(5).minLr(0.001).build()
 * }</pre>
 */
public final class ReduceLROnPlateau implements Callback {
    private final String monitor;
    private final double factor;
    private final int patience;
    private final int verbose;
    private final Mode mode;
    private final double minDelta;
    private final int cooldown;
    private final double minLr;
    private final PrintStream out;
    private final boolean maximise;

    private Model model;
    private double best;
    private int wait;
    private int cooldownCounter;

    /** Keras's defaults: monitor "val_loss", factor 0.1, patience 10, min_delta 1e-4, no cooldown, min_lr 0. */
    public ReduceLROnPlateau() {
        this(builder());
    }

    private ReduceLROnPlateau(Builder b) {
        Monitor.checkName("ReduceLROnPlateau", b.monitor);
        if (b.factor >= 1.0) {
            throw new IllegalArgumentException("ReduceLROnPlateau does not support a factor >= 1.0. Received factor=" + b.factor);
        }
        if (!(b.factor > 0)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: factor must be > 0 (a learning rate stays positive). Received factor="
                    + b.factor);
        }
        if (b.patience < 0) throw new IllegalArgumentException("ReduceLROnPlateau: patience must be >= 0. Received: patience=" + b.patience);
        if (b.verbose != 0 && b.verbose != 1) {
            throw new IllegalArgumentException("ReduceLROnPlateau: verbose must be 0 or 1. Received: verbose=" + b.verbose);
        }
        if (!(b.minDelta >= 0) || Double.isInfinite(b.minDelta)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: min_delta must be a finite number >= 0. Received: min_delta=" + b.minDelta);
        }
        if (b.cooldown < 0) throw new IllegalArgumentException("ReduceLROnPlateau: cooldown must be >= 0. Received: cooldown=" + b.cooldown);
        if (!(b.minLr >= 0) || Double.isInfinite(b.minLr)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: min_lr must be a finite number >= 0. Received: min_lr=" + b.minLr);
        }
        if (b.out == null) throw new IllegalArgumentException("ReduceLROnPlateau: out is null");
        this.monitor = b.monitor;
        this.factor = b.factor;
        this.patience = b.patience;
        this.verbose = b.verbose;
        this.mode = b.mode;
        this.minDelta = b.minDelta;
        this.cooldown = b.cooldown;
        this.minLr = b.minLr;
        this.out = b.out;
        this.maximise = mode == Mode.MAX || (mode == Mode.AUTO && monitor.contains("acc"));
        reset();
    }

    public static Builder builder() {
        return new Builder();
    }

    private void reset() {
        best = maximise ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        wait = 0;
        cooldownCounter = 0;
    }

    @Override
    public void checkLogKeys(List<String> logKeys) {
        Monitor.checkKeys("ReduceLROnPlateau", monitor, logKeys);
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(int epochs, int stepsPerEpoch) {
        LearningRates.settable(model, "ReduceLROnPlateau");
        reset();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double current = Monitor.value("ReduceLROnPlateau", monitor, logs);
        if (inCooldown()) {
            cooldownCounter--;
            wait = 0;
        }
        if (improves(current)) {
            best = current;
            wait = 0;
        } else if (!inCooldown()) {
            wait++;
            if (wait >= patience) {
                Optimizer o = LearningRates.settable(model, "ReduceLROnPlateau");
                double old = o.learningRate();
                if ((float) old > (float) minLr) {
                    double lr = Math.max(old * factor, minLr);
                    o.setLearningRate(lr);
                    if (verbose > 0) out.println("Epoch " + (epoch + 1) + ": ReduceLROnPlateau reducing learning rate to " + lr + ".");
                    cooldownCounter = cooldown;
                    wait = 0;
                }
            }
        }
    }

    private boolean improves(double current) {
        return maximise ? current > best + minDelta : current < best - minDelta;
    }

    private boolean inCooldown() {
        return cooldownCounter > 0;
    }

    /** The best monitored value so far (infinite before any). */
    public double best() {
        return best;
    }

    /** Epochs without improvement counted towards {@code patience}. */
    public int waited() {
        return wait;
    }

    /** Epochs of cooldown left. */
    public int cooldownLeft() {
        return cooldownCounter;
    }

    public String monitor() {
        return monitor;
    }

    /** Keras's arguments and defaults; {@code out} is where {@code verbose} prints (standard output). */
    public static final class Builder {
        private String monitor = "val_loss";
        private double factor = 0.1, minDelta = 1e-4, minLr = 0.0;
        private int patience = 10, verbose, cooldown;
        private Mode mode = Mode.AUTO;
        private PrintStream out = System.out;

        private Builder() {}

        public Builder monitor(String v) {
            monitor = v;
            return this;
        }

        public Builder factor(double v) {
            factor = v;
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
            if (v == null) throw new IllegalArgumentException("ReduceLROnPlateau: mode is null");
            mode = v;
            return this;
        }

        public Builder minDelta(double v) {
            minDelta = v;
            return this;
        }

        public Builder cooldown(int v) {
            cooldown = v;
            return this;
        }

        public Builder minLr(double v) {
            minLr = v;
            return this;
        }

        public Builder out(PrintStream v) {
            out = v;
            return this;
        }

        public ReduceLROnPlateau build() {
            return new ReduceLROnPlateau(this);
        }
    }
}
