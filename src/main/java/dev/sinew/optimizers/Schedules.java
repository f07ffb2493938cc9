package dev.sinew.optimizers;

import java.util.Map;

/** Learning-rate schedules by their Keras class names, for saved models. */
public final class Schedules {
    private Schedules() {}

    /** A schedule from {@code {"class_name": ..., "config": {...}}}. */
    public static LearningRateSchedule fromConfig(Map<String, Object> entry) {
        Object cls = entry.get("class_name");
        throw new IllegalArgumentException("Unknown learning-rate schedule '" + cls + "'");
    }
}
