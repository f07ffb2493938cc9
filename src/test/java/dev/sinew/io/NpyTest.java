package dev.sinew.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.data.NdArray;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** numpy .npy: round trips, and every header a crafted file could hold is an IOException naming the file. */
class NpyTest {
    @TempDir
    Path dir;
    /** A float32 .npy (version 1.0) with this header dict, padded as numpy pads, and {@code dataBytes} zero bytes. */
    static byte[] npy(String dict, int dataBytes) {
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        return ByteBuffer.allocate(10 + header.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                .putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).array();
    }

    static byte[] withShape(String tuple, int dataBytes) {
        return npy("{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }", dataBytes);
    }

    /** Throws unless {@code bytes} are rejected with an IOException (nothing else) holding every fragment. */
    static void rejected(byte[] bytes, String... fragments) {
        Throwable t = null;
        try {
            Npy.read(bytes, "w.npy");
        } catch (Throwable e) {
            t = e;
        }
        if (!(t instanceof IOException e)) throw new AssertionError("expected an IOException, got " + t, t);
        System.out.println("rejected: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("w.npy"), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }

    @Test
    void roundTrip() throws IOException {
        float[] data = {1, -2.5f, Float.NaN, Float.NEGATIVE_INFINITY, 3e38f, Float.MIN_VALUE};
        for (int[] shape : new int[][] {{6}, {2, 3}, {3, 1, 2}}) {
            Npy.Array a = Npy.read(Npy.write(shape, data), "w.npy");
            assertArrayEquals(shape, a.shape());
            for (int i = 0; i < data.length; i++) {
                assertEquals(Float.floatToRawIntBits(data[i]), Float.floatToRawIntBits(a.data()[i]));
            }
        }
        // numpy writes a scalar as shape () and an empty array as (0,)
        assertEquals(1, Npy.read(withShape("()", 4), "s").data().length);
        assertEquals(0, Npy.read(withShape("(0,)", 0), "e").data().length);
    }

    @Test
    void negativeAndOverflowingDimensionsAreRejected() {
        rejected(withShape("(-1, -1)", 4), "-1"); // used to be accepted: (-1) * (-1) = 1 value
        rejected(withShape("(-4,)", 0), "-4");
        rejected(withShape("(3037000500, 3037000500)", 0), "3037000500"); // each > 2^31: NumberFormatException today
        rejected(withShape("(2147483647, 2147483647, 2147483647)", 0), "2147483647"); // overflows a long
        rejected(withShape("(65536, 65536)", 0), "(65536, 65536)"); // 2^32 values: more than a Java array holds
        rejected(withShape("(2, x)", 0), "header");
        rejected(withShape("(2,,3)", 24), "header");
    }

    @Test
    void headerLengthsBeyondTheFileAreRejected() {
        byte[] good = withShape("(2,)", 8);
        for (int length : new int[] {0x7fffffff, 0x80000000, 0xffffffff, 0x10000, good.length}) {
            byte[] v2 = ByteBuffer.allocate(good.length + 2).order(ByteOrder.LITTLE_ENDIAN).put(good, 0, 6).put((byte) 2)
                    .put((byte) 0).putInt(length).put(good, 10, good.length - 10).array();
            rejected(v2, "header");
        }
        byte[] v1 = good.clone();
        v1[8] = (byte) 0xff;
        v1[9] = (byte) 0xff;
        rejected(v1, "header");
        rejected(Arrays.copyOf(good, 9), "not a .npy file");
        rejected(new byte[0], "not a .npy file");
    }

    @Test
    void otherTypesAndLayoutsAreRejected() {
        rejected(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16), "<f8");
        rejected(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16), "Fortran");
        rejected(withShape("(2, 2)", 15), "16 data bytes", "15");
        rejected(withShape("(2, 2)", 17), "16 data bytes", "17");
        byte[] v9 = withShape("(2,)", 8);
        v9[6] = 9;
        rejected(v9, "version 9");
    }

    // ------------------------------------------------------------------ files: Npy.load and Npy.save

    /** Throws unless {@code bytes}, as a file, fail Npy.load with an IOException (nothing else) holding every fragment. */
    void loadRejected(byte[] bytes, String... fragments) throws IOException {
        Path file = dir.resolve("w.npy");
        Files.write(file, bytes);
        Throwable t = null;
        try {
            Npy.load(file);
        } catch (Throwable e) {
            t = e;
        }
        if (!(t instanceof IOException e)) throw new AssertionError("expected an IOException, got " + t, t);
        System.out.println("rejected: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }

    static byte[] withDescr(String descr, String tuple, int dataBytes) {
        return npy("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }", dataBytes);
    }

    @Test
    void saveThenLoadGivesTheSameArrayAndTheModelFilesBytes() throws IOException {
        float[] data = {1, -2.5f, Float.NaN, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE};
        Path file = dir.resolve("a.npy");
        for (int[] shape : new int[][] {{6}, {2, 3}, {3, 1, 2}}) {
            NdArray a = NdArray.of(data, shape);
            Npy.save(file, a);
            assertEquals(a, Npy.load(file));
            assertArrayEquals(Npy.write(shape, data), Files.readAllBytes(file)); // one format for models and arrays
        }
        assertTrue(!Files.exists(AtomicFile.temporaryFile(file)));
        // 100,000 values: more than one chunk each way
        float[] many = new float[100_000];
        for (int i = 0; i < many.length; i++) many[i] = i * 0.5f;
        Npy.save(file, NdArray.of(many, 250, 400));
        assertEquals(NdArray.of(many, 250, 400), Npy.load(file));
    }

    @Test
    void headersWrittenOtherwiseThanNumpyDoesStillLoad() throws IOException {
        Path file = dir.resolve("h.npy");
        for (String dict : new String[] {
            "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}", // any key order, no trailing comma
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}", // double quotes
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }", // Python 2's long
            "{'descr':'<f4','fortran_order':False,'shape':(2)}",
        }) {
            Files.write(file, npy(dict, 8));
            assertArrayEquals(new int[] {2}, Npy.load(file).shape(), dict);
        }
    }

