package dev.sinew.models;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a step's time goes, per kind of layer: with {@code -Dsinew.profile=true} the executors time
 * every layer's forward and backward pass (and the gradient sums) and the totals are printed to
 * standard error when the JVM exits. Off by default, when it costs one test of a constant per layer
 * call. A tool for the performance work (what `perf` cannot say: which layer's Java and native
 * calls a sample belongs to), not an API.
 */
final class LayerTimes {
    static final boolean ON = Boolean.getBoolean("sinew.profile");
    private static final Map<String, LongAdder[]> TOTALS = new ConcurrentHashMap<>();

    static {
        if (ON) Runtime.getRuntime().addShutdownHook(new Thread(LayerTimes::print, "sinew-profile"));
    }

    private LayerTimes() {}

    /** Adds {@code nanos} to the forward (0), backward (1) or sums (2) total of layers of {@code kind}. */
    static void add(String kind, int pass, long nanos) {
        LongAdder[] t = TOTALS.computeIfAbsent(kind, k -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()});
        t[pass].add(nanos);
    }

    private static void print() {
        Map<String, LongAdder[]> sorted = new TreeMap<>(TOTALS);
        double all = 0;
        for (LongAdder[] t : sorted.values()) all += t[0].sum() + t[1].sum() + t[2].sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s %10s %10s %10s %6s%n", "sinew.profile: layer",
                "forward s", "backward s", "sums s", "share"));
        for (Map.Entry<String, LongAdder[]> e : sorted.entrySet()) {
            LongAdder[] t = e.getValue();
            double sum = t[0].sum() + t[1].sum() + t[2].sum();
            sb.append(String.format(Locale.ROOT, "%-28s %10.3f %10.3f %10.3f %5.1f%%%n", e.getKey(), t[0].sum() / 1e9,
                    t[1].sum() / 1e9, t[2].sum() / 1e9, 100 * sum / all));
        }
        System.err.print(sb);
    }
}
