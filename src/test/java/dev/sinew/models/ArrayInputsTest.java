package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.data.NdArray;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Input;
import dev.sinew.optimizers.SGD;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Keras takes numpy arrays of any shape; Sinew takes images as [n][h][w] or [n][h][w][c], a flat
 * array with a shape, double[][] and int[] labels, and trains exactly as on the flat float rows.
 */
class ArrayInputsTest {
    static final int N = 40;

    static Sequential cnn() {
        Sequential net = new Sequential(5);
        net.add(new Input(6, 6, 1));
        net.add(new Conv2D(2, 3, "relu"));
        net.add(new Flatten());
        net.add(new Dense(3, "softmax"));
        net.compile("sparse_categorical_crossentropy", new SGD(0.1), "accuracy");
        return net;
    }

    @Test
    void imagesInEveryShapeTrainAsFlatRows() {
        SplittableRandom r = new SplittableRandom(1);
        float[][][] grey = new float[N][6][6];
        float[][] flatRows = new float[N][36];
        float[] flat = new float[N * 36];
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = r.nextInt(3);
            for (int h = 0; h < 6; h++) {
                for (int w = 0; w < 6; w++) {
                    float v = (float) r.nextDouble() + (h == 2 * labels[i] ? 1 : 0);
                    grey[i][h][w] = v;
                    flatRows[i][h * 6 + w] = v;
                    flat[i * 36 + h * 6 + w] = v;
                }
            }
        }
        float[][][][] withChannel = new float[N][6][6][1];
        for (int i = 0; i < N; i++) for (int h = 0; h < 6; h++) for (int w = 0; w < 6; w++) withChannel[i][h][w][0] = grey[i][h][w];
        FitOptions o = FitOptions.builder().batchSize(8).epochs(3).verbose(0).build();

        try (Sequential a = cnn(); Sequential b = cnn(); Sequential c = cnn(); Sequential d = cnn()) {
            History ha = a.fit(flatRows, labels, o);
            History hb = b.fit(grey, labels, o);
            History hc = c.fit(withChannel, labels, o);
            History hd = d.fit(NdArray.of(flat, N, 6, 6, 1), NdArray.labels(labels), o);
            for (History h : List.of(hb, hc, hd)) assertEquals(ha.asMap(), h.asMap());
            for (Sequential m : List.of(b, c, d)) {
                for (int i = 0; i < a.getWeights().size(); i++) assertArrayEquals(a.getWeights().get(i), m.getWeights().get(i));
            }
            assertArrayEquals(a.evaluate(flatRows, labels, 16), b.evaluate(grey, labels, 16));
            assertArrayEquals(a.evaluate(flatRows, labels, 16), c.evaluate(withChannel, labels, 16));
            float[][] p = a.predict(flatRows);
            assertArrayEquals(p, b.predict(grey));
            assertArrayEquals(p, c.predict(withChannel));
            assertArrayEquals(p, a.predict(NdArray.of(flat, N, 36)));
            assertArrayEquals(p, a.predictOnBatch(NdArray.of(flat, N, 6, 6)));

            // Validation arrays of any shape too.
            History hv = a.fit(NdArray.of(grey), NdArray.labels(labels), FitOptions.builder().epochs(1).verbose(0)
                    .validationData(NdArray.of(withChannel), NdArray.labels(labels)).build());
            assertTrue(hv.asMap().containsKey("val_accuracy"));
        }
    }

    @Test
    void aWrongImageShapeNamesBoth() {
        try (Sequential net = cnn()) {
            float[][][] small = new float[2][5][5];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.predict(small));
            assertTrue(e.getMessage().contains("(6, 6, 1)") && e.getMessage().contains("[2, 5, 5]"), e.getMessage());
            // 36 values in the wrong arrangement is refused too: (4, 9) is not (6, 6).
            e = assertThrows(IllegalArgumentException.class, () -> net.predict(NdArray.of(new float[2 * 36], 2, 4, 9)));
            assertTrue(e.getMessage().contains("[4, 9]"), e.getMessage());
            // The model is still usable.
            assertEquals(2, net.predict(new float[2][6][6]).length);
        }
    }

    @Test
    void doublesTrainAsTheirFloatRoundings() {
        SplittableRandom r = new SplittableRandom(2);
        double[][] x = new double[30][3], y = new double[30][1];
        float[][] xf = new float[30][3], yf = new float[30][1];
        for (int i = 0; i < 30; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = r.nextGaussian();
                xf[i][j] = (float) x[i][j];
            }
            y[i][0] = x[i][0] - 2 * x[i][2] + 0.1;
            yf[i][0] = (float) y[i][0];
        }
        FitOptions o = FitOptions.builder().batchSize(10).epochs(4).verbose(0).build();
        try (Sequential a = regression(); Sequential b = regression()) {
            assertEquals(a.fit(xf, yf, o).asMap(), b.fit(x, y, o).asMap());
            assertArrayEquals(a.predict(xf), b.predict(x));
            assertArrayEquals(a.evaluate(xf, yf, 7), b.evaluate(x, y, 7));
        }
    }

    static Sequential regression() {
        Sequential net = new Sequential(3);
        net.add(new Input(3));
        net.add(new Dense(1));
        net.compile("mse", new SGD(0.05), "mae");
        return net;
    }
}
