package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The counts behind {@link Precision} and {@link Recall}, as Keras's
 * {@code update_confusion_matrix_variables} at one threshold: every output of every row is a
 * binary decision {@code pred > threshold} against {@code target != 0}. With {@code topK}, only
 * each row's k largest outputs may count as positive (ties go to the lower column, as
 * {@code top_k}); with {@code classId}, only that column is read.
 */
final class Confusion {
    final float threshold;
    final Integer topK, classId;

    Confusion(String metric, Float threshold, Integer topK, Integer classId) {
        if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException(metric + ": thresholds must be in [0, 1], got " + threshold);
        }
        if (topK != null && topK < 1) throw new IllegalArgumentException(metric + ": top_k must be at least 1, got " + topK);
        if (classId != null && classId < 0) {
            throw new IllegalArgumentException(metric + ": class_id must be a column index, got " + classId);
        }
        // Keras: with top_k and no threshold, every one of the top k counts as positive.
        this.threshold = threshold != null ? threshold : topK != null ? Float.NEGATIVE_INFINITY : 0.5f;
        this.topK = topK;
        this.classId = classId;
    }

    Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        if (threshold != 0.5f && threshold != Float.NEGATIVE_INFINITY) c.put("thresholds", (double) threshold);
        if (topK != null) c.put("top_k", (long) topK);
        if (classId != null) c.put("class_id", (long) classId);
        return c;
    }

    MetricState newState(String metric, ToDoubleFunction<Counts> result) {
        return new Counts(metric, result);
    }

    /** True and false positives and negatives over everything seen. */
    final class Counts implements MetricState {
        private final String metric;
        private final ToDoubleFunction<Counts> result;
        double tp, fp, tn, fn;

        private Counts(String metric, ToDoubleFunction<Counts> result) {
            this.metric = metric;
            this.result = result;
        }

        @Override
        public void update(Backend backend, Tensor pred, Tensor target, int n, int c) {
            if (classId != null && classId >= c) {
                throw new IllegalArgumentException(metric + ": class_id " + classId + " is not a column of outputs of width " + c);
            }
            for (int row = 0; row < n; row++) {
                long at = (long) row * c;
                int from = classId != null ? classId : 0, to = classId != null ? classId + 1 : c;
                for (int j = from; j < to; j++) {
                    boolean positive = pred.get(at + j) > threshold && (topK == null || inTopK(pred, at, c, j, topK));
                    boolean actual = target.get(at + j) != 0;
                    if (positive && actual) tp++;
                    else if (positive) fp++;
                    else if (actual) fn++;
                    else tn++;
                }
            }
        }

        @Override
        public double result() {
            return result.applyAsDouble(this);
        }

        @Override
        public void reset() {
            tp = fp = tn = fn = 0;
        }
    }

    /** Whether column j is among the row's k largest, ties to the lower column (as {@code ops.top_k}). */
    private static boolean inTopK(Tensor pred, long at, int c, int j, int k) {
        float v = pred.get(at + j);
        int before = 0;
        for (int i = 0; i < c; i++) {
            float u = pred.get(at + i);
            if (u > v || (u == v && i < j)) before++;
        }
        return before < k;
    }

    /** a / b, or 0 when b is 0 (Keras's {@code divide_no_nan}). */
    static double ratio(double a, double b) {
        return b == 0 ? 0 : a / b;
    }
}
