package dev.sinew.layers;

import java.util.Map;

/** Rebuilds layers from their saved configs ({@link Layer#getConfig()}), by Keras class name. */
public final class Layers {
    private Layers() {}

    public static Layer fromConfig(String className, Map<String, Object> config) {
        Layer layer = switch (className) {
            case "Dense" -> new Dense(intOf(config, "units"), (String) config.get("activation")).useBias(useBias(config));
            case "Dropout" -> new Dropout(numberOf(config, "rate").doubleValue(), integer(config.get("seed"), "layer config 'seed'"));
            case "Flatten" -> new Flatten();
            case "RandomRotation" -> new RandomRotation(numberOf(config, "factor").doubleValue());
            case "RandomFlip" -> new RandomFlip((String) config.get("mode"));
            case "RandomZoom" -> new RandomZoom(numberOf(config, "height_factor").doubleValue());
            case "RandomTranslation" -> new RandomTranslation(numberOf(config, "height_factor").doubleValue(),
                    numberOf(config, "width_factor").doubleValue());
            case "Conv2D" -> new Conv2D(intOf(config, "filters"), pair(config, "kernel_size")[0], pair(config, "kernel_size")[1],
                    pair(config, "strides")[0], pair(config, "strides")[1], (String) config.get("padding"),
                    dev.sinew.activations.Activation.of((String) config.get("activation"))).useBias(useBias(config));
            case "DepthwiseConv2D" -> new DepthwiseConv2D(pair(config, "kernel_size")[0], pair(config, "kernel_size")[1],
                    pair(config, "strides")[0], pair(config, "strides")[1], channelsLastUndilated(className, config),
                    intOf(config, "depth_multiplier"), dev.sinew.activations.Activation.of((String) config.get("activation")),
                    useBias(config));
            case "SeparableConv2D" -> new SeparableConv2D(intOf(config, "filters"), pair(config, "kernel_size")[0],
                    pair(config, "kernel_size")[1], pair(config, "strides")[0], pair(config, "strides")[1],
                    channelsLastUndilated(className, config), intOf(config, "depth_multiplier"),
                    dev.sinew.activations.Activation.of((String) config.get("activation")), useBias(config));
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
            case "Add" -> new Add();
            case "Subtract" -> new Subtract();
            case "Multiply" -> new Multiply();
            case "Average" -> new Average();
            case "Maximum" -> new Maximum();
            case "Concatenate" -> new Concatenate(intOf(config, "axis"));
            case "GlobalAveragePooling2D", "GlobalAvgPool2D" -> new GlobalAveragePooling2D(keepdims(config));
            case "GlobalMaxPooling2D", "GlobalMaxPool2D" -> new GlobalMaxPooling2D(keepdims(config));
            case "ZeroPadding2D" -> new ZeroPadding2D(padding2d(config));
            case "Reshape" -> new Reshape(ints(config, "target_shape"));
            case "Permute" -> new Permute(ints(config, "dims"));

            case "BatchNormalization" -> batchNormalization(config);
            case "LayerNormalization" -> layerNormalization(config);
            default -> throw new IllegalArgumentException("unknown layer class '" + className + "'");
        };
        Object name = config.get("name");
        if (name instanceof String s) layer.withName(s);
        return layer;
    }

    /** Keras's {@code use_bias}; a config without it (a file saved before the key existed) means true. */
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

    static boolean useBias(Map<String, Object> config) {
        return booleanOf(config, "use_bias", true);
    }

    static boolean booleanOf(Map<String, Object> config, String key, boolean absent) {
        Object v = config.get(key);
        if (v == null) return absent;
        if (!(v instanceof Boolean b)) throw new IllegalArgumentException("layer config '" + key + "' must be true or false, got " + v);
        return b;
    }

    /** Global pooling's {@code keepdims} (default false), channels last only. */
    static boolean keepdims(Map<String, Object> config) {
        requireChannelsLast(config);
        return booleanOf(config, "keepdims", false);
    }

    private static void requireChannelsLast(Map<String, Object> config) {
        Object f = config.get("data_format");
        if (f != null && !"channels_last".equals(f)) {
            throw new IllegalArgumentException("layer config 'data_format' must be \"channels_last\" (Sinew's images are"
                    + " (height, width, channels)), got " + f);
        }
    }

    /** ZeroPadding2D's padding as Keras may write it: p, [h, w] or [[top, bottom], [left, right]]. */
    static int[][] padding2d(Map<String, Object> config) {
        requireChannelsLast(config);
        Object p = config.get("padding");
        String what = "layer config 'padding' " + p;
        if (!(p instanceof java.util.List<?> l)) {
            int v = toInt(p, what);
            return new int[][] {{v, v}, {v, v}};
        }
        if (l.size() != 2) {
            throw new IllegalArgumentException("layer config 'padding' must be an integer, [height, width] or [[top, bottom],"
                    + " [left, right]], got " + p);
        }
        int[][] out = new int[2][];
        for (int i = 0; i < 2; i++) {
            if (l.get(i) instanceof java.util.List<?> side) {
                if (side.size() != 2) {
                    throw new IllegalArgumentException("layer config 'padding' must be an integer, [height, width] or"
                            + " [[top, bottom], [left, right]], got " + p);
                }
                out[i] = new int[] {toInt(side.get(0), what), toInt(side.get(1), what)};
            } else {
                int v = toInt(l.get(i), what);
                out[i] = new int[] {v, v};
            }
        }
        return out;
    }

    /** A list of integers such as {@code "dims": [2, 1]}. */
    static int[] ints(Map<String, Object> config, String key) {
        if (!(config.get(key) instanceof java.util.List<?> l)) {
            throw new IllegalArgumentException("layer config needs a list '" + key + "', got " + config.get(key));
        }
        String what = "layer config '" + key + "' " + l;
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = toInt(l.get(i), what);
        return out;
    }

    static Number numberOf(Map<String, Object> config, String key) {
        if (!(config.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("layer config needs a number '" + key + "', got " + config.get(key));
        }
        return n;
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

    // The normalisation layers: Keras's defaults for missing keys; options Sinew does not have
    // (batch renormalisation, LayerNormalization's deprecated rms_scaling) are refused, not ignored.
    private static BatchNormalization batchNormalization(Map<String, Object> config) {
        refuse(config, "BatchNormalization", "renorm");
        refuse(config, "BatchNormalization", "synchronized");
        return new BatchNormalization(Normalization.axisOf(config.getOrDefault("axis", -1L), "BatchNormalization"),
                numberOr(config, "momentum", 0.99), numberOr(config, "epsilon", 1e-3), flagOr(config, "center", true),
                flagOr(config, "scale", true));
    }

    private static LayerNormalization layerNormalization(Map<String, Object> config) {
        refuse(config, "LayerNormalization", "rms_scaling");
        return new LayerNormalization(Normalization.axisOf(config.getOrDefault("axis", -1L), "LayerNormalization"),
                numberOr(config, "epsilon", 1e-3), flagOr(config, "center", true), flagOr(config, "scale", true));
    }

    private static double numberOr(Map<String, Object> config, String key, double otherwise) {
        return config.get(key) == null ? otherwise : numberOf(config, key).doubleValue();
    }

    private static boolean flagOr(Map<String, Object> config, String key, boolean otherwise) {
        Object v = config.get(key);
        if (v == null) return otherwise;
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("layer config needs true or false for '" + key + "', got " + v);
        }
        return b;
    }

    private static void refuse(Map<String, Object> config, String className, String option) {
        if (flagOr(config, option, false)) {
            throw new IllegalArgumentException(className + " " + option + "=true is not supported by Sinew");
        }
    }
}
