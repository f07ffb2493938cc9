package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.data.Datasets;
import dev.sinew.data.TrainTest;
import dev.sinew.layers.Activation;
import dev.sinew.layers.BatchNormalization;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Input;
import dev.sinew.layers.LayerNormalization;
import dev.sinew.layers.MaxPooling2D;
import dev.sinew.optimizers.SGD;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * End to end on the bundled Fashion-MNIST sample (3,000 training and 1,000 test images): the same
 * MLP with BatchNormalization beats the plain one after three epochs, and still trains at a
 * learning rate at which the plain one diverges; LayerNormalization trains too; a small CNN with
 * BatchNormalization reaches a sensible accuracy; predict is deterministic and is not the
 * training-mode output. The momentum of the moving statistics is 0.9, not Keras's 0.99: 141 steps
 * (3 epochs of 47) would leave 0.99^141 = 24% of their initial 0 and 1 in them, and predict
 * (which uses them) would lag far behind training (measured: the CNN 0.51 with 0.99, 0.78 with 0.9).
 */
class BatchNormalizationTrainingTest {
    static final TrainTest DATA = Datasets.fashionMnistSample();

    /** 784 -> 256 -> 128 -> 10, with a normalisation between each Dense and its relu, or none. */
    static Sequential mlp(String norm, double learningRate) {
        Sequential m = new Sequential(1);
        m.add(new Input(784));
        for (int units : new int[] {256, 128}) {
            m.add(new Dense(units));
            if (norm.equals("batch")) m.add(new BatchNormalization(0.9, 1e-3));
            if (norm.equals("layer")) m.add(new LayerNormalization());
            m.add(new Activation("relu"));
        }
        m.add(new Dense(10, "softmax"));
        m.compile("categorical_crossentropy", new SGD(learningRate), "accuracy");
        return m;
    }

    /** Test accuracy after {@code epochs} (batch 64); a run whose loss became NaN stops there. */
    static float accuracy(Sequential m, int epochs) {
        m.fit(DATA.train(), FitOptions.builder().batchSize(64).epochs(epochs).verbose(0).onNaN(FitOptions.OnNaN.STOP).build());
        return m.evaluate(DATA.test(), 500)[1];
    }

    static float accuracy(String norm, double learningRate) {
        try (Sequential m = mlp(norm, learningRate)) {
            return accuracy(m, 3);
        }
    }

    @Test
    void batchNormalizationBeatsThePlainNetwork() {
        float plain = accuracy("none", 0.1), batch = accuracy("batch", 0.1), layer = accuracy("layer", 0.1);
        System.out.printf("BatchNormalizationTrainingTest: MLP, SGD 0.1, 3 epochs on 3,000 images: test accuracy plain %.3f,"
                + " BatchNormalization %.3f, LayerNormalization %.3f%n", plain, batch, layer);
        assertTrue(batch >= 0.77, "with BatchNormalization: " + batch);
        assertTrue(batch >= plain + 0.04, "BatchNormalization " + batch + " vs plain " + plain);
        assertTrue(layer >= 0.68, "with LayerNormalization: " + layer);
    }

    @Test
    void batchNormalizationTrainsWhereThePlainNetworkDiverges() {
        float plain = accuracy("none", 1.0), batch;
        try (Sequential m = mlp("batch", 1.0)) {
            batch = accuracy(m, 3);
            float[][] p = m.predict(DATA.test().x(), 100);
            assertArrayEquals(p, m.predict(DATA.test().x(), 100), "predict is deterministic");
            assertArrayEquals(p[0], m.predictOnBatch(Arrays.copyOf(DATA.test().x(), 100))[0], 0f, "and independent of the batch");
        }
        System.out.printf("BatchNormalizationTrainingTest: MLP, SGD 1.0, 3 epochs: test accuracy plain %.3f (diverged),"
                + " BatchNormalization %.3f%n", plain, batch);
        assertTrue(plain < 0.2, "the plain network diverges at this rate: " + plain);
        assertTrue(batch >= 0.7, "with BatchNormalization: " + batch);
    }

    @Test
    void aSmallCnnWithBatchNormalizationTrains() {
        try (Sequential m = new Sequential(2)) {
            m.add(new Input(28, 28, 1));
            m.add(new Conv2D(16, 3));
            m.add(new BatchNormalization(0.9, 1e-3));
            m.add(new Activation("relu"));
            m.add(new MaxPooling2D(2));
            m.add(new Conv2D(32, 3));
            m.add(new BatchNormalization(0.9, 1e-3));
            m.add(new Activation("relu"));
            m.add(new MaxPooling2D(2));
            m.add(new Flatten());
            m.add(new Dense(10, "softmax"));
            m.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
            float acc = accuracy(m, 2);
            // The training-mode output (the batch's statistics) is not what predict gives (the moving ones).
            float[][] x = Arrays.copyOf(DATA.test().x(), 64), y = Arrays.copyOf(DATA.test().y(), 64);
            float inference = m.testOnBatch(x, y)[0];
            double training = m.computeGradients(x, y);
            System.out.printf("BatchNormalizationTrainingTest: CNN with BatchNormalization, SGD 0.1, 2 epochs: test accuracy"
                    + " %.3f; loss on 64 test images, inference %.4f, training mode %.4f%n", acc, inference, training);
            assertTrue(acc >= 0.75, "CNN with BatchNormalization: " + acc);
            assertFalse(inference == (float) training);
        }
    }
}
