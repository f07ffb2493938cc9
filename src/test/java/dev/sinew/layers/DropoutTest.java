package dev.sinew.layers;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Dropout: the mask's statistics, gradient check, native = reference, and inactivity at inference. */
class DropoutTest {

    @Test
    void trainingMaskDropsAboutRateAndScalesSurvivors() {
        for (Backend b : List.of(Backends.reference(), Backends.nativeBackend())) {
            try (LayerHarness h = new LayerHarness(new Dropout(0.3, 99L), Shape.of(1000), 20, b, 1)) {
                float[] y = h.layer.forward(h.x, 20, true).toArray();
                int zeros = 0;
                for (int i = 0; i < 20_000; i++) {
                    if (y[i] == 0f) zeros++;
                    else assertEquals(h.x.get(i) / 0.7f, y[i], 1e-6f);
                }
                System.out.printf("Dropout(0.3) on %s dropped %.4f of 20,000 values%n", b, zeros / 20_000.0);
                assertEquals(0.3, zeros / 20_000.0, 0.015);
                // the next training batch draws a different mask
                float[] y2 = h.layer.forward(h.x, 20, true).toArray();
                int differ = 0;
                for (int i = 0; i < 20_000; i++) if ((y[i] == 0) != (y2[i] == 0)) differ++;
                assertTrue(differ > 5000, "masks differ between steps: " + differ);
            }
        }
    }

    @Test
    void nativeAndReferenceDrawTheSameMask() {
        float[][] out = new float[2][];
        int k = 0;
        for (Backend b : List.of(Backends.reference(), Backends.nativeBackend())) {
            try (LayerHarness h = new LayerHarness(new Dropout(0.5, 1234L), Shape.of(129), 17, b, 3)) {
                h.layer.forward(h.x, 17, true);
                float[] dx = h.backward(); // second step: a fresh mask, and its gradient
                out[k++] = dx;
            }
        }
        double e = relativeError(out[1], out[0], 1e-6);
        System.out.printf("native vs reference  Dropout dx max rel err %.2e%n", e);
        assertTrue(e <= 1e-6);
    }

    @Test
    void finiteDifferencesMatchBackward() {
        try (LayerHarness h = new LayerHarness(new Dropout(0.4, 5L), Shape.of(6), 3, Backends.reference(), 2)) {
            Dropout d = (Dropout) h.layer;
            d.setStep(7);
            float[] dx = h.backward();
            // Replaying step 7 fixes the mask, so the function being differentiated is the one backward saw.
            float[] numeric = new float[18];
            for (int i = 0; i < 18; i++) {
                float old = h.x.get(i);
                h.x.set(i, old + 1e-3f);
                d.setStep(7);
                double plus = h.loss();
                h.x.set(i, old - 1e-3f);
                d.setStep(7);
                double minus = h.loss();
                h.x.set(i, old);
                numeric[i] = (float) ((plus - minus) / 2e-3);
            }
            double e = relativeError(dx, numeric, 1e-3);
            System.out.printf("finite differences  Dropout dx max rel err %.2e%n", e);
            assertTrue(e < 1e-2, "relative error " + e);
            int zeros = 0;
            for (float v : dx) if (v == 0) zeros++;
            assertTrue(zeros > 0 && zeros < 18, "some inputs dropped, some kept");
        }
    }

    @Test
    void inactiveInPredict() {
        SplittableRandom rng = new SplittableRandom(4);
        float[][] x = TestUtil.uniform(rng, 50, 8, -1, 1);
        try (Sequential with = new Sequential(1); Sequential without = new Sequential(1)) {
            with.add(new Input(8));
            with.add(new Dense(16, "relu"));
            with.add(new Dropout(0.5));
            with.add(new Dense(3, "softmax"));
            without.add(new Input(8));
            without.add(new Dense(16, "relu"));
            without.add(new Dense(3, "softmax"));
            without.setWeights(with.getWeights());
            // (Same batch sizes on both sides: BLAS may round differently for another row count.)
            float[][] a = with.predict(x), b = without.predict(x);
            float[][] c = with.predictOnBatch(x), d = without.predictOnBatch(x);
            for (int i = 0; i < 50; i++) {
                assertArrayEquals(b[i], a[i], 0f, "predict ignores dropout");
                assertArrayEquals(d[i], c[i], 0f, "predictOnBatch ignores dropout");
            }
            // while training it is active: the same batch gives a different loss than evaluation
            with.compile("categorical_crossentropy", new SGD(1e-9), "accuracy");
            float[][] y = TestUtil.oneHot(rng, 50, 3);
            float train = with.trainOnBatch(x, y)[0], test = with.testOnBatch(x, y)[0];
            assertTrue(train != test, "training loss " + train + " differs from inference loss " + test);
        }
    }

    @Test
    void rejectsBadRates() {
        for (double r : new double[] {-0.1, 1.0, 2, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(r));
            assertTrue(e.getMessage().contains("Dropout rate must be in [0, 1)"), e.getMessage());
        }
    }
}
