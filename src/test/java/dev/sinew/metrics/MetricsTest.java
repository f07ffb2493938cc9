package dev.sinew.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Keras's metrics: values computed by hand or by the textbook (scikit-learn) formulas on fixed
 * data, accumulation over batches as Keras's stateful metrics do it (which a mean of batch values
 * gets wrong), names, configs, and the same result on the native and reference backends.
 */
class MetricsTest {

    /** The metric over all rows fed in batches of {@code batch}, on both backends (which must agree). */
    static double value(Metric m, float[][] yTrue, float[][] yPred, int batch) {
        double ref = accumulate(Backends.reference(), m, yTrue, yPred, batch);
        double nat = accumulate(Backends.nativeBackend(), m, yTrue, yPred, batch);
        assertEquals(ref, nat, 1e-9 * Math.max(1, Math.abs(ref)), m.name() + ": native = reference");
        return ref;
    }

    static double value(Metric m, float[][] yTrue, float[][] yPred) {
        return value(m, yTrue, yPred, yTrue.length);
    }

    private static double accumulate(Backend backend, Metric m, float[][] yTrue, float[][] yPred, int batch) {
        MetricState s = m.newState();
        int c = yPred[0].length;
        for (int from = 0; from < yTrue.length; from += batch) {
            int to = Math.min(yTrue.length, from + batch), n = to - from;
            try (Tensor p = Tensor.fromRows(java.util.Arrays.copyOfRange(yPred, from, to));
                    Tensor t = Tensor.fromRows(java.util.Arrays.copyOfRange(yTrue, from, to))) {
                s.update(backend, p, t, n, c);
            }
        }
        return s.result();
    }

    static float[][] column(float... v) {
        float[][] r = new float[v.length][1];
        for (int i = 0; i < v.length; i++) r[i][0] = v[i];
        return r;
    }

