package dev.sinew.callbacks;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backends;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.Optimizer;
import dev.sinew.optimizers.SGD;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the callback tests share: a tiny compiled model (2 -> 1, mean squared error, reference
 * backend) for the callbacks to act on, data for it, and a captured output stream.
 */
final class Tiny {
    private Tiny() {}

    static Sequential model(Optimizer optimizer) {
        Sequential net = new Sequential(Backends.reference(), 11);
        net.add(new Input(2));
        net.add(new Dense(1));
        net.compile("mean_squared_error", optimizer, "accuracy");
        return net;
    }

    static Sequential model() {
        return model(new SGD(0.1));
    }

    static float[][] x(long seed, int rows, double scale) {
        return TestUtil.uniform(new SplittableRandom(seed), rows, 2, -scale, scale);
    }

    static float[][] y(long seed, int rows) {
        return TestUtil.uniform(new SplittableRandom(seed + 1000), rows, 1, -1, 1);
    }

    /** Weights that say which epoch they are from: every value is {@code epoch}. */
    static List<float[]> weightsOfEpoch(Sequential net, int epoch) {
        return net.getWeights().stream().map(w -> {
            float[] v = new float[w.length];
            java.util.Arrays.fill(v, epoch);
            return v;
        }).toList();
    }

    /** An epoch's logs whose {@code key} is {@code value} (and whose other values are 1). */
    static Map<String, Double> logs(String key, double value) {
        Map<String, Double> logs = new java.util.LinkedHashMap<>(Map.of("loss", 1.0, "accuracy", 1.0));
        logs.put(key, value);
        return logs;
    }

    /** A PrintStream into {@code bytes}. */
    static PrintStream into(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    static String text(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
