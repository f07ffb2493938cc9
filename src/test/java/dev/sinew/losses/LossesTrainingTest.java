package dev.sinew.losses;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backends;
import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.data.Splits;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.metrics.Metric;
import dev.sinew.metrics.Metrics;
import dev.sinew.models.FitOptions;
import dev.sinew.models.History;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The new losses train real models: a binary classifier and small regressions. */
class LossesTrainingTest {
    static final Splits SPLITS = Datasets.fashionMnistSample().splits(2700, 300, 1);

    static Sequential binary(String lastActivation, Loss loss) {
        Sequential net = new Sequential(7);
        net.add(new Input(784));
        net.add(new Dense(32, "relu"));
        net.add(new Dense(1, lastActivation));
        net.compile(loss, new SGD(0.1), new Metric[] {Metrics.of("accuracy")});
        return net;
    }

    static double accuracyOfLogits(Sequential net, Dataset d) {
        float[][] z = net.predict(d.x(), 100);
        int hits = 0;
        for (int i = 0; i < z.length; i++) hits += (z[i][0] > 0 ? 1 : 0) == d.y()[i][0] ? 1 : 0;
        return hits / (double) z.length;
    }

    @Test
    void isItAShoeWithBinaryCrossentropy() {
        Dataset train = dev.sinew.TestUtil.shoes(SPLITS.train()), test = dev.sinew.TestUtil.shoes(SPLITS.test());
        FitOptions opts = FitOptions.builder().batchSize(50).epochs(3).verbose(0).build();
        try (Sequential sig = binary("sigmoid", Losses.of("binary_crossentropy"));
                Sequential logits = binary("linear", new BinaryCrossentropy(true, 0))) {
            History h = sig.fit(train, opts);
            logits.fit(train, opts);
            float[] eval = sig.evaluate(test, 100);
            double logitAcc = accuracyOfLogits(logits, test);
            System.out.printf("LossesTrainingTest: is it a shoe? sigmoid + BCE test accuracy %.4f, linear + BCE(from_logits) %.4f%n",
                    eval[1], logitAcc);
            assertTrue(h.get("loss").getLast() < h.get("loss").getFirst(), "loss falls: " + h.get("loss"));
            assertTrue(eval[1] > 0.95, "shoe accuracy " + eval[1] + " (70% of images are not shoes)");
            // The fused gradient (sigmoid(z) - y) equals the from_logits one, so same seed, same training.
            assertTrue(Math.abs(logitAcc - eval[1]) < 0.01, logitAcc + " vs " + eval[1]);
            List<float[]> a = sig.getWeights(), b = logits.getWeights();
            double worst = 0;
            for (int t = 0; t < a.size(); t++)
                for (int i = 0; i < a.get(t).length; i++) worst = Math.max(worst, Math.abs(a.get(t)[i] - b.get(t)[i]));
            System.out.printf("LossesTrainingTest: largest weight difference sigmoid+BCE vs from_logits %.2e%n", worst);
            assertTrue(worst < 1e-3, "weights differ by " + worst);
        }
    }

    @Test
    void categoricalCrossentropyFromLogitsTrainsAsSoftmax() {
        FitOptions opts = FitOptions.builder().batchSize(50).epochs(1).verbose(0).build();
        try (Sequential soft = classifier("softmax", new CategoricalCrossentropy(false, 0.1f));
                Sequential logits = classifier("linear", new CategoricalCrossentropy(true, 0.1f))) {
            soft.fit(SPLITS.train(), opts);
            logits.fit(SPLITS.train(), opts);
            // The fused gradient softmax(z) sum(s) - s is the from_logits one: same seed, same weights.
            List<float[]> a = soft.getWeights(), b = logits.getWeights();
            double worst = 0;
            for (int t = 0; t < a.size(); t++)
                for (int i = 0; i < a.get(t).length; i++) worst = Math.max(worst, Math.abs(a.get(t)[i] - b.get(t)[i]));
            float[] eval = soft.evaluate(SPLITS.test(), 100);
            System.out.printf("LossesTrainingTest: CCE(label_smoothing=0.1) softmax test accuracy %.4f; largest weight difference to from_logits %.2e%n",
                    eval[1], worst);
            assertTrue(eval[1] > 0.6, "accuracy " + eval[1]);
            assertTrue(worst < 1e-3, "weights differ by " + worst);
        }
    }

    static Sequential classifier(String lastActivation, Loss loss) {
        Sequential net = new Sequential(11);
        net.add(new Input(784));
        net.add(new Dense(32, "relu"));
        net.add(new Dense(10, lastActivation));
        net.compile(loss, new SGD(0.1), new Metric[] {Metrics.of("accuracy")});
        return net;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mae", "mape", "msle", "huber", "log_cosh", "poisson", "cosine_similarity"})
    void regressionLossFalls(String name) {
        SplittableRandom rng = new SplittableRandom(3);
        float[][] x = new float[256][2], y = new float[256][2];
        for (int i = 0; i < x.length; i++) {
            x[i][0] = (float) rng.nextDouble(-1, 1);
            x[i][1] = (float) rng.nextDouble(-1, 1);
            y[i][0] = 2.5f + x[i][0] - 0.5f * x[i][1]; // targets >= 1: mape, msle and poisson need positive ones
            y[i][1] = 1.2f + 0.3f * x[i][0] * x[i][1];
        }
        try (Sequential net = new Sequential(5)) {
            net.add(new Input(2));
            net.add(new Dense(16, "tanh"));
            net.add(new Dense(2, name.equals("poisson") || name.equals("msle") ? "relu" : "linear"));
            // mape's gradient is 100 / |target| per element: a step size for percentages
            net.compile(name, new SGD(name.equals("mape") ? 0.001 : 0.05));
            History h = net.fit(x, y, FitOptions.builder().batchSize(16).epochs(30).verbose(0).build());
            double first = h.get("loss").getFirst(), last = h.get("loss").getLast();
            // The loss of perfect predictions: 0 for most, -1 for cosine_similarity, t - t log t for poisson.
            double best;
            try (Tensor t = Tensor.of(TestUtil.flatten(y), y.length * 2)) {
                best = Losses.of(name).compute(Backends.reference(), t, t, y.length, 2, null, false);
            }
            System.out.printf("LossesTrainingTest: %-18s loss %.4f -> %.4f (perfect: %.4f)%n", name, first, last, best);
            assertTrue(last - best < 0.25 * (first - best), name + ": " + first + " -> " + last + ", perfect " + best);
        }
    }
}