    @Test
    void binaryAccuracyThresholds() {
        float[][] t = column(0, 1, 1, 0), p = column(0.2f, 0.7f, 0.5f, 0.9f);
        // 0.5 is not above 0.5: right, right, wrong, wrong
        assertEquals(0.5, value(Metrics.of("binary_accuracy"), t, p), 1e-12);
        assertEquals(0.75, value(new BinaryAccuracy(0.4f), t, p), 1e-12);
        // Several outputs per row: every output counts on its own (3 of 4 right).
        assertEquals(0.75, value(new BinaryAccuracy(), new float[][] {{1, 0}, {0, 1}}, new float[][] {{0.9f, 0.1f}, {0.8f, 0.6f}}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new BinaryAccuracy(1.5f));
    }

    @Test
    void topKCountsTiesIn() {
        float[][] t = {{0, 0, 1, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 0, 1}};
        float[][] p = {{0.1f, 0.5f, 0.3f, 0.1f}, {0.1f, 0.6f, 0.2f, 0.1f}, {0.2f, 0.4f, 0.2f, 0.2f}, {0.5f, 0.3f, 0.3f, 0.3f}};
        // k=2: row 0's class is 2nd (in); row 1's ties with class 3 behind two higher (out); row 2's
        // is first (in); row 3's ties with classes 1 and 2 behind one higher: in, as Keras's in_top_k
        // counts ties (picking two indices, as top_k does, would leave it out).
        assertEquals(3 / 4.0, value(new TopKCategoricalAccuracy(2), t, p), 1e-12);
        assertEquals(1 / 4.0, value(new TopKCategoricalAccuracy(1), t, p), 1e-12);
        assertEquals(1.0, value(Metrics.of("top_k_categorical_accuracy"), t, p), 1e-12); // k = 5 > 4 classes
        float[][] labels = column(2, 0, 1, 3);
        assertEquals(3 / 4.0, value(new SparseTopKCategoricalAccuracy(2), labels, p), 1e-12);
        assertEquals(1, new SparseTopKCategoricalAccuracy().targetWidth(4));
    }

    @Test
    void regressionMetrics() {
        float[][] t = {{1, 2}, {3, 4}, {0, 0}}, p = {{1.5f, 2}, {3, 2}, {1, -1}};
        // errors .5 0 / 0 -2 / 1 -1
        assertEquals((0.25 + 1 + 1) / 3, value(Metrics.of("mae"), t, p), 1e-7);
        assertEquals((0.125 + 2 + 1) / 3, value(Metrics.of("mse"), t, p), 1e-7);
        // The root of the mean over all 6 values, not a mean of per-batch roots.
        double rmse = Math.sqrt((0.25 + 4 + 1 + 1) / 6);
        assertEquals(rmse, value(Metrics.of("root_mean_squared_error"), t, p, 1), 1e-7);
        double meanOfRoots = (Math.sqrt(0.125) + Math.sqrt(2) + 1) / 3;
        assertNotEquals(meanOfRoots, rmse, 1e-3);
        assertEquals("mae", Metrics.of("mae").name());
        assertEquals("mean_squared_error", Metrics.of("mean_squared_error").name());
    }

    @Test
    void precisionAndRecallAccumulateCounts() {
        float[][] t = column(1, 0, 1, 1, 0, 0, 1, 0);
        float[][] p = column(0.9f, 0.8f, 0.3f, 0.6f, 0.1f, 0.7f, 0.2f, 0.4f);
        // above 0.5: rows 0 1 3 5 -> tp 2 (0, 3), fp 2 (1, 5), fn 2 (2, 6)
        assertEquals(0.5, value(Metrics.of("precision"), t, p, 3), 1e-12);
        assertEquals(0.5, value(Metrics.of("recall"), t, p, 3), 1e-12);
        // In batches of 2, the mean of batch precisions would be (1/2 + 1 + 0/1 ... ) -- not 0.5:
        double batchMean = (0.5 + 1 + 0 + 0) / 4; // batches {0,1}: 1/2, {2,3}: 1/1, {4,5}: 0/1, {6,7}: 0/0 -> 0
        assertNotEquals(batchMean, value(new Precision(), t, p, 2), 1e-3);
        assertEquals(0.5, value(new Precision(), t, p, 2), 1e-12);
        // Threshold 0.25: above are 0 1 3 4? no: .9 .8 .3 .6 .7 .4 -> rows 0 1 2 3 5 7: tp 3, fp 3; recall 3/4
        assertEquals(0.5, value(new Precision(0.25f, null, null), t, p), 1e-12);
        assertEquals(0.75, value(new Recall(0.25f, null, null), t, p), 1e-12);
        // Nothing predicted positive: precision 0 (Keras's divide_no_nan), not NaN.
        assertEquals(0.0, value(new Precision(), column(1, 0), column(0.1f, 0.2f)), 0);
    }

    @Test
    void precisionTopKAndClassId() {
        float[][] t = {{0, 0, 1}, {0, 1, 0}};
        float[][] p = {{0.2f, 0.5f, 0.4f}, {0.1f, 0.6f, 0.3f}};
        // top_k=1: positives are columns 1 and 1 -> tp 1 (row 1), fp 1 (row 0)
        assertEquals(0.5, value(new Precision(null, 1, null), t, p), 1e-12);
        assertEquals(0.5, value(new Recall(null, 1, null), t, p), 1e-12);
        // top_k=2: row 0 cols 1,2 (tp 1, fp 1); row 1 cols 1,2 (tp 1, fp 1)
        assertEquals(0.5, value(new Precision(null, 2, null), t, p), 1e-12);
        assertEquals(1.0, value(new Recall(null, 2, null), t, p), 1e-12);
        // class_id=2 at 0.5: nothing positive; class_id=1: both rows positive, one true
        assertEquals(0.0, value(new Recall(null, null, 2), t, p), 1e-12);
        assertEquals(1.0, value(new Precision(null, null, 1), t, p), 1e-12); // 0.5 is not above 0.5
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> value(new Precision(null, null, 3), t, p));
        assertTrue(e.getMessage().contains("class_id 3"), e.getMessage());
    }

