package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sinew.data.Datasets;
import dev.sinew.data.Splits;
import dev.sinew.examples.Networks;
import dev.sinew.optimizers.Adam;
import dev.sinew.optimizers.schedules.CosineDecay;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The residual CNN of issue 12 (functional API, BatchNormalization, bias-free convolutions,
 * global average pooling; {@link Networks#resnet}, width 16, 176k weights) trains on the full
 * Fashion-MNIST through the public API: Adam(0.002) with cosine decay, batch 128, on 55,000
 * images (5,000 held out for validation), then evaluated once on the 10,000 test images.
 *
 * <p>The goal, in full: 15 epochs with the training images shifted by up to 10% each way
 * (RandomTranslation), at least 93% test accuracy (measured: 93.19%, validation 94.04%). About
 * 50 s per epoch on this machine kind (two cores) when it is quiet, so some 13 minutes of CI's 20.
 * Needs dataset-fashion-mnist (CI installs it; elsewhere skipped, under CI a failure).
 */
class ResnetAccuracyTest {
    static final int EPOCHS = 15;
    static final double REQUIRED = 0.93;

    @Test
    void residualNetworkTrainsOnFullFashionMnist() throws Exception {
        Path dir = Datasets.findFashionMnist();
        if (System.getenv("CI") != null) assertNotNull(dir, "CI must install dataset-fashion-mnist (see .ci/run)");
        assumeTrue(dir != null, "full Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        Splits s = Datasets.loadMnistFormat(dir).splits(55_000, 5_000, 1);
        try (Model net = Networks.resnet(10, 16, true, 1)) {
            long steps = (s.train().size() + 127) / 128 * (long) EPOCHS;
            net.compile("categorical_crossentropy", Adam.builder().learningRate(new CosineDecay(0.002, steps)).build(), "accuracy");
            long start = System.nanoTime();
            History h = net.fit(s.train(), FitOptions.builder().batchSize(128).epochs(EPOCHS).validationData(s.validation())
                    .verbose(2).build());
            double seconds = (System.nanoTime() - start) / 1e9;
            float[] test = net.evaluate(s.test(), 500);
            System.out.printf("Fashion-MNIST residual CNN: %d epochs on 55,000 images, %.1f s/epoch (validation included);"
                    + " val_accuracy %.4f; test loss %.4f, test accuracy %.4f%n", h.epochs(), seconds / h.epochs(),
                    h.last("val_accuracy"), test[0], test[1]);
            assertTrue(test[1] >= REQUIRED, "test accuracy " + test[1] + " < " + REQUIRED);
        }
    }
}
