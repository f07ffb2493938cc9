package dev.sinew.callbacks;

import java.util.List;
import java.util.Map;

/** What the callbacks that watch one logged value share: checking its name, and reading it. */
final class Monitor {
    private Monitor() {}

    static void checkName(String callback, String monitor) {
        if (monitor == null || monitor.isBlank()) {
            throw new IllegalArgumentException(callback + " needs a monitor, e.g. \"val_loss\". Received: monitor=" + monitor);
        }
    }

    /** Before training: the monitored name must be one that fit will log. */
    static void checkKeys(String callback, String monitor, List<String> logKeys) {
        if (!logKeys.contains(monitor)) {
            throw new IllegalArgumentException(callback + " monitors '" + monitor + "', which fit will not log; the logs will have "
                    + logKeys + hint(monitor, logKeys));
        }
    }

    /** After an epoch: the monitored value (fit checked the name before training; a hand-driven callback may not have). */
    static double value(String callback, String monitor, Map<String, Double> logs) {
        Double v = logs.get(monitor);
        if (v == null) {
            throw new IllegalStateException(callback + " monitors '" + monitor + "', but the logs only have " + logs.keySet()
                    + hint(monitor, List.copyOf(logs.keySet())));
        }
        return v;
    }

    private static String hint(String monitor, List<String> keys) {
        boolean validating = keys.stream().anyMatch(k -> k.startsWith("val_"));
        return monitor.startsWith("val_") && !validating ? " (is there validation data?)" : "";
    }
}
