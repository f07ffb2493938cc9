package dev.sinew.optimizers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Optimizers by their Keras names, as {@code keras.optimizers.get}: {@code get("adam")} gives an
 * {@link Adam} with Keras's defaults; {@code fromConfig("Adam", config)} rebuilds a saved one.
 */
public final class Optimizers {
    private Optimizers() {}

    private static final Map<String, Function<Map<String, Object>, Optimizer>> BY_NAME = new LinkedHashMap<>();

    static {
        register("SGD", SGD::fromConfig);
        register("Adam", Adam::fromConfig);
        register("AdamW", AdamW::fromConfig);
        register("RMSprop", RMSprop::fromConfig);
        register("Adagrad", Adagrad::fromConfig);
        register("Adadelta", Adadelta::fromConfig);
        register("Adamax", Adamax::fromConfig);
        register("Nadam", Nadam::fromConfig);
        register("Lion", Lion::fromConfig);
    }

    private static void register(String className, Function<Map<String, Object>, Optimizer> fromConfig) {
        BY_NAME.put(className.toLowerCase(Locale.ROOT), fromConfig);
    }

    /** A new optimizer named as in Keras ("sgd", "adam", "rmsprop", ..., any case), with Keras's defaults. */
    public static Optimizer get(String name) {
        return fromConfig(name, Map.of());
    }

    /** A new optimizer of Keras class {@code className} from its {@code get_config()} map. */
    public static Optimizer fromConfig(String className, Map<String, Object> config) {
        if (className == null) throw new IllegalArgumentException("optimizer name is null");
        Function<Map<String, Object>, Optimizer> f = BY_NAME.get(className.trim().toLowerCase(Locale.ROOT));
        if (f == null) {
            throw new IllegalArgumentException("Unknown optimizer '" + className + "'. Known: "
                    + String.join(", ", BY_NAME.keySet()));
        }
        Map<String, Object> c = config == null ? Map.of() : config;
        Optimizer o = f.apply(c);
        // As Keras: an argument the optimizer does not take is an error, not silently ignored.
        List<String> unknown = new ArrayList<>();
        Map<String, Object> known = o.getConfig();
        for (Map.Entry<String, Object> e : c.entrySet()) {
            boolean unsupportedButUnset = IGNORED_WHEN_NULL.contains(e.getKey()) && e.getValue() == null;
            if (!known.containsKey(e.getKey()) && !e.getKey().equals("exclude_from_weight_decay") && !unsupportedButUnset) {
                unknown.add(e.getKey());
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(o.name() + ": argument(s) not recognized: " + unknown + "; it takes "
                    + known.keySet());
        }
        return o;
    }

    /** Keras's base arguments that Sinew does not implement; a saved Keras config may hold them as null. */
    private static final Set<String> IGNORED_WHEN_NULL = Set.of("loss_scale_factor", "gradient_accumulation_steps");
}
