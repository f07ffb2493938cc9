package dev.sinew.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** NdArray: each factory's shape and values, its errors, and the numpy-like views. */
class NdArrayTest {
    static void fails(Executable e, String... fragments) {
        Throwable t = assertThrows(RuntimeException.class, e);
        for (String f : fragments) assertTrue(t.getMessage().contains(f), "'" + f + "' not in: " + t.getMessage());
    }

    @Test
    void factoriesGiveShapeAndRowMajorValues() {
        NdArray a = NdArray.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.flat());
        assertEquals(a, NdArray.of(new double[][] {{1, 2, 3}, {4, 5, 6}}));
        assertEquals(a, NdArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertEquals(a, NdArray.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertEquals((float) 0.1, NdArray.of(new double[][] {{0.1}}).get(0, 0)); // rounded to float32

        // (n, h, w): x[i][r][c] is value (i*h + r)*w + c
        NdArray grey = NdArray.of(new float[][][] {{{0, 1}, {2, 3}, {4, 5}}, {{6, 7}, {8, 9}, {10, 11}}});
        assertArrayEquals(new int[] {2, 3, 2}, grey.shape());
        assertEquals(9, grey.get(1, 1, 1));
        assertEquals(11, grey.get(1, 2, 1));
        NdArray rgb = NdArray.of(new float[2][4][5][3]);
        assertArrayEquals(new int[] {2, 4, 5, 3}, rgb.shape());
        assertEquals(4, rgb.rank());
        assertEquals(2, rgb.count());
        assertEquals(60, rgb.sampleSize());
        assertEquals(120, rgb.size());
        assertEquals(3, rgb.size(-1));
        assertEquals(4, rgb.size(1));
        fails(() -> rgb.size(4), "dimension 4", "(2, 4, 5, 3)");
        assertEquals("NdArray(2, 4, 5, 3)", rgb.toString());
    }

    @Test
    void ofCopiesAndWrapShares() {
        float[] v = {1, 2};
        NdArray copied = NdArray.of(v, 2), wrapped = NdArray.wrap(v, 2);
        v[0] = 9;
        assertEquals(1, copied.get(0));
        assertEquals(9, wrapped.get(0));
        float[] flat = copied.flat();
        flat[1] = 7;
        assertEquals(2, copied.get(1)); // flat() is a copy too
        assertTrue(copied.buffer().isReadOnly());
    }

    @Test
    void raggedNullAndEmptyInputsNameTheIndex() {
        float[][][] images = new float[4][3][28];
        images[3][2] = new float[27];
        fails(() -> NdArray.of(images), "x[3][2] has 27 values, expected 28");
        images[3][2] = null;
        fails(() -> NdArray.of(images), "x[3][2] is null");
        images[3] = new float[2][28];
        fails(() -> NdArray.of(images), "x[3] has 2 rows, expected 3");
        fails(() -> NdArray.of(new float[][] {{1, 2}, {3}}), "x[1] has 1 values, expected 2");
        fails(() -> NdArray.of(new double[][] {{1}, null}), "x[1] is null");
        fails(() -> NdArray.of((float[][]) null), "x is null");
        fails(() -> NdArray.of(new float[0][]), "x is empty");
        fails(() -> NdArray.of(new float[3][0]), "x[0] is empty");
        fails(() -> NdArray.of(new float[2][2][0][3]), "x[0][0] is empty");
        fails(() -> NdArray.of(new float[6], 2, 4), "shape (2, 4) holds 8 values, got 6");
        fails(() -> NdArray.of(new float[0], 0), "dimension 0", "empty arrays");
        fails(() -> NdArray.of(new float[1]), "at least one dimension");
        fails(() -> NdArray.of(new float[1], -1), "dimension -1");
        fails(() -> NdArray.of((float[]) null, 1), "null");
    }

    @Test
    void shapesBeyondOneJavaArrayAreRefusedBeforeAnyAllocation() {
        fails(() -> NdArray.of(new float[1], 65536, 65536), "(65536, 65536)", "more values than one Java array");
        // 2^31 * 2^31 * 2^31 overflows a long; the product saturates instead
        fails(() -> NdArray.of(new float[1], Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE), "more values");
        fails(() -> NdArray.of(new float[4], 2, 2).reshape(65536, 65536), "cannot reshape (2, 2)");
    }

    @Test
    void labelsMustBeExactInFloat32() {
        NdArray y = NdArray.labels(new int[] {0, 2, 1, -16_777_216});
        assertArrayEquals(new int[] {4}, y.shape());
        assertArrayEquals(new int[] {0, 2, 1, -16_777_216}, y.toIntLabels());
        assertArrayEquals(new int[] {3, 16_777_216}, NdArray.labels(new long[] {3, 1 << 24}).toIntLabels());
        // 2^24 + 1 would become 2^24 in float32: refused rather than changed
        fails(() -> NdArray.labels(new long[] {1, (1 << 24) + 1}), "labels[1] = 16777217", "2^24");
        fails(() -> NdArray.labels(new long[] {Long.MIN_VALUE}), "labels[0] = -9223372036854775808");
        fails(() -> NdArray.labels(new int[] {Integer.MAX_VALUE}), "2147483647");
        fails(() -> NdArray.labels(new int[0]), "empty");
    }

    @Test
    void toIntLabelsChecksShapeAndIntegers() {
        assertArrayEquals(new int[] {1, 0}, NdArray.of(new float[] {1, 0}, 2, 1).toIntLabels()); // (n, 1) too
        fails(() -> NdArray.of(new float[] {1, 2.5f, 3}, 3).toIntLabels(), "labels[1] = 2.5 is not an integer");
        fails(() -> NdArray.of(new float[] {Float.NaN}, 1).toIntLabels(), "labels[0] = NaN");
        fails(() -> NdArray.of(new float[] {3e9f}, 1).toIntLabels(), "not an integer");
        assertArrayEquals(new int[] {-2_000_000_000}, NdArray.of(new float[] {-2e9f}, 1).toIntLabels()); // exact in float32
        fails(() -> NdArray.of(new float[4], 2, 2).toIntLabels(), "(n,) or (n, 1)", "(2, 2)");
    }

    @Test
    void rowsFlattenEachSample() {
        NdArray grey = NdArray.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 2, 2, 2);
        assertArrayEquals(new float[][] {{0, 1, 2, 3}, {4, 5, 6, 7}}, grey.rows());
        assertArrayEquals(new float[][] {{7}, {8}}, NdArray.labels(new int[] {7, 8}).rows());
    }

