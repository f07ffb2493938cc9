package dev.sinew.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bundled sample, splits, shuffles and one-hot labels. */
class DatasetsTest {

    @Test
    void bundledSampleIsRealFashionMnist() {
        TrainTest s = Datasets.fashionMnistSample();
        assertEquals(3000, s.train().size());
        assertEquals(1000, s.test().size());
        assertEquals(784, s.train().features());
        assertEquals(10, s.train().targets());
        int[] counts = new int[10];
        for (int l : s.train().labels()) counts[l]++;
        for (int c : counts) assertTrue(c > 200, "every class is present: " + Arrays.toString(counts));
        float min = 1, max = 0;
        for (float[] r : s.train().x()) for (float v : r) { min = Math.min(min, v); max = Math.max(max, v); }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }

    @Test
    void notebookSplitIsOneCall() {
        TrainTest s = Datasets.fashionMnistSample();
        Splits sp = s.splits(2500, 500, 42);
        assertEquals(2500, sp.train().size());
        assertEquals(500, sp.validation().size());
        assertSame(s.test(), sp.test());
        // Disjoint, and rows are shared rather than copied.
        Set<float[]> train = new HashSet<>(Arrays.asList(sp.train().x()));
        for (float[] r : sp.validation().x()) assertTrue(!train.contains(r));
        assertTrue(Arrays.asList(s.train().x()).contains(sp.validation().x()[0]));
        assertThrows(IllegalArgumentException.class, () -> s.splits(2600, 500, 42));
        if (Datasets.findFashionMnist() != null) {
            Splits full = assertDoesNotThrowFull();
            assertEquals("train 45000 / validation 5000 / test 10000", full.toString());
        }
    }

    static Splits assertDoesNotThrowFull() {
        try {
            return Datasets.fashionMnist().splits(45_000, 5_000, 1);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shuffleIsSeededPermutation() {
        Dataset d = Datasets.fashionMnistSample().test();
        Dataset a = d.shuffled(7), b = d.shuffled(7), c = d.shuffled(8);
        assertTrue(Arrays.equals(a.x(), b.x()));
        assertTrue(!Arrays.equals(a.x(), c.x()));
        assertEquals(new HashSet<>(Arrays.asList(d.x())), new HashSet<>(Arrays.asList(a.x())));
        assertNotSame(d.x(), a.x());
    }

    @Test
    void badDataIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.oneHot(new int[] {1, 10}, 10));
        assertEquals("label 10 at row 1 is not a class index in [0, 10)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Datasets.oneHot(new int[] {-1}, 10));
        e = assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[0][], new float[0][]));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[2][3], new float[3][1]));
        assertTrue(e.getMessage().contains("x has 2 samples but y has 3"), e.getMessage());
    }
}
