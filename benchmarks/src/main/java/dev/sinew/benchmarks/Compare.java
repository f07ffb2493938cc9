package dev.sinew.benchmarks;

import dev.sinew.backend.Backends;
import dev.sinew.backend.NativeBackend;
import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.data.TrainTest;
import dev.sinew.examples.Networks;
import dev.sinew.examples.Regression;
import dev.sinew.models.FitOptions;
import dev.sinew.models.Model;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.Adam;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Tensor;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Sinew's side of benchmarks/compare: W1-W4 (see pytorch_workloads.py for the definitions) and
 * the machine's SGEMM ceiling through the same OpenBLAS, printed as one JSON object.
 * Arguments: [data directory] [W2 steps to measure, scaled to an epoch of 938] [W5 steps, scaled to 469].
 */
public final class Compare {
    public static void main(String[] args) throws Exception {
        TrainTest data = args.length > 0 && !args[0].isEmpty() ? Datasets.fashionMnist(Path.of(args[0])) : Datasets.fashionMnist();
        int w2Steps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int w5Steps = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        NativeBackend.get();

        // W1 and W1 with Adam(0.001), each twice: epochs 3-5 of a fresh model (after a two-epoch
        // warm-up), as this table has always measured, and epochs 7-9 of the same model ("warm").
        // On two cores the difference is the JIT: HotSpot's compiler threads are still busy in the
        // first epochs and take a core from the shards (measured: the first model's epochs 0.5-1.1 s,
        // later ones 0.38-0.41 s); a long training run sees the warm figure.
        double[] w1 = mlpEpochs(data, new SGD(0.1));
        double[] w1a = mlpEpochs(data, new Adam(0.001));

        double w2;
        try (Sequential cnn = Networks.notebookCnn(0, false, 1)) {
            w2 = secondsPerEpoch(cnn, data, 64, 20, w2Steps, 938);
        }

        double w5; // the residual CNN of issue 12 (Networks.resnet, width 16), Adam(0.001), batch 128
        try (Model resnet = Networks.resnet(10, 16, 1)) {
            resnet.compile("categorical_crossentropy", new Adam(0.001), "accuracy");
            w5 = secondsPerEpoch(resnet, data, 128, 10, w5Steps, 469);
        }

        // W3, and W3 after quantize("int8") (same weights): timed in turn each round, so that a busy
        // machine slows both alike; best of 6 each, after 30 untimed passes of each. The warm-up is
        // the JIT's, as for W1 and W4: predict's copy-in and copy-out loops run interpreted at first
        // (the first pass measured 84,000 images/s, the tenth 255,000, the twentieth 505,000), and
        // a service that predicts is long past that. pytorch_workloads.py makes the same passes.
        double w3, w3Int8;
        try (Sequential mlp = Networks.notebookMlp(1); Sequential int8 = Networks.notebookMlp(1)) {
            int8.quantize("int8");
            Dataset test = data.test();
            for (int r = 0; r < 30; r++) {
                mlp.predict(test.x(), 1000);
                int8.predict(test.x(), 1000);
            }
            double best = Double.MAX_VALUE, bestInt8 = Double.MAX_VALUE;
            for (int r = 0; r < 6; r++) {
                long t = System.nanoTime();
                mlp.predict(test.x(), 1000);
                best = Math.min(best, (System.nanoTime() - t) / 1e9);
                t = System.nanoTime();
                int8.predict(test.x(), 1000);
                bestInt8 = Math.min(bestInt8, (System.nanoTime() - t) / 1e9);
            }
            w3 = test.size() / best;
            w3Int8 = test.size() / bestInt8;
        }

        double w4;
        try (Sequential net = Networks.regression(1)) {
            Regression gen = new Regression(1);
            // Warm-up: 20,000 steps (~3 s), until the JIT has compiled the whole step; then 5,000.
            float[][][][] batches = new float[25_000][][][];
            for (int i = 0; i < batches.length; i++) batches[i] = gen.makeBatch();
            for (int i = 0; i < 20_000; i++) net.trainOnBatch(batches[i][0], batches[i][1]);
            long t = System.nanoTime();
            for (int i = 20_000; i < 25_000; i++) net.trainOnBatch(batches[i][0], batches[i][1]);
            w4 = (System.nanoTime() - t) / 1e3 / 5000;
        }

        // The ceiling: a large square SGEMM, best of 5, through the same FFM path.
        int n = 2048;
        double ceiling;
        SplittableRandom rng = new SplittableRandom(3);
        try (Tensor a = Inputs.random(rng, n, n); Tensor b = Inputs.random(rng, n, n); Tensor c = Tensor.zeros(n, n)) {
            double best = Double.MAX_VALUE;
            for (int r = 0; r < 5; r++) {
                long t = System.nanoTime();
                Backends.nativeBackend().gemm(false, false, n, n, n, 1f, a, b, 0f, c);
                best = Math.min(best, (System.nanoTime() - t) / 1e9);
            }
            ceiling = 2.0 * n * n * n / best / 1e9;
        }

        System.out.println(String.format(Locale.ROOT, "{\"library\": \"Sinew\", \"threads\": %d, \"data\": \"%s\","
                + " \"w1_s_per_epoch\": %.4f, \"w1a_s_per_epoch\": %.4f, \"w1_warm_s_per_epoch\": %.4f, \"w1a_warm_s_per_epoch\": %.4f,"
                + " \"w2_s_per_epoch\": %.3f, \"w3_images_per_s\": %.1f, \"w4_us_per_step\": %.2f,"
                + " \"w5_s_per_epoch\": %.2f, \"sgemm_ceiling_gflops\": %.1f, \"w3_int8_images_per_s\": %.1f}", NativeBackend.threads(),
                data.source(), w1[0], w1a[0], w1[1], w1a[1], w2, w3, w4, w5, ceiling, w3Int8));
    }

