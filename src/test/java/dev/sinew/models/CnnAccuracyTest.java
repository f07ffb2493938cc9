package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sinew.callbacks.EarlyStopping;
import dev.sinew.data.Datasets;
import dev.sinew.data.Splits;
import dev.sinew.examples.Networks;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The notebook's CNN (Conv2D 32 -> pool -> Conv2D 64 -> pool -> Dense 128 -> 10, SGD 0.05, batch
 * 64) on full Fashion-MNIST: 55,000 images for training, 5,000 for validation (the best epoch's
 * weights are kept), the 10,000 test images for the score. Needs dataset-fashion-mnist (CI
 * installs it; elsewhere skipped, under CI a failure).
 *
 * <p>The goal of the convolution issue is 91%. Plain SGD(0.05) without momentum gets there only
 * slowly (measured: 89.3% after 12 epochs, 90.6% after 20, a single 91.1% at epoch 26), which
 * does not fit a CI run; this test guards the level reached in 12 epochs (about 4 minutes here)
 * until the speed work makes the longer run affordable.
 */
class CnnAccuracyTest {
    static final int EPOCHS = 12;
    static final double REQUIRED = 0.885;

    @Test
    void cnnLearnsFashionMnist() throws Exception {
        Path dir = Datasets.findFashionMnist();
        if (System.getenv("CI") != null) assertNotNull(dir, "CI must install dataset-fashion-mnist (see .ci/run)");
        assumeTrue(dir != null, "full Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        Splits s = Datasets.loadMnistFormat(dir).splits(55_000, 5_000, 1);
        try (Sequential net = Networks.notebookCnn(0, false, 1)) {
            EarlyStopping best = new EarlyStopping("val_accuracy", EPOCHS, 0, true);
            long start = System.nanoTime();
            History h = net.fit(s.train(), FitOptions.builder().batchSize(64).epochs(EPOCHS).validationData(s.validation())
                    .callbacks(best).verbose(2).build());
            double seconds = (System.nanoTime() - start) / 1e9;
            float[] test = net.evaluate(s.test(), 1000);
            System.out.printf("Fashion-MNIST CNN: %d epochs on 55,000 images, %.1f s/epoch (validation included); best"
                    + " val_accuracy %.4f at epoch %d; test loss %.4f, test accuracy %.4f%n", h.epochs(), seconds / h.epochs(),
                    best.best(), best.bestEpoch() + 1, test[0], test[1]);
            assertTrue(test[1] >= REQUIRED, "test accuracy " + test[1] + " < " + REQUIRED);
        }
    }
}
