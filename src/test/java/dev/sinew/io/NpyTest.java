package dev.sinew.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** numpy .npy: round trips, and every header a crafted file could hold is an IOException naming the file. */
class NpyTest {
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
}
