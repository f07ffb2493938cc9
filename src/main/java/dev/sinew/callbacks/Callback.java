package dev.sinew.callbacks;

import dev.sinew.models.Model;
import java.util.List;
import java.util.Map;

/**
 * Hooks into {@code Model.fit}, as Keras's {@code keras.callbacks.Callback}. Epochs and
 * batches count from 0 (the progress display shows them from 1). {@code logs} maps names such
 * as {@code "loss"}, {@code "accuracy"}, {@code "val_loss"} to values: within an epoch, the
 * running means so far; at its end, the epoch's values. A callback may call
 * {@link Model#setStopTraining(boolean)} to end training after the current epoch.
 */
public interface Callback {

    /**
     * Called once by {@code fit} before anything else (before {@link #setModel} and
     * {@link #onTrainBegin}), with the names each epoch's logs will have: {@code "loss"}, each
     * metric, then the same prefixed {@code "val_"} when there is validation data. A callback that
     * reads a log by name (EarlyStopping's {@code monitor}) throws {@link IllegalArgumentException}
     * here when the name is not among them, so that a typo fails before the first epoch trains.
     */
    default void checkLogKeys(List<String> logKeys) {}

    /** Called once, before training starts. */
    default void setModel(Model model) {}

    default void onTrainBegin(int epochs, int stepsPerEpoch) {}

    /**
     * Asked right after {@link #onTrainBegin}: the epoch {@code fit} should start at because this
     * callback restored a checkpoint there ({@link BackupAndRestore}), or -1 for no opinion.
     */
    default int resumeEpoch() {
        return -1;
    }

    default void onEpochBegin(int epoch) {}

    /** After each training batch; {@code logs} is reused by the caller, copy what you keep. */
    default void onBatchEnd(int batch, Map<String, Double> logs) {}

    default void onEpochEnd(int epoch, Map<String, Double> logs) {}

    /** {@code logs} are the last epoch's (empty if no epoch finished). */
    default void onTrainEnd(Map<String, Double> logs) {}
}
