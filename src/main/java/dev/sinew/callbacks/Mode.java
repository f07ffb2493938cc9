package dev.sinew.callbacks;

import java.util.Locale;

/**
 * Whether a monitored value should go down or up, as the {@code mode} argument of Keras's
 * EarlyStopping and ReduceLROnPlateau: {@code "min"}, {@code "max"}, or {@code "auto"} (from the
 * monitor's name; each callback says how).
 */
public enum Mode {
    AUTO, MIN, MAX;

    /** {@code "auto"}, {@code "min"} or {@code "max"}, any case. */
    public static Mode of(String name) {
        if (name != null) {
            switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "auto": return AUTO;
                case "min": return MIN;
                case "max": return MAX;
                default: break;
            }
        }
        throw new IllegalArgumentException("mode must be one of \"auto\", \"min\", \"max\". Received: mode=" + name);
    }
}