    @Test
    void aucAsKerasDocuments() {
        float[][] t = column(0, 0, 1, 1), p = column(0, 0.5f, 0.3f, 0.9f);
        // Keras's docstring: thresholds [-e, .5, 1+e]; tpr [1, .5, 0], fpr [1, 0, 0] -> 0.75
        assertEquals(0.75, value(new AUC(3), t, p), 1e-12);
        // PR, by hand: recall [1, .5, 0], precision [.5, 1, 0 (no positives)]
        assertEquals(1.0, value(AUC.builder().numThresholds(3).curve("PR").summationMethod("majoring").build(), t, p), 1e-12);
        assertEquals(0.25, value(AUC.builder().numThresholds(3).curve("PR").summationMethod("minoring").build(), t, p), 1e-12);
        // PR interpolation (Keras's closed form): (1/3)(1 + (2/3) ln 4) / 2 + 1 * (1 + 0) / 2
        assertEquals((1.0 / 3) * (1 + (2.0 / 3) * Math.log(4)) / 2 + 0.5,
                value(AUC.builder().numThresholds(3).curve("PR").build(), t, p), 1e-12);
        // from_logits: the sigmoid's inverse of the same predictions gives the same area
        float[][] logits = new float[4][1];
        for (int i = 0; i < 4; i++) logits[i][0] = (float) -Math.log(1 / (p[i][0] + 1e-12) - 1); // as Keras's test
        assertEquals(0.75, value(AUC.builder().numThresholds(3).fromLogits(true).build(), t, logits), 1e-6);
        // Perfect predictions: 1
        assertEquals(1.0, value(new AUC(), t, t), 1e-12);
        assertEquals(200, new AUC().thresholds().length);
    }

