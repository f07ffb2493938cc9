package dev.sinew.layers;

import java.util.Map;

/** Rebuilds layers from their saved configs ({@link Layer#getConfig()}), by Keras class name. */
public final class Layers {
    private Layers() {}

    public static Layer fromConfig(String className, Map<String, Object> config) {
        Layer layer = switch (className) {
            case "Dense" -> new Dense(intOf(config, "units"), (String) config.get("activation"));
            case "Dropout" -> new Dropout(numberOf(config, "rate").doubleValue(), numberOf(config, "seed").longValue());
            default -> throw new IllegalArgumentException("unknown layer class '" + className + "'");
        };
        Object name = config.get("name");
        if (name instanceof String s) layer.withName(s);
        return layer;
    }

    static Number numberOf(Map<String, Object> config, String key) {
        if (!(config.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("layer config needs a number '" + key + "', got " + config.get(key));
        }
        return n;
    }

    static int intOf(Map<String, Object> config, String key) {
        return Math.toIntExact(numberOf(config, key).longValue());
    }
}
