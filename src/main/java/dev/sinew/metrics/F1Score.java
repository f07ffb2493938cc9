package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code f1_score}: the harmonic mean of precision and recall, from counts kept per class over
 * everything seen, as Keras's {@code F1Score} (with its ε = 1e-7 in each division). A prediction
 * is positive for a class when it is the row's largest (and not 0), or, given a
 * {@code threshold}, when it is above it. {@code average}: {@code "macro"} (the mean of the
 * classes' F1), {@code "micro"} (F1 of the counts summed over classes) or {@code "weighted"}
 * (classes weighted by their true count).
 *
 * <p>One difference from Keras: its default {@code average=None} reports one F1 per class, which
 * a log of numbers cannot hold; here the default is {@code "macro"}, and {@link #perClass} gives
 * the per-class values of a state.
 */
public final class F1Score extends StatefulMetric {
    private static final double EPSILON = 1e-7;
    private final String name;
    private final String average;
    private final Float threshold;

    /** Macro-averaged F1 of argmax decisions. */
    public F1Score() {
        this("macro", null);
    }

    /** {@code average} one of micro, macro, weighted; {@code threshold} in (0, 1], or null for the row's argmax. */
    public F1Score(String average, Float threshold) {
        this("f1_score", average, threshold);
    }

    F1Score(String name, String average, Float threshold) {
        if (average == null) {
            throw new IllegalArgumentException(name + ": average must be micro, macro or weighted (one F1 per class, Keras's"
                    + " None, is F1Score.perClass)");
        }
        this.average = switch (average.toLowerCase(Locale.ROOT)) {
            case "micro", "macro", "weighted" -> average.toLowerCase(Locale.ROOT);
            default -> throw new IllegalArgumentException(name + ": average must be micro, macro or weighted, got \""
                    + average + "\"");
        };
        if (threshold != null && !(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException(name + ": threshold must verify 0 < threshold <= 1, got " + threshold);
        }
        this.name = name;
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        if (!average.equals("macro")) c.put("average", average);
        if (threshold != null) c.put("threshold", (double) threshold);
        return c;
    }

    @Override
    public MetricState newState() {
        return new Counts();
    }

    /** The F1 of each class in a state of this metric, Keras's {@code average=None}. */
    public static double[] perClass(MetricState state) {
        if (!(state instanceof Counts s)) throw new IllegalArgumentException("not a state of an F1Score: " + state);
        if (s.tp == null) return new double[0];
        double[] f1 = new double[s.tp.length];
        for (int j = 0; j < f1.length; j++) f1[j] = f1(s.tp[j], s.fp[j], s.fn[j]);
        return f1;
    }

    private static double f1(double tp, double fp, double fn) {
        double precision = tp / (tp + fp + EPSILON), recall = tp / (tp + fn + EPSILON);
        return 2 * precision * recall / (precision + recall + EPSILON);
    }

    /** Per class: true positives, false positives, false negatives and true count. */
    private final class Counts implements MetricState {
        private double[] tp, fp, fn, support;

        @Override
        public void update(Backend backend, Tensor pred, Tensor target, int n, int c) {
            if (tp == null) {
                tp = new double[c];
                fp = new double[c];
                fn = new double[c];
                support = new double[c];
            } else if (tp.length != c) {
                throw new IllegalArgumentException(name + ": the state counts " + tp.length + " classes, this batch has " + c);
            }
            for (int row = 0; row < n; row++) {
                long at = (long) row * c;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) max = Math.max(max, pred.get(at + j));
                for (int j = 0; j < c; j++) {
                    float p = pred.get(at + j);
                    boolean positive = threshold == null ? p >= max && Math.abs(p) > 1e-9 : p > threshold;
                    // Keras multiplies by the target: 0/1 targets are what this metric is defined for.
                    double t = target.get(at + j);
                    double y = positive ? 1 : 0;
                    tp[j] += y * t;
                    fp[j] += y * (1 - t);
                    fn[j] += (1 - y) * t;
                    support[j] += t;
                }
            }
        }

        @Override
        public double result() {
            if (tp == null) return 0;
            int c = tp.length;
            if (average.equals("micro")) {
                double a = 0, b = 0, d = 0;
                for (int j = 0; j < c; j++) {
                    a += tp[j];
                    b += fp[j];
                    d += fn[j];
                }
                return f1(a, b, d);
            }
            double total = 0;
            for (double s : support) total += s;
            double sum = 0;
            for (int j = 0; j < c; j++) {
                double f = f1(tp[j], fp[j], fn[j]);
                sum += average.equals("weighted") ? f * support[j] / (total + EPSILON) : f / c;
            }
            return sum;
        }

        @Override
        public void reset() {
            tp = fp = fn = support = null;
        }
    }
}