    @Test
    void aucEqualsMannWhitneyWhenEveryScoreLevelLiesBetweenThresholds() {
        // With scores at bucket midpoints (k + .5)/199, the 200 thresholds separate every distinct
        // score, so Keras's trapezoid sum is the exact ROC AUC: scikit-learn's roc_auc_score, the
        // Mann-Whitney statistic with ties counted half.
        SplittableRandom r = new SplittableRandom(7);
        int n = 500;
        float[][] t = new float[n][1], p = new float[n][1];
        for (int i = 0; i < n; i++) {
            t[i][0] = r.nextInt(3) == 0 ? 1 : 0;
            int level = Math.min(198, Math.max(0, (int) (r.nextGaussian() * 30 + 100 + 40 * t[i][0])));
            p[i][0] = (level + 0.5f) / 199;
        }
        double wins = 0, pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (t[i][0] == 1 && t[j][0] == 0) {
                    pairs++;
                    wins += p[i][0] > p[j][0] ? 1 : p[i][0] == p[j][0] ? 0.5 : 0;
                }
            }
        }
        assertEquals(wins / pairs, value(Metrics.of("auc"), t, p, 64), 1e-9);
    }

    @Test
    void aucMultiLabelIsTheMeanOfColumnAucs() {
        float[][] t = {{0, 0}, {1, 1}, {1, 1}, {1, 0}}, p = {{0, 0.1f}, {0.5f, 0.8f}, {0.3f, 0.2f}, {0.9f, 0.6f}};
        AUC multi = AUC.builder().numThresholds(50).multiLabel(true).build();
        double a = value(new AUC(50), column(0, 1, 1, 1), column(0, 0.5f, 0.3f, 0.9f));
        double b = value(new AUC(50), column(0, 1, 1, 0), column(0.1f, 0.8f, 0.2f, 0.6f));
        assertEquals((a + b) / 2, value(multi, t, p), 1e-12);
    }

    @Test
    void f1MatchesTheTextbookFormulas() {
        int[] truth = {0, 1, 2, 2, 1, 0, 2, 1, 1, 0};
        int[] pred = {0, 2, 2, 2, 1, 1, 0, 1, 2, 0};
        float[][] t = dev.sinew.data.Datasets.oneHot(truth, 3);
        float[][] p = new float[truth.length][3];
        for (int i = 0; i < pred.length; i++) {
            p[i][pred[i]] = 0.7f;
            p[i][(pred[i] + 1) % 3] = 0.2f;
            p[i][(pred[i] + 2) % 3] = 0.1f;
        }
        // scikit-learn's f1_score: per class 2 tp / (2 tp + fp + fn)
        double[] f1 = new double[3];
        int[] support = new int[3];
        for (int c = 0; c < 3; c++) {
            int tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < truth.length; i++) {
                if (pred[i] == c && truth[i] == c) tp++;
                else if (pred[i] == c) fp++;
                else if (truth[i] == c) fn++;
                if (truth[i] == c) support[c]++;
            }
            f1[c] = 2.0 * tp / (2 * tp + fp + fn);
        }
        double macro = (f1[0] + f1[1] + f1[2]) / 3;
        double weighted = (f1[0] * support[0] + f1[1] * support[1] + f1[2] * support[2]) / truth.length;
        double micro = 6.0 / 10; // 6 right of 10: micro precision = recall = accuracy
        assertEquals(macro, value(Metrics.of("f1_score"), t, p, 3), 1e-6);
        assertEquals(weighted, value(new F1Score("weighted", null), t, p, 4), 1e-6);
        assertEquals(micro, value(new F1Score("micro", null), t, p, 1), 1e-6);
        // A threshold instead of argmax: 0.15 makes two positives per row.
        MetricState s = new F1Score("macro", 0.15f).newState();
        s.update(t, p);
        double[] perClass = F1Score.perClass(s);
        assertEquals(3, perClass.length);
        assertEquals((perClass[0] + perClass[1] + perClass[2]) / 3, s.result(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new F1Score(null, null));
    }

    @Test
    void arraysInKerasOrderAndReset() {
        MetricState s = new Recall().newState();
        s.update(column(1, 1), column(0.9f, 0.1f));
        assertEquals(0.5, s.result(), 1e-12);
        s.update(column(1), column(0.8f));
        assertEquals(2 / 3.0, s.result(), 1e-12);
        s.reset();
        assertEquals(0, s.result());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.update(column(1, 0, 1), column(0.5f)));
        assertTrue(e.getMessage().contains("3 rows") && e.getMessage().contains("1"), e.getMessage());
    }

    @Test
    void namesConfigsAndRoundTrips() {
        for (String name : List.of("accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "binary_accuracy",
                "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "mean_absolute_error", "mae",
                "mean_squared_error", "mse", "root_mean_squared_error", "precision", "recall", "auc", "f1_score")) {
            Metric m = Metrics.of(name);
            assertEquals(name, m.name());
            assertTrue(m.getConfig().isEmpty(), name + " has Keras's defaults");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Metrics.of("f2"));
        assertTrue(e.getMessage().contains("auc") && e.getMessage().contains("f1_score"), e.getMessage());

        List<Metric> configured = List.of(new BinaryAccuracy(0.3f), new TopKCategoricalAccuracy(3),
                new SparseTopKCategoricalAccuracy(2), new Precision(0.7f, null, 1), new Recall(null, 2, null),
                AUC.builder().numThresholds(50).curve("PR").summationMethod("majoring").multiLabel(true).fromLogits(true).build(),
                new F1Score("weighted", 0.4f));
        for (Metric m : configured) {
            Map<String, Object> config = new java.util.LinkedHashMap<>(m.getConfig());
            config.put("name", m.name());
            Metric back = Metrics.fromConfig(m.className(), config);
            assertEquals(m.getClass(), back.getClass());
            assertEquals(m.getConfig(), back.getConfig(), m.className());
            assertEquals(m.name(), back.name());
        }
        assertInstanceOf(AUC.class, Metrics.fromConfig("AUC", Map.of()));
        e = assertThrows(IllegalArgumentException.class, () -> Metrics.fromConfig("AUC", Map.of("num_tresholds", 3L)));
        assertTrue(e.getMessage().contains("num_tresholds"), e.getMessage());
    }

    @Test
    void confusionMatrixRowsAreTheTruth() {
        int[][] m = Metrics.confusionMatrix(new int[] {0, 1, 2, 2, 1}, new int[] {0, 2, 2, 1, 1}, 3);
        assertArrayEquals(new int[] {1, 0, 0}, m[0]);
        assertArrayEquals(new int[] {0, 1, 1}, m[1]);
        assertArrayEquals(new int[] {0, 1, 1}, m[2]);
        assertEquals(4, Metrics.confusionMatrix(new int[] {3}, new int[] {0}).length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.confusionMatrix(new int[] {0, 5}, new int[] {0, 1}, 3));
        assertTrue(e.getMessage().contains("label 5 at 1"), e.getMessage());
    }
}
