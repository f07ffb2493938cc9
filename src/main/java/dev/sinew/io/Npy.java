package dev.sinew.io;

import dev.sinew.data.NdArray;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * numpy's {@code .npy} format, so arrays pass between Sinew and Python as they are: the magic
 * {@code \x93NUMPY}, two version bytes, a little-endian header length (2 bytes in version 1, 4 in
 * versions 2 and 3), a Python-dict header ({@code {'descr': '<f4', 'fortran_order': False,
 * 'shape': (784, 150), }}) padded with spaces to a multiple of 64 bytes, then the data.
 *
 * <p>{@link #load} reads what numpy writes for numeric arrays: bool, signed and unsigned integers
 * of 1 to 8 bytes and float16/32/64, either byte order, C or Fortran order (rearranged to
 * row-major), header versions 1 to 3. Values become float32: floats are rounded to the nearest
 * float32 (float64 beyond ±3.4e38 becomes ±infinity, as numpy's {@code astype}); integers must
 * lie within ±2^24, where every integer is exact in float32, else the file is refused with the
 * index and value of the first that does not (labels must not change silently; in numpy,
 * {@code a.astype('float32')} first if rounding is fine). Object, string, complex, date and
 * structured arrays, scalars and empty arrays are refused with a message saying which.
 * {@link #save} writes float32 ({@code <f4}), version 1, C order, as {@code numpy.save} does.
 *
 * <p>Model files use {@link #write(int[], float[])} and {@link #read(byte[], String)}, which hold
 * float32 only. Every reader here treats its bytes as untrusted: each length is checked before
 * it is used, a header must agree with the file's size before anything is allocated, and an
 * array that would not fit the free heap is an IOException, not an OutOfMemoryError.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** The longest header read (numpy itself refuses more than 10,000 bytes by default). */
    public static final int MAX_HEADER_LENGTH = 65535;

    // read(byte[]) holds a whole float32 file in one byte[]: its data's byte length must fit an int.
    private static final long MAX_FLOAT32_VALUES = (Integer.MAX_VALUE - 8) / 4;
    private static final int CHUNK = 1 << 16; // bytes decoded at a time; a multiple of every dtype's size

    private Npy() {}

    /** A float32 array and its shape. */
    public record Array(int[] shape, float[] data) {}

    // ------------------------------------------------------------------ files

    /**
     * Reads a {@code .npy} file of any numeric dtype (see the class comment) as float32; anything
     * else is an IOException naming the file.
     */
    public static NdArray load(Path file) throws IOException {
        long length = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), CHUNK)) {
            return read(in, file.toString(), length);
        }
    }

    /**
     * Writes {@code array} as a float32 {@code .npy} that {@code numpy.load} reads. The file is
     * replaced atomically ({@link AtomicFile}); no {@code .npy} is appended to the name.
     */
    public static void save(Path file, NdArray array) throws IOException {
        if (array == null) throw new IllegalArgumentException("the array to save to " + file + " is null");
        AtomicFile.write(file, out -> write(out, array));
    }

    /** {@code array} as a float32 {@code .npy}, written in chunks (never a second copy of the values). */
    static void write(OutputStream out, NdArray array) throws IOException {
        out.write(header(array.shape()));
        FloatBuffer values = array.buffer();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        while (values.hasRemaining()) {
            chunk.clear();
            int n = Math.min(values.remaining(), CHUNK / 4);
            for (int i = 0; i < n; i++) chunk.putFloat(values.get());
            out.write(chunk.array(), 0, n * 4);
        }
    }

    /**
     * Reads a {@code .npy} of any numeric dtype from {@code in}, exactly to its end. {@code length}
     * is the stream's size if known (a file's, or a zip entry's declared size), else -1; a known
     * one is compared with what the header implies before anything is allocated, and the values'
     * float32 copy is checked against the free heap.
     */
    static NdArray read(InputStream in, String name, long length) throws IOException {
        Prefix p = prefix(in, name, length, NdArray.MAX_SIZE);
        NpyHeader h = p.header();
        NpyDtype dtype = NpyDtype.parse(h.descr(), name);
        if (h.shape().length == 0) {
            throw new IOException(name + " holds a scalar (shape ()); an NdArray has at least one dimension"
                    + " (in numpy, save np.atleast_1d(a))");
        }
        if (h.count() == 0) throw new IOException(name + " holds an empty array (shape " + h.shapeText() + ")");
        long dataBytes = h.count() * dtype.size();
        if (length >= 0 && length - p.headerEnd() != dataBytes) {
            throw new IOException(name + ": shape " + h.shapeText() + " of dtype '" + h.descr() + "' needs " + dataBytes
                    + " data bytes, the file has " + (length - p.headerEnd()));
        }
        checkHeap(name, h);
        float[] values = new float[(int) h.count()];
        decode(in, name, h, dtype, values);
        if (in.read() != -1) throw new IOException(name + " has more data than shape " + h.shapeText() + " needs");
        return NdArray.wrap(values, h.shape());
    }

    // ------------------------------------------------------------------ model files: float32 only

    public static byte[] write(int[] shape, float[] data) {
        long size = 1;
        for (int d : shape) size *= d;
        if (size != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size + " values, got " + data.length);
        }
        byte[] header = header(shape);
        ByteBuffer out = ByteBuffer.allocate(header.length + data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.put(header).asFloatBuffer().put(data);
        return out.array();
    }

    /**
     * Reads a float32 {@code .npy} as model files hold it; anything else (another dtype, Fortran
     * order, a header or shape that does not add up, short or extra data) is an IOException naming
     * {@code name}. Scalars ({@code ()}) and empty arrays are read. The bytes may come from
     * anywhere: every length and dimension is checked before it is used.
     */
    public static Array read(byte[] bytes, String name) throws IOException {
        Prefix p = prefix(new ByteArrayInputStream(bytes), name, bytes.length, MAX_FLOAT32_VALUES);
        NpyHeader h = p.header();
        if (!h.descr().equals("<f4")) throw new IOException(name + ": dtype " + h.descr() + " is not float32 ('<f4')");
        if (h.fortranOrder()) throw new IOException(name + ": Fortran-ordered arrays are not supported in model files");
        long size = h.count();
        int dataStart = (int) p.headerEnd();
        if (bytes.length - dataStart != size * 4) {
            throw new IOException(name + ": shape " + tuple(h.shape()) + " needs " + size * 4 + " data bytes, the file has "
                    + (bytes.length - dataStart));
        }
        float[] data = new float[(int) size];
        ByteBuffer.wrap(bytes, dataStart, (int) size * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return new Array(h.shape(), data);
    }

    /** A shape as numpy prints it: {@code (784, 150)}, {@code (10,)}, {@code ()}. */
    public static String tuple(int[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? ", " : "").append(shape[i]);
        return sb.append(')').toString();
    }

    // ------------------------------------------------------------------ the parts

    /** Magic, version, length and a float32 C-order header dict, padded as numpy pads it. */
    private static byte[] header(int[] shape) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple(shape) + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1; // + '\n'
        String text = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        if (text.length() > MAX_HEADER_LENGTH) {
            throw new IllegalArgumentException("shape " + tuple(shape) + " has too many dimensions for a .npy header");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(10 + text.length());
        out.writeBytes(MAGIC);
        out.write(1);
        out.write(0);
        out.write(text.length() & 0xFF);
        out.write(text.length() >>> 8);
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A parsed header and where the data starts. */
    private record Prefix(NpyHeader header, long headerEnd) {}

    /** Reads magic, version, header length and header from {@code in}; {@code length} as in {@link #read(InputStream, String, long)}. */
    private static Prefix prefix(InputStream in, String name, long length, long maxValues) throws IOException {
        byte[] start = in.readNBytes(10);
        if (start.length < 10 || !Arrays.equals(start, 0, 6, MAGIC, 0, 6)) {
            throw new IOException(name + " is not a .npy file (" + (length >= 0 ? length + " bytes, " : "")
                    + "not starting with \\x93NUMPY and a header length)");
        }
        int major = start[6] & 0xFF;
        long headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = (start[8] & 0xFF) | (start[9] & 0xFF) << 8;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            byte[] rest = in.readNBytes(2);
            if (rest.length < 2) throw new IOException(name + " is truncated in its header length");
            headerLen = ByteBuffer.wrap(new byte[] {start[8], start[9], rest[0], rest[1]}).order(ByteOrder.LITTLE_ENDIAN)
                    .getInt() & 0xFFFFFFFFL;
            headerStart = 12;
        } else {
            throw new IOException(name + ": unsupported .npy version " + major);
        }
        if (headerLen > MAX_HEADER_LENGTH) {
            throw new IOException(name + ": .npy header length " + headerLen + " is more than the " + MAX_HEADER_LENGTH
                    + " bytes this reader accepts");
        }
        byte[] text = in.readNBytes((int) headerLen);
        if ((length >= 0 && headerStart + headerLen > length) || text.length < headerLen) {
            throw new IOException(name + ": .npy header length " + headerLen + " runs past the end of the file ("
                    + (length >= 0 ? length : headerStart + text.length) + " bytes)");
        }
        // Version 3 differs from 2 only here: its header may hold UTF-8 (field names numpy would write).
        String header = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return new Prefix(NpyHeader.parse(header, name, maxValues), headerStart + headerLen);
    }

    /**
     * Reads the data into {@code out} in chunks, converting each value to float32. Fortran order
     * (first index fastest) is rearranged on the way: {@code dest} walks the C-order offsets of
     * the indices as an odometer turning its first wheel fastest.
     */
    private static void decode(InputStream in, String name, NpyHeader h, NpyDtype dtype, float[] out) throws IOException {
        int[] shape = h.shape();
        int[] stride = new int[shape.length]; // C order: the last index fastest
        stride[shape.length - 1] = 1;
        for (int d = shape.length - 2; d >= 0; d--) stride[d] = stride[d + 1] * shape[d + 1];
        int[] index = new int[shape.length];
        boolean fortran = h.fortranOrder() && shape.length > 1;
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(dtype.order());
        int dest = 0;
        for (int k = 0; k < out.length; ) {
            int want = (int) Math.min((long) (out.length - k) * dtype.size(), CHUNK);
            int got = in.readNBytes(chunk.array(), 0, want);
            if (got < want) {
                throw new IOException(name + " is truncated: shape " + h.shapeText() + " of dtype '" + h.descr() + "' needs "
                        + out.length * (long) dtype.size() + " data bytes, it has " + ((long) k * dtype.size() + got));
            }
            chunk.clear().limit(want);
            for (int j = want / dtype.size(); j > 0; j--, k++) {
                if (!fortran) dest = k;
                if (dtype.isInteger()) {
                    long v = dtype.integer(chunk);
                    boolean wrapped = dtype.kind() == 'u' && v < 0; // a uint64 of 2^63 or more
                    if (wrapped || v < -NdArray.MAX_EXACT_INTEGER || v > NdArray.MAX_EXACT_INTEGER) {
                        throw inexact(name, h, dtype, v, dest);
                    }
                    out[dest] = v;
                } else {
                    out[dest] = dtype.floating(chunk);
                }
                if (fortran) {
                    for (int d = 0; d < shape.length; d++) {
                        dest += stride[d];
                        if (++index[d] < shape[d]) break;
                        dest -= stride[d] * shape[d];
                        index[d] = 0;
                    }
                }
            }
        }
    }

    private static IOException inexact(String name, NpyHeader h, NpyDtype dtype, long v, int offset) {
        int[] shape = h.shape();
        int[] index = new int[shape.length]; // the C-order offset back to numpy's index
        for (int d = shape.length - 1, rest = offset; d >= 0; rest /= shape[d], d--) index[d] = rest % shape[d];
        String value = dtype.kind() == 'u' ? Long.toUnsignedString(v) : Long.toString(v);
        return new IOException(name + ": value " + value + " at index " + Arrays.toString(index) + " is beyond ±2^24 (" + NdArray.MAX_EXACT_INTEGER
                + "), where float32 stops holding every integer exactly; convert in numpy first if rounding is fine"
                + " (a.astype('float32'))");
    }

    /**
     * Refuses an array whose float32 values would not fit the free heap: an IOException rather
     * than an OutOfMemoryError, whatever size a header or a zip entry claims.
     */
    private static void checkHeap(String name, NpyHeader h) throws IOException {
        long needed = 4 * h.count() + CHUNK;
        if (needed <= freeHeap()) return;
        System.gc(); // rare: only for arrays near the heap's size; garbage must not count as used
        if (needed <= freeHeap()) return;
        throw new IOException(name + ": shape " + h.shapeText() + " needs " + needed + " bytes of Java heap as float32, more"
                + " than the " + freeHeap() + " free (raise -Xmx, now " + Runtime.getRuntime().maxMemory() + " bytes)");
    }

    private static long freeHeap() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }
}