    @Test
    void reshapeSliceAndGet() {
        NdArray a = NdArray.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4);
        assertArrayEquals(new int[] {3, 2, 2}, a.reshape(3, 2, 2).shape());
        assertArrayEquals(new int[] {6, 2}, a.reshape(-1, 2).shape());
        assertArrayEquals(new int[] {12}, a.reshape(-1).shape());
        assertEquals(a.reshape(2, -1, 3).get(1, 1, 2), a.get(2, 3)); // offset 11 either way
        fails(() -> a.reshape(5, -1), "cannot reshape (3, 4) (12 values) into (5, -1)");
        fails(() -> a.reshape(-1, -1), "cannot reshape");
        fails(() -> a.reshape(0, 12), "positive");
        fails(() -> a.reshape(5, 2), "(5, 2)");

        NdArray middle = a.slice(1, 3);
        assertArrayEquals(new int[] {2, 4}, middle.shape());
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 10, 11}, middle.flat());
        fails(() -> a.slice(2, 2), "[2, 2)");
        fails(() -> a.slice(0, 4), "3 samples");

        assertEquals(6, a.get(1, 2));
        fails(() -> a.get(3, 0), "index 3 is out of bounds for dimension 0");
        fails(() -> a.get(0, -1), "index -1");
        fails(() -> a.get(1), "2 coordinates");
    }

    @Test
    void equalityIsShapeAndBits() {
        NdArray a = NdArray.of(new float[] {1, Float.NaN}, 2);
        assertEquals(a, NdArray.of(new float[] {1, Float.NaN}, 2));
        assertEquals(a.hashCode(), NdArray.of(new float[] {1, Float.NaN}, 2).hashCode());
        assertNotEquals(a, a.reshape(1, 2));
        assertNotEquals(NdArray.of(new float[] {0}, 1), NdArray.of(new float[] {-0f}, 1));
    }
}
