package dev.sinew.optimizers.schedules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What the schedules share: checking their arguments (with Keras's names and the received value
 * in every message) and reading them from a Keras config map. Not public: each schedule's
 * constructor and {@code fromConfig} are the API.
 */
final class Args {
    private final String schedule;
    private final Map<String, Object> config;

    /**
     * A config of {@code schedule} that may hold {@code keys} and Keras's {@code "name"} (which
     * Sinew does not keep: it only names Keras's op scope); any other key is an error listing them.
     */
    Args(String schedule, Map<String, Object> config, String... keys) {
        this.schedule = schedule;
        this.config = config == null ? Map.of() : config;
        List<String> known = new ArrayList<>(List.of(keys));
        known.add("name");
        List<String> unknown = new ArrayList<>();
        for (String k : this.config.keySet()) if (!known.contains(k)) unknown.add(k);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(schedule + " config: argument(s) not recognized: " + unknown + "; it takes " + known);
        }
        Object name = this.config.get("name");
        if (name != null && !(name instanceof String)) {
            throw new IllegalArgumentException(schedule + " config: 'name' must be a string or null, got " + name);
        }
    }

    // ------------------------------------------------------------------ reading a config

    private Object required(String key) {
        Object v = config.get(key);
        if (v == null) throw new IllegalArgumentException(schedule + " config: '" + key + "' is required");
        return v;
    }

    double number(String key) {
        return asNumber(key, required(key));
    }

    double number(String key, double absent) {
        Object v = config.get(key);
        return v == null ? absent : asNumber(key, v);
    }

    /** A number or null ({@code warmup_target}); absent is null too. */
    Double numberOrNull(String key) {
        Object v = config.get(key);
        return v == null ? null : asNumber(key, v);
    }

    long whole(String key) {
        return asWhole(key, required(key));
    }

    long whole(String key, long absent) {
        Object v = config.get(key);
        return v == null ? absent : asWhole(key, v);
    }

    boolean bool(String key, boolean absent) {
        Object v = config.get(key);
        if (v == null) return absent;
        if (v instanceof Boolean b) return b;
        throw new IllegalArgumentException(schedule + " config: '" + key + "' must be true or false, got " + v);
    }

    List<Double> numbers(String key) {
        List<Double> out = new ArrayList<>();
        for (Object o : list(key)) out.add(asNumber(key, o));
        return out;
    }

    List<Long> wholes(String key) {
        List<Long> out = new ArrayList<>();
        for (Object o : list(key)) out.add(asWhole(key, o));
        return out;
    }

    private List<?> list(String key) {
        if (required(key) instanceof List<?> l) return Collections.unmodifiableList(l);
        throw new IllegalArgumentException(schedule + " config: '" + key + "' must be a list, got " + config.get(key));
    }

    private double asNumber(String key, Object v) {
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException(schedule + " config: '" + key + "' must be a number, got " + v);
    }

    /** A step count: a whole number (a JSON 100.0 is 100), as Keras's step is an integer. */
    private long asWhole(String key, Object v) {
        if (v instanceof Long || v instanceof Integer) return ((Number) v).longValue();
        double d = asNumber(key, v);
        if (d != Math.rint(d) || Math.abs(d) > 1e18) {
            throw new IllegalArgumentException(schedule + " config: '" + key + "' must be a whole number, got " + v);
        }
        return (long) d;
    }

    // ------------------------------------------------------------------ checking arguments

    /** A learning rate (or one of its factors) must be a finite number >= 0. */
    static void nonNegative(String schedule, String key, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(schedule + ": argument `" + key + "` must be a finite number >= 0. Received: "
                    + key + "=" + v);
        }
    }

    static void positiveSteps(String schedule, String key, long v) {
        if (v <= 0) throw new IllegalArgumentException(schedule + ": argument `" + key + "` must be > 0. Received: " + key + "=" + v);
    }

    static void fraction(String schedule, String key, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(schedule + ": argument `" + key + "` must be in [0, 1]. Received: " + key + "=" + v);
        }
    }

    static void step(String schedule, long step) {
        if (step < 0) throw new IllegalArgumentException(schedule + ": the step must be >= 0. Received: step=" + step);
    }

    /** Builders' arguments without a Keras default must be given. */
    static <T> T given(String schedule, String key, T v) {
        if (v == null) throw new IllegalArgumentException(schedule + ".builder(): " + key + " is required");
        return v;
    }
}
