package dev.sinew.layers;

import java.util.Map;

/** Rebuilds layers from their saved configs ({@link Layer#getConfig()}), by Keras class name. */
public final class Layers {
    private Layers() {}

    public static Layer fromConfig(String className, Map<String, Object> config) {
        Layer layer = switch (className) {
            case "Dense" -> new Dense(intOf(config, "units"), (String) config.get("activation"));
            case "Dropout" -> new Dropout(numberOf(config, "rate").doubleValue(), integer(config.get("seed"), "layer config 'seed'"));
            case "Flatten" -> new Flatten();
            case "RandomRotation" -> new RandomRotation(numberOf(config, "factor").doubleValue());
            case "RandomZoom" -> new RandomZoom(numberOf(config, "height_factor").doubleValue());
            case "RandomTranslation" -> new RandomTranslation(numberOf(config, "height_factor").doubleValue(),
                    numberOf(config, "width_factor").doubleValue());
            case "Conv2D" -> new Conv2D(intOf(config, "filters"), pair(config, "kernel_size")[0], pair(config, "kernel_size")[1],
                    pair(config, "strides")[0], pair(config, "strides")[1], (String) config.get("padding"),
                    dev.sinew.activations.Activation.of((String) config.get("activation")));
            case "DepthwiseConv2D" -> new DepthwiseConv2D(pair(config, "kernel_size")[0], pair(config, "kernel_size")[1],
                    pair(config, "strides")[0], pair(config, "strides")[1], channelsLastUndilated(className, config),
                    intOf(config, "depth_multiplier"), dev.sinew.activations.Activation.of((String) config.get("activation")),
                    booleanOf(config, "use_bias"));
            case "SeparableConv2D" -> new SeparableConv2D(intOf(config, "filters"), pair(config, "kernel_size")[0],
                    pair(config, "kernel_size")[1], pair(config, "strides")[0], pair(config, "strides")[1],
                    channelsLastUndilated(className, config), intOf(config, "depth_multiplier"),
                    dev.sinew.activations.Activation.of((String) config.get("activation")), booleanOf(config, "use_bias"));
            case "MaxPooling2D" -> new MaxPooling2D(pair(config, "pool_size")[0], pair(config, "pool_size")[1],
                    pair(config, "strides")[0], pair(config, "strides")[1], (String) config.get("padding"));
            case "AveragePooling2D" -> new AveragePooling2D(pair(config, "pool_size")[0], pair(config, "pool_size")[1],
                    pair(config, "strides")[0], pair(config, "strides")[1], (String) config.get("padding"));
            case "Activation" -> new Activation((String) config.get("activation"));
            case "ReLU" -> new ReLU(config.get("max_value") == null ? null : numberOf(config, "max_value").doubleValue(),
                    numberOf(config, "negative_slope").doubleValue(), numberOf(config, "threshold").doubleValue());
            case "LeakyReLU" -> new LeakyReLU(numberOf(config, "negative_slope").doubleValue());
            case "ELU" -> new ELU(numberOf(config, "alpha").doubleValue());
            case "Softmax" -> new Softmax(intOf(config, "axis"));
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

    /**
     * The padding of a DepthwiseConv2D or SeparableConv2D config, after checking its data_format and
     * dilation_rate: Keras writes both, Sinew implements neither, so a file asking for anything but
     * Keras's defaults is refused rather than misread.
     */
    private static String channelsLastUndilated(String className, Map<String, Object> config) {
        Object format = config.get("data_format"), dilation = config.get("dilation_rate");
        if (format != null && !"channels_last".equals(format)) {
            throw new IllegalArgumentException(className + ": only data_format \"channels_last\" is supported, got " + format);
        }
        if (dilation != null && !(dilation instanceof java.util.List<?> l && l.size() == 2
                && l.stream().allMatch(v -> v instanceof Number n && n.doubleValue() == 1))) {
            throw new IllegalArgumentException(className + ": only dilation_rate [1, 1] is supported, got " + dilation);
        }
        return (String) config.get("padding");
    }

    static boolean booleanOf(Map<String, Object> config, String key) {
        if (!(config.get(key) instanceof Boolean b)) {
            throw new IllegalArgumentException("layer config needs true or false for '" + key + "', got " + config.get(key));
        }
        return b;
    }

    /** A two-element list of integers such as {@code "kernel_size": [3, 3]}. */
    static int[] pair(Map<String, Object> config, String key) {
        if (!(config.get(key) instanceof java.util.List<?> l) || l.size() != 2) {
            throw new IllegalArgumentException("layer config needs a pair '" + key + "', got " + config.get(key));
        }
        String what = "layer config '" + key + "' " + l;
        return new int[] {toInt(l.get(0), what), toInt(l.get(1), what)};
    }

    static int intOf(Map<String, Object> config, String key) {
        return toInt(config.get(key), "layer config '" + key + "'");
    }

    private static int toInt(Object value, String what) {
        long v = integer(value, what);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " = " + v + " is beyond the int range");
        }
        return (int) v;
    }

    /**
     * An integer from a parsed config: a whole number, also when written as {@code 5.0} (as Python's
     * json writes floats), but never {@code 5.7} silently cut to 5. {@code what} names the value in
     * the error, e.g. {@code "layer config 'units'"}.
     */
    public static long integer(Object value, String what) {
        return switch (value) {
            case Long l -> l;
            case Integer i -> i;
            // Whole doubles below 2^63 in magnitude convert to long exactly.
            case Double d when d == Math.rint(d) && Math.abs(d) < 0x1p63 -> (long) (double) d;
            case null, default -> throw new IllegalArgumentException(what + " must be an integer, got " + value);
        };
    }
}
