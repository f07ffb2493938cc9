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

    /** Reads a float32 {@code .npy}; anything else (other dtype, Fortran order, short data) is an IOException naming {@code name}. */
    public static Array read(byte[] bytes, String name) throws IOException {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IOException(name + " is not a .npy file");
        }
        int major = bytes[6];
        int headerLen, headerStart;
        if (major == 1) {
            headerLen = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new IOException(name + " is truncated");
            headerLen = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            headerStart = 12;
        } else {
            throw new IOException(name + ": unsupported .npy version " + major);
        }
        if (headerLen < 0 || headerStart + headerLen > bytes.length) throw new IOException(name + " is truncated in its header");
        String header = new String(bytes, headerStart, headerLen, StandardCharsets.ISO_8859_1);
        Matcher m = HEADER.matcher(header);
        if (!m.matches()) throw new IOException(name + ": unreadable .npy header " + header.trim());
        if (!m.group(1).equals("<f4")) throw new IOException(name + ": dtype " + m.group(1) + " is not float32 ('<f4')");
        if (m.group(2).equals("True")) throw new IOException(name + ": Fortran-ordered arrays are not supported");
        String[] parts = m.group(3).split(",");
        int[] shape = Arrays.stream(parts).map(String::trim).filter(p -> !p.isEmpty()).mapToInt(Integer::parseInt).toArray();
        long size = 1;
        for (int d : shape) size *= d;
        int dataStart = headerStart + headerLen;
        if (bytes.length - dataStart != size * 4) {
            throw new IOException(name + ": shape " + Arrays.toString(shape) + " needs " + size * 4 + " data bytes, the file has "
                    + (bytes.length - dataStart));
        }
        float[] data = new float[(int) size];
        ByteBuffer.wrap(bytes, dataStart, (int) size * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return new Array(shape, data);
    }
}
