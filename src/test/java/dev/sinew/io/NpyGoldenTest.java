package dev.sinew.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.data.NdArray;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files numpy wrote (src/test/resources/dev/sinew/io/npy, made by make_golden.py beside them):
 * every numeric dtype in both byte orders, the ends of each range, Fortran order, header
 * versions 2 and 3, np.savez and np.savez_compressed, and what Sinew refuses.
 */
class NpyGoldenTest {
    static final float[] BASE = {0, 1, 2, 3, 4, 5}; // np.arange(6).reshape(2, 3)

    static Path golden(String name) {
        try {
            return Path.of(NpyGoldenTest.class.getResource("npy/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("no golden file " + name, e);
        }
    }

    static void refused(String file, String... fragments) {
        IOException e = assertThrows(IOException.class, () -> Npy.load(golden(file)));
        System.out.println("refused: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(golden(file).toString()), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }

    @Test
    void everyNumericDtypeInBothByteOrders() throws IOException {
        for (String t : List.of("u1", "i1", "i2_le", "i2_be", "u2_le", "u2_be", "i4_le", "i4_be", "u4_le", "u4_be", "i8_le",
                "i8_be", "u8_le", "u8_be", "f2_le", "f2_be", "f4_le", "f4_be", "f8_le", "f8_be", "v2", "v3")) {
            NdArray a = Npy.load(golden(t + ".npy"));
            assertArrayEquals(new int[] {2, 3}, a.shape(), t);
            assertArrayEquals(BASE, a.flat(), t);
        }
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 1}, Npy.load(golden("b1.npy")).flat());
    }

    @Test
    void theEndsOfEachRange() throws IOException {
        assertArrayEquals(new float[] {-128, 127}, Npy.load(golden("extremes_i1.npy")).flat());
        assertArrayEquals(new float[] {0, 255}, Npy.load(golden("extremes_u1.npy")).flat());
        assertArrayEquals(new float[] {-32768, 32767}, Npy.load(golden("extremes_i2.npy")).flat());
        assertArrayEquals(new float[] {0, 65535}, Npy.load(golden("extremes_u2.npy")).flat()); // big-endian
        assertArrayEquals(new float[] {-16_777_216, 16_777_216}, Npy.load(golden("extremes_i4.npy")).flat());
        assertArrayEquals(new float[] {0, 16_777_216}, Npy.load(golden("extremes_u8.npy")).flat());
        // float16: its largest, -inf, NaN and its smallest subnormal 2^-24, all exact in float32
        assertArrayEquals(new float[] {0.5f, 65504, Float.NEGATIVE_INFINITY, Float.NaN, 0x1p-24f},
                Npy.load(golden("extremes_f2.npy")).flat());
        // float64 rounds to the nearest float32: 1e300 overflows, -1e-300 underflows to -0, 2^24 + 1 ties to even
        assertArrayEquals(new float[] {(float) 0.1, Float.POSITIVE_INFINITY, -0f, 16_777_216},
                Npy.load(golden("extremes_f8.npy")).flat());
    }

    @Test
    void integersFloat32CannotHoldAreRefusedWithTheirIndex() {
        refused("too_large_i4.npy", "value 16777217 at index [1, 1]", "2^24", "astype");
        refused("too_small_i8.npy", "value -16777217 at index [0]");
        refused("too_large_u8.npy", "value 18446744073709551615 at index [0]");
    }

    @Test
    void fortranOrderIsRearrangedToRowMajor() throws IOException {
        NdArray f = Npy.load(golden("fortran_f4.npy"));
        assertArrayEquals(new int[] {2, 3, 4}, f.shape());
        for (int i = 0; i < 24; i++) assertEquals(i, f.flat()[i]);
        NdArray be = Npy.load(golden("fortran_be_i2.npy"));
        assertArrayEquals(new int[] {2, 3}, be.shape());
        assertArrayEquals(BASE, be.flat());
    }

    @Test
    void whatIsNotAPlainNumericArrayIsRefusedSayingWhy() {
        refused("object.npy", "'|O'", "object array");
        refused("unicode.npy", "'<U2'", "strings");
        refused("bytes.npy", "'|S2'", "strings");
        refused("structured.npy", "structured");
        refused("complex.npy", "'<c8'", "complex");
        refused("datetime.npy", "'<M8[D]'", "dates");
        refused("scalar.npy", "scalar", "np.atleast_1d");
        refused("empty.npy", "empty", "(0, 3)");
    }

    @Test
    void modelFilesStillTakeFloat32Only() throws IOException {
        Npy.Array a = Npy.read(Files.readAllBytes(golden("f4_le.npy")), "w.npy");
        assertArrayEquals(BASE, a.data());
        IOException e = assertThrows(IOException.class, () -> Npy.read(Files.readAllBytes(golden("f8_le.npy")), "w.npy"));
        assertTrue(e.getMessage().contains("is not float32"), e.getMessage());
        e = assertThrows(IOException.class, () -> Npy.read(Files.readAllBytes(golden("fortran_f4.npy")), "w.npy"));
        assertTrue(e.getMessage().contains("Fortran"), e.getMessage());
    }

    @Test
    void savezAndSavezCompressed() throws IOException {
        for (String file : List.of("savez.npz", "savez_compressed.npz")) {
            Map<String, NdArray> d = Npz.load(golden(file));
            assertEquals(List.of("x", "y", "images", "arr_0"), List.copyOf(d.keySet()), file); // the file's order
            assertEquals(NdArray.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4), d.get("x"));
            assertArrayEquals(new int[] {0, 1, 2}, d.get("y").toIntLabels());
            assertEquals(NdArray.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 2, 2, 3), d.get("images"));
            assertEquals(NdArray.of(new float[] {1.5f, -2.5f}, 2), d.get("arr_0"));
        }
    }
}