    /**
     * A compiled model's seconds per epoch of {@code epochSteps} steps of {@code batch} images: a
     * warm-up fit of {@code warmSteps} steps, then {@code steps} steps timed in one fit and scaled.
     */
    private static double secondsPerEpoch(Model m, TrainTest data, int batch, int warmSteps, int steps, int epochSteps) {
        FitOptions one = FitOptions.builder().batchSize(batch).epochs(1).verbose(0).build();
        m.fit(data.train().slice(0, batch * warmSteps), one);
        Dataset part = data.train().slice(0, Math.min(data.train().size(), batch * steps));
        long t = System.nanoTime();
        m.fit(part, one);
        return (System.nanoTime() - t) / 1e9 * epochSteps / Math.ceil(part.size() / (double) batch);
    }

    /** W1's network with {@code optimizer}: seconds per 60,000-image epoch over epochs 3-5 and over epochs 7-9. */
    private static double[] mlpEpochs(TrainTest data, dev.sinew.optimizers.Optimizer optimizer) {
        try (Sequential mlp = Networks.mlp(784, new int[] {150, 150, 100}, 10, 0, 1)) {
            mlp.compile("categorical_crossentropy", optimizer, "accuracy");
            double scale = 60_000.0 / data.train().size();
            mlp.fit(data.train(), FitOptions.builder().batchSize(100).epochs(2).verbose(0).build());
            // Three epochs in one fit, so the one-time check of the data set is spread as in a real run.
            long t = System.nanoTime();
            mlp.fit(data.train(), FitOptions.builder().batchSize(100).epochs(3).verbose(0).build());
            double early = (System.nanoTime() - t) / 1e9 / 3 * scale;
            mlp.fit(data.train(), FitOptions.builder().batchSize(100).epochs(1).verbose(0).build());
            t = System.nanoTime();
            mlp.fit(data.train(), FitOptions.builder().batchSize(100).epochs(3).verbose(0).build());
            double warm = (System.nanoTime() - t) / 1e9 / 3 * scale;
            return new double[] {early, warm};
        }
    }
}
