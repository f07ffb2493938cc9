package dev.sinew.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.data.Splits;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.models.FitOptions;
import dev.sinew.models.History;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A binary classifier ("is it a shoe?" on the bundled Fashion-MNIST sample) trained with
 * binary_crossentropy reports precision, recall and AUC that equal a direct computation from its
 * predictions: in evaluate (over all batches at once), in validation, and over a training epoch.
 */
class MetricsTrainingTest {
    static final Splits SPLITS = Datasets.fashionMnistSample().splits(2700, 300, 1);

    static Sequential classifier() {
        Sequential net = new Sequential(11);
        net.add(new Input(784));
        net.add(new Dense(16, "relu"));
        net.add(new Dense(1, "sigmoid"));
        net.compile("binary_crossentropy", new SGD(0.05), "binary_accuracy", "precision", "recall", "auc");
        return net;
    }

    /** [accuracy, precision, recall, auc] of predictions p for 0/1 targets y, straight from the definitions. */
    static double[] direct(float[][] y, float[][] p) {
        int tp = 0, fp = 0, fn = 0, right = 0;
        for (int i = 0; i < y.length; i++) {
            boolean positive = p[i][0] > 0.5f, actual = y[i][0] == 1;
            if (positive == actual) right++;
            if (positive && actual) tp++;
            if (positive && !actual) fp++;
            if (!positive && actual) fn++;
        }
        // ROC sampled at Keras's 200 thresholds, each decision p > t counted directly.
        double[] tpr = new double[200], fpr = new double[200];
        double pos = tp + fn, neg = y.length - pos;
        for (int k = 0; k < 200; k++) {
            double t = k == 0 ? -1e-7 : k == 199 ? 1 + 1e-7 : k / 199.0;
            int a = 0, b = 0;
            for (int i = 0; i < y.length; i++) {
                if (p[i][0] > (float) t) {
                    if (y[i][0] == 1) a++;
                    else b++;
                }
            }
            tpr[k] = a / pos;
            fpr[k] = b / neg;
        }
        double auc = 0;
        for (int k = 0; k < 199; k++) auc += (fpr[k] - fpr[k + 1]) * (tpr[k] + tpr[k + 1]) / 2;
        return new double[] {right / (double) y.length, tp / (double) (tp + fp), tp / (double) (tp + fn), auc};
    }

    /** The exact ROC AUC (Mann-Whitney, ties half), which the 200-threshold curve approximates. */
    static double exactAuc(float[][] y, float[][] p) {
        double wins = 0, pairs = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i][0] != 1) continue;
            for (int j = 0; j < y.length; j++) {
                if (y[j][0] == 1) continue;
                pairs++;
                wins += p[i][0] > p[j][0] ? 1 : p[i][0] == p[j][0] ? 0.5 : 0;
            }
        }
        return wins / pairs;
    }

    @Test
    void evaluateAndValidationMatchTheDefinitions() {
        Dataset train = dev.sinew.TestUtil.shoes(SPLITS.train()), test = dev.sinew.TestUtil.shoes(SPLITS.test());
        try (Sequential net = classifier()) {
            History h = net.fit(train, FitOptions.builder().batchSize(32).epochs(2).validationData(test).verbose(0).build());
            assertEquals(List.of("loss", "binary_accuracy", "precision", "recall", "auc"), net.metricsNames());
            float[] r = net.evaluate(test.x(), test.y(), 37); // batches that do not divide 1,000
            double[] want = direct(test.y(), net.predict(test.x()));
            for (int k = 0; k < 4; k++) {
                assertEquals(want[k], r[k + 1], 1e-6, net.metricsNames().get(k + 1));
                assertEquals(r[k + 1], h.last("val_" + net.metricsNames().get(k + 1)), 1e-6);
            }
            assertEquals(exactAuc(test.y(), net.predict(test.x())), r[4], 5e-3);
            assertTrue(r[4] > 0.95 && r[2] > 0.8 && r[3] > 0.8, "a shoe detector that learned: " + Arrays.toString(r));
        }
    }

    @Test
    void aTrainingEpochAccumulatesCountsNotBatchMeans() {
        // Replay fit's epoch (no shuffle) step by step on a twin model: predictions before each
        // update, as fit scores them. The epoch's precision is that of all those predictions.
        Dataset train = dev.sinew.TestUtil.shoes(SPLITS.train()).slice(0, 600);
        int batch = 50;
        try (Sequential fitted = classifier(); Sequential twin = classifier()) {
            History h = fitted.fit(train, FitOptions.builder().batchSize(batch).epochs(1).shuffle(false).verbose(0).build());
            float[][] seen = new float[train.size()][];
            double[] batchMeans = new double[4];
            for (int from = 0; from < train.size(); from += batch) {
                float[][] xb = Arrays.copyOfRange(train.x(), from, from + batch), yb = Arrays.copyOfRange(train.y(), from, from + batch);
                float[][] p = twin.predictOnBatch(xb);
                System.arraycopy(p, 0, seen, from, batch);
                float[] r = twin.trainOnBatch(xb, yb);
                for (int k = 0; k < 4; k++) batchMeans[k] += r[k + 1] * batch / (double) train.size();
            }
            double[] want = direct(train.y(), seen);
            String[] names = {"binary_accuracy", "precision", "recall", "auc"};
            for (int k = 0; k < 4; k++) assertEquals(want[k], h.last(names[k]), 1e-6, names[k]);
            // Accuracy is a mean, so batch means agree; AUC of the epoch is not a mean of batch AUCs.
            assertEquals(want[0], batchMeans[0], 1e-6);
            assertTrue(Math.abs(want[3] - batchMeans[3]) > 1e-4, "epoch AUC " + want[3] + " vs mean of batch AUCs " + batchMeans[3]);
        }
    }

    @Test
    void configuredMetricsSurviveSaveAndLoad(@TempDir Path dir) throws Exception {
        try (Sequential net = new Sequential(3)) {
            net.add(new Input(4));
            net.add(new Dense(3, "softmax"));
            net.compile(dev.sinew.losses.Losses.of("categorical_crossentropy"), new SGD(0.1),
                    new TopKCategoricalAccuracy(2), AUC.builder().curve("PR").multiLabel(true).build(), new F1Score("micro", null),
                    Metrics.of("mae"));
            Path file = dir.resolve("m.sinew");
            net.save(file);
            try (Sequential back = Sequential.load(file)) {
                assertEquals(net.metricsNames(), back.metricsNames());
                for (int i = 0; i < net.metrics().size(); i++) {
                    assertEquals(net.metrics().get(i).getClass(), back.metrics().get(i).getClass());
                    assertEquals(net.metrics().get(i).getConfig(), back.metrics().get(i).getConfig());
                }
                float[][] x = {{1, 2, 3, 4}, {0, 1, 0, 1}}, y = {{1, 0, 0}, {0, 0, 1}};
                assertEquals(Arrays.toString(net.evaluate(x, y)), Arrays.toString(back.evaluate(x, y)));
            }
            assertTrue(Files.size(file) > 0);
        }
    }
}