    @Test
    void malformedHeadersAreIOExceptions() throws IOException {
        loadRejected(npy("{'descr': '<f4', 'fortran_order': False}", 8), "keys", "shape");
        loadRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 'y'}", 8), "keys [descr, fortran_order, shape, x]");
        loadRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'descr': '<f4'}", 8), "twice");
        loadRejected(npy("{'descr': 5, 'fortran_order': False, 'shape': (2,)}", 8), "'descr'");
        loadRejected(npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", 8), "'fortran_order'");
        loadRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", 8), "'shape'");
        loadRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 8), "header");
        loadRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", 8), "after the closing brace");
        loadRejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", 8), "not closed");
        loadRejected(npy("{'descr': '<f4\\n', 'fortran_order': False, 'shape': (2,)}", 8), "escapes");
        loadRejected(npy("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (2,)}", 8), "structured");
        loadRejected(withDescr("=f4", "(2,)", 8), "byte order");
        loadRejected(withDescr("|i4", "(2,)", 8), "no byte order");
        loadRejected(withDescr("<f16", "(2,)", 32), "'<f16' is not supported");
        loadRejected(withDescr("<i3", "(2,)", 6), "not supported");
        loadRejected(withDescr("f", "(2,)", 8), "not a numpy dtype");
        loadRejected(withDescr("<f4", "(-1, -1)", 4), "negative dimension -1");
        loadRejected(withDescr("<f4", "(-12345678901234567890,)", 4), "negative");
        loadRejected(withDescr("<f4", "(65536, 65536)", 0), "more values than a Java array");
    }

    @Test
    void dataThatDoesNotMatchTheShapeIsRefusedBeforeAnythingIsAllocated() throws IOException {
        loadRejected(withDescr("|u1", "(2000000000,)", 0), "needs 2000000000 data bytes, the file has 0");
        loadRejected(withDescr("<i8", "(3,)", 23), "needs 24 data bytes, the file has 23");
        loadRejected(withDescr("<f2", "(3,)", 7), "needs 6 data bytes, the file has 7");
    }

    @Test
    void aStreamIsReadExactlyToItsEnd() throws IOException {
        byte[] header = withDescr("|u1", "(2000000000,)", 0);
        IOException e = assertThrows(IOException.class, () -> Npy.read(new ByteArrayInputStream(header), "w.npy", -1));
        assertTrue(e.getMessage().contains("bytes of Java heap"), e.getMessage()); // 8 GB as float32, with -Xmx2g
        e = assertThrows(IOException.class, () -> Npy.read(new ByteArrayInputStream(withDescr("<f4", "(4,)", 15)), "w.npy", -1));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("it has 15"), e.getMessage());
        e = assertThrows(IOException.class, () -> Npy.read(new ByteArrayInputStream(withDescr("<f4", "(4,)", 17)), "w.npy", -1));
        assertTrue(e.getMessage().contains("more data"), e.getMessage());
        assertEquals(NdArray.of(new float[4], 4), Npy.read(new ByteArrayInputStream(withDescr("<f4", "(4,)", 16)), "w.npy", -1));
    }

    @Test
    void damagedGoldenFilesAreReadOrRefusedWithAnIOException() throws IOException {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (String golden : new String[] {"u8_be.npy", "f2_le.npy", "fortran_be_i2.npy", "v2.npy", "b1.npy"}) {
            byte[] whole = Files.readAllBytes(NpyGoldenTest.golden(golden));
            for (int round = 0; round < 2000; round++) {
                byte[] m = whole.clone();
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) m[rnd.nextInt(m.length)] ^= (byte) (1 + rnd.nextInt(255));
                try {
                    NdArray a = Npy.read(new ByteArrayInputStream(m), "w.npy", m.length);
                    assertEquals(a.size(), a.flat().length);
                } catch (IOException e) {
                    assertTrue(e.getMessage().startsWith("w.npy"), e.getMessage());
                }
            }
        }
    }

    @Test
    void everyTruncationOfAGoldenFileIsAnIOException() throws IOException {
        for (String golden : new String[] {"i2_be.npy", "fortran_f4.npy", "v3.npy"}) {
            byte[] whole = Files.readAllBytes(NpyGoldenTest.golden(golden));
            for (int n = 0; n < whole.length; n++) loadRejected(Arrays.copyOf(whole, n));
        }
    }
}
