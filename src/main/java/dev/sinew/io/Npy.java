package dev.sinew.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * numpy's {@code .npy} format (version 1.0) for float32 arrays, so saved weights open with
 * {@code numpy.load}: the magic {@code \x93NUMPY}, version bytes, a little-endian header length,
 * a Python-dict header ({@code {'descr': '<f4', 'fortran_order': False, 'shape': (784, 150), }})
 * padded with spaces to a multiple of 64 bytes, then the data, little-endian, row-major.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern HEADER = Pattern.compile(
            "\\{\\s*'descr'\\s*:\\s*'([^']*)'\\s*,\\s*'fortran_order'\\s*:\\s*(True|False)\\s*,\\s*'shape'\\s*:\\s*\\(([^)]*)\\)\\s*,?\\s*\\}\\s*");

    /** The longest header read (numpy itself refuses more than 10,000 bytes by default). */
    public static final int MAX_HEADER_LENGTH = 65535;

    // A Java float[] holds at most this many values; and the data's byte length must fit an int too.
    private static final long MAX_VALUES = (Integer.MAX_VALUE - 8) / 4;
    private static final Pattern DIMENSION = Pattern.compile("-?[0-9]+");

    private Npy() {}

    /** A float32 array and its shape. */
    public record Array(int[] shape, float[] data) {}

    public static byte[] write(int[] shape, float[] data) {
        long size = 1;
        for (int d : shape) size *= d;
        if (size != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size + " values, got " + data.length);
        }
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(", ");
        String tuple = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + dims.substring(0, dims.length() - 2) + ")";
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }";
        int unpadded = MAGIC.length + 2 + 2 + header.length() + 1; // + '\n'
        header = header + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream(header.length() + 10 + data.length * 4);
        out.writeBytes(MAGIC);
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xFF);
        out.write(header.length() >>> 8);
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(data);
        out.writeBytes(body.array());
        return out.toByteArray();
    }

    /**
     * Reads a float32 {@code .npy}; anything else (another dtype, Fortran order, a header or shape
     * that does not add up, short or extra data) is an IOException naming {@code name}. The bytes
     * may come from anywhere: every length and dimension is checked before it is used.
     */
    public static Array read(byte[] bytes, String name) throws IOException {
        if (bytes.length < 10 || !Arrays.equals(bytes, 0, 6, MAGIC, 0, 6)) {
            throw new IOException(name + " is not a .npy file (" + bytes.length + " bytes, not starting with \\x93NUMPY"
                    + " and a header length)");
        }
        int major = bytes[6] & 0xFF;
        long headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new IOException(name + " is truncated in its header length");
            headerLen = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
            headerStart = 12;
        } else {
            throw new IOException(name + ": unsupported .npy version " + major);
        }
        if (headerLen > MAX_HEADER_LENGTH) {
            throw new IOException(name + ": .npy header length " + headerLen + " is more than the " + MAX_HEADER_LENGTH
                    + " bytes this reader accepts");
        }
        if (headerStart + headerLen > bytes.length) {
            throw new IOException(name + ": .npy header length " + headerLen + " runs past the end of the file ("
                    + bytes.length + " bytes)");
        }
        String header = new String(bytes, headerStart, (int) headerLen, StandardCharsets.ISO_8859_1);
        Matcher m = HEADER.matcher(header);
        if (!m.matches()) throw new IOException(name + ": unreadable .npy header " + header.trim());
        if (!m.group(1).equals("<f4")) throw new IOException(name + ": dtype " + m.group(1) + " is not float32 ('<f4')");
        if (m.group(2).equals("True")) throw new IOException(name + ": Fortran-ordered arrays are not supported");
        int[] shape = shape(m.group(3), name);
        long size = 1;
        for (int d : shape) size *= d; // cannot overflow: shape() keeps the product within an int
        int dataStart = headerStart + (int) headerLen;
        if (bytes.length - dataStart != size * 4) {
            throw new IOException(name + ": shape " + tuple(shape) + " needs " + size * 4 + " data bytes, the file has "
                    + (bytes.length - dataStart));
        }
        float[] data = new float[(int) size];
        ByteBuffer.wrap(bytes, dataStart, (int) size * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return new Array(shape, data);
    }

    /**
     * The dimensions in a header's shape tuple: {@code ""} (a scalar), {@code "5,"} or {@code "784, 150"};
     * each from 0 to 2^31 - 1 and their product small enough for one Java array.
     */
    private static int[] shape(String tuple, String name) throws IOException {
        String t = tuple.strip();
        if (t.isEmpty()) return new int[0];
        if (t.endsWith(",")) t = t.substring(0, t.length() - 1); // numpy's one-element tuple "(5,)"
        String[] parts = t.split(",", -1);
        int[] shape = new int[parts.length];
        long size = 1;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            if (!DIMENSION.matcher(p).matches()) throw new IOException(name + ": unreadable .npy header shape (" + tuple + ")");
            // Up to 19 digits fits a long; anything longer is too large whatever it says.
            long d = p.length() > 19 ? Long.MAX_VALUE : Long.parseLong(p);
            if (d < 0) throw new IOException(name + ": .npy shape (" + tuple + ") has a negative dimension " + d);
            if (d > Integer.MAX_VALUE) throw new IOException(name + ": .npy shape (" + tuple + ") has a dimension " + p
                    + " larger than a Java array holds");
            shape[i] = (int) d;
            size = size * d; // both factors < 2^31 here, so no overflow
            if (size > MAX_VALUES) size = MAX_VALUES + 1; // saturate, and go on checking the other dimensions
        }
        if (size > MAX_VALUES) {
            throw new IOException(name + ": .npy shape (" + tuple + ") holds more values than a Java array can");
        }
        return shape;
    }

    /** A shape as numpy prints it: {@code (784, 150)}, {@code (10,)}, {@code ()}. */
    public static String tuple(int[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
        return sb.append(')').toString();
    }
}
