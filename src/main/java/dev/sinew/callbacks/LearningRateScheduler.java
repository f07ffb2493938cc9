package dev.sinew.callbacks;

import dev.sinew.models.Model;
import dev.sinew.optimizers.Optimizer;
import java.io.PrintStream;

/**
 * Sets the learning rate at the start of every epoch from a function of the epoch and the current
 * rate, as Keras's {@code LearningRateScheduler}:
 * <pre>{@code
 * // keep 0.01 for ten epochs, then decay by exp(-0.1) per epoch
 * new LearningRateScheduler((epoch, lr) -> epoch < 10 ? lr : lr * Math.exp(-0.1))
 * }</pre>
 * The optimizer is the model's; one made with a {@link dev.sinew.optimizers.LearningRateSchedule}
 * (a rate per step rather than per epoch) has no rate to set and is rejected before training
 * starts. A rate that is not positive and finite stops training with an error naming the epoch.
 */
public final class LearningRateScheduler implements Callback {

    /** The schedule: epoch (from 0) and the current learning rate in, the epoch's rate out. */
    @FunctionalInterface
    public interface Schedule {
        double learningRate(int epoch, double currentLearningRate);
    }

    private final Schedule schedule;
    private final int verbose;
    private final PrintStream out;
    private Model model;

    public LearningRateScheduler(Schedule schedule) {
        this(schedule, 0);
    }

    /** With {@code verbose} 1, prints {@code "Epoch 3: LearningRateScheduler setting learning rate to 0.005."} each epoch. */
    public LearningRateScheduler(Schedule schedule, int verbose) {
        this(schedule, verbose, System.out);
    }

    /** As above, printing to {@code out}. */
    public LearningRateScheduler(Schedule schedule, int verbose, PrintStream out) {
        if (schedule == null) throw new IllegalArgumentException("LearningRateScheduler: schedule is null");
        if (verbose != 0 && verbose != 1) {
            throw new IllegalArgumentException("LearningRateScheduler: verbose must be 0 or 1. Received: verbose=" + verbose);
        }
        if (out == null) throw new IllegalArgumentException("LearningRateScheduler: out is null");
        this.schedule = schedule;
        this.verbose = verbose;
        this.out = out;
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(int epochs, int stepsPerEpoch) {
        LearningRates.settable(model, "LearningRateScheduler");
    }

    @Override
    public void onEpochBegin(int epoch) {
        Optimizer o = LearningRates.settable(model, "LearningRateScheduler");
        double lr = schedule.learningRate(epoch, o.learningRate());
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalStateException("LearningRateScheduler: the schedule gave learning rate " + lr + " for epoch " + (epoch + 1)
                    + "; a learning rate must be positive and finite");
        }
        o.setLearningRate(lr);
        if (verbose > 0) out.println("Epoch " + (epoch + 1) + ": LearningRateScheduler setting learning rate to " + lr + ".");
    }
}
