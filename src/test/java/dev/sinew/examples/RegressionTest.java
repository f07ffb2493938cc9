package dev.sinew.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The notebook's first program: the cost must fall clearly over 200 batches. */
class RegressionTest {
    @Test
    void finalCostIsAtMostATenthOfTheFirst() {
        Regression.Result r = Regression.run(200, 1, 10, null);
        System.out.printf("Regression example: first cost %.6f, last cost %.6f (ratio %.4f)%n",
                r.first(), r.last(), r.last() / r.first());
        assertTrue(r.last() <= r.first() / 10, "last cost " + r.last() + " vs first " + r.first());
        assertEquals(Regression.BATCH_SIZE, r.lastPredictions().length);
    }

    @Test
    void sameSeedSameCosts() {
        Regression.Result a = Regression.run(20, 7, 10, null), b = Regression.run(20, 7, 10, null);
        assertEquals(java.util.Arrays.toString(a.costs()), java.util.Arrays.toString(b.costs()));
    }
}
