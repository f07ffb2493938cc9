package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sinew.data.Datasets;
import dev.sinew.data.TrainTest;
import dev.sinew.examples.Networks;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The notebook's MLP (784-150-150-100-10, relu, softmax, SGD 0.1, batch 100) trained 30 epochs on
 * the full Fashion-MNIST training set must reach 88% on its 10,000 test images. Needs the Debian
 * package dataset-fashion-mnist (CI installs it); elsewhere the test is skipped, but under CI a
 * missing data set is a failure.
 */
class FashionMnistAccuracyTest {

    static TrainTest fullData() throws Exception {
        Path dir = Datasets.findFashionMnist();
        if (System.getenv("CI") != null) {
            assertNotNull(dir, "CI must install dataset-fashion-mnist (see .ci/run)");
        }
        assumeTrue(dir != null, "full Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        TrainTest data = Datasets.loadMnistFormat(dir);
        assertEquals(60_000, data.train().size());
        return data;
    }

    /**
     * Issue 10's recipe: the same network with Adam(0.001), batch 100, 20 epochs, must reach 88.5%
     * (PyTorch 1.13 with the same recipe: 88.3-89.3% over epochs 16-20 on this machine).
     */
    @Test
    void adamReaches88Point5PercentIn20Epochs() throws Exception {
        trainFor20Epochs(new dev.sinew.optimizers.Adam(0.001), 0.885);
    }

    /** The same recipe with RMSprop(0.001) must reach 88%. */
    @Test
    void rmspropReaches88PercentIn20Epochs() throws Exception {
        trainFor20Epochs(dev.sinew.optimizers.RMSprop.builder().learningRate(0.001).build(), 0.88);
    }

    private static void trainFor20Epochs(dev.sinew.optimizers.Optimizer optimizer, double required) throws Exception {
        TrainTest data = fullData();
        try (Sequential net = Networks.mlp(784, new int[] {150, 150, 100}, 10, 0, 1)) {
            net.compile("categorical_crossentropy", optimizer, "accuracy");
            long start = System.nanoTime();
            History h = net.fit(data.train(), FitOptions.builder().batchSize(100).epochs(20).verbose(2).build());
            double seconds = (System.nanoTime() - start) / 1e9;
            float[] test = net.evaluate(data.test(), 1000);
            System.out.printf("Fashion-MNIST MLP with %s(%s): 20 epochs, %.2f s/epoch; train accuracy %.4f, test loss %.4f,"
                    + " test accuracy %.4f%n", optimizer.name(), optimizer.learningRate(), seconds / 20, h.last("accuracy"),
                    test[0], test[1]);
            assertTrue(test[1] >= required, optimizer.name() + ": test accuracy " + test[1] + " < " + required);
        }
    }

    @Test
    void mlpReaches88PercentIn30Epochs() throws Exception {
        TrainTest data = fullData();
        try (Sequential net = Networks.notebookMlp(1)) {
            long start = System.nanoTime();
            History h = net.fit(data.train(), FitOptions.builder().batchSize(100).epochs(30).verbose(2).build());
            double seconds = (System.nanoTime() - start) / 1e9;
            float[] test = net.evaluate(data.test(), 1000);
            System.out.printf("Fashion-MNIST MLP: 30 epochs on 60,000 images, %.2f s/epoch; train accuracy %.4f, "
                    + "test loss %.4f, test accuracy %.4f%n", seconds / 30, h.last("accuracy"), test[0], test[1]);
            assertEquals(30, h.epochs());
            assertTrue(test[1] >= 0.88, "test accuracy " + test[1] + " < 0.88");
        }
    }
}
