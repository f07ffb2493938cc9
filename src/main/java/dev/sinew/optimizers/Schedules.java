package dev.sinew.optimizers;

import dev.sinew.optimizers.schedules.CosineDecay;
import dev.sinew.optimizers.schedules.CosineDecayRestarts;
import dev.sinew.optimizers.schedules.ExponentialDecay;
import dev.sinew.optimizers.schedules.InverseTimeDecay;
import dev.sinew.optimizers.schedules.PiecewiseConstantDecay;
import dev.sinew.optimizers.schedules.PolynomialDecay;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Learning-rate schedules by their Keras class names, for saved models: the inverse of an
 * optimizer's {@code getConfig()} entry {@code "learning_rate": {"class_name": ..., "config": {...}}},
 * as {@code keras.optimizers.schedules.deserialize}. The schedules themselves are in
 * {@link dev.sinew.optimizers.schedules}.
 */
public final class Schedules {
    private Schedules() {}

    private static final Map<String, Function<Map<String, Object>, LearningRateSchedule>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("ExponentialDecay", ExponentialDecay::fromConfig);
        BY_NAME.put("PiecewiseConstantDecay", PiecewiseConstantDecay::fromConfig);
        BY_NAME.put("PolynomialDecay", PolynomialDecay::fromConfig);
        BY_NAME.put("InverseTimeDecay", InverseTimeDecay::fromConfig);
        BY_NAME.put("CosineDecay", CosineDecay::fromConfig);
        BY_NAME.put("CosineDecayRestarts", CosineDecayRestarts::fromConfig);
    }

    /** Keras's {@code serialize} also writes these beside {@code class_name} and {@code config}. */
    private static final Set<String> ENTRY_KEYS = Set.of("class_name", "config", "module", "registered_name");

    /**
     * A schedule from {@code {"class_name": "ExponentialDecay", "config": {...}}}; the config has
     * Keras's argument names, and absent optional ones take Keras's defaults. An unknown class
     * name or argument is an error naming what is known.
     */
    @SuppressWarnings("unchecked")
    public static LearningRateSchedule fromConfig(Map<String, Object> entry) {
        if (entry == null) throw new IllegalArgumentException("learning-rate schedule entry is null");
        Object cls = entry.get("class_name");
        Function<Map<String, Object>, LearningRateSchedule> f = cls instanceof String s ? BY_NAME.get(s) : null;
        if (f == null) {
            throw new IllegalArgumentException("Unknown learning-rate schedule '" + cls + "'. Known: "
                    + String.join(", ", BY_NAME.keySet()));
        }
        for (String k : entry.keySet()) {
            if (!ENTRY_KEYS.contains(k)) {
                throw new IllegalArgumentException("learning-rate schedule " + cls + ": unexpected entry '" + k
                        + "'; expected class_name and config");
            }
        }
        Object config = entry.get("config");
        if (config != null && !(config instanceof Map)) {
            throw new IllegalArgumentException("learning-rate schedule " + cls + ": 'config' must be an object, got " + config);
        }
        return f.apply(config == null ? Map.of() : (Map<String, Object>) config);
    }

    /** The class names {@link #fromConfig} knows. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }
}
