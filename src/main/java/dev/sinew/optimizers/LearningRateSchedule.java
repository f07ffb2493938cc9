package dev.sinew.optimizers;

import java.util.Map;

/**
 * A learning rate that depends on the step, as Keras's {@code LearningRateSchedule}: the
 * optimizer asks for {@code at(iterations)} before each update (the first update is step 0).
 */
public interface LearningRateSchedule {

    /** The learning rate for the update after {@code step} earlier updates. */
    double at(long step);

    /** The Keras class name, e.g. {@code "ExponentialDecay"}. */
    String name();

    /** The arguments with Keras's names, for saved models. */
    Map<String, Object> getConfig();
}
