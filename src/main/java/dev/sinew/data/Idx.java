package dev.sinew.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST, gzip-compressed or raw.
 *
 * <p>Layout (big-endian): two zero bytes, a type byte ({@code 0x08} = unsigned byte, the only
 * type these data sets use), a byte with the number of dimensions, one 32-bit size per
 * dimension, then the data, row-major. Everything is checked: magic, type, dimensions, and that
 * the data is exactly as long as the dimensions say. Memory follows the data actually present,
 * not what the header claims: a file's size is compared with its dimensions before anything is
 * allocated, and a stream (or gzip) is read in chunks.
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;
    private static final int CHUNK = 1 << 20;

    private Idx() {}

    /** An IDX array of unsigned bytes: its dimensions and its data (as stored, 0..255 in Java bytes). */
    public record Array(int[] dims, byte[] data) {
        /** The first dimension: number of items (images or labels). */
        public int count() {
            return dims[0];
        }

        /** Values per item: the product of the other dimensions (784 for a 28x28 image, 1 for a label). */
        public int itemSize() {
            int s = 1;
            for (int i = 1; i < dims.length; i++) s *= dims[i];
            return s;
        }

        /** Value {@code j} of item {@code i}, as 0..255. */
        public int get(int i, int j) {
            return data[i * itemSize() + j] & 0xFF;
        }
    }

    /** Reads an IDX file; gzip is recognised by its magic bytes, whatever the file is called. */
    public static Array read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IdxFormatException("IDX file " + file + " does not exist or is not a file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), Files.size(file));
        }
    }

    /** Reads IDX from a stream (gzip or raw); {@code name} is used in error messages. */
    public static Array read(InputStream raw, String name) throws IOException {
        return read(raw, name, -1);
    }

    /** {@code fileSize}: the raw stream's length if known, else -1. */
    private static Array read(InputStream raw, String name, long fileSize) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read(), b1 = buffered.read();
        buffered.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        try {
            InputStream in = gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered;
            // Compressed, the file's size says nothing about the data's.
            return parse(new DataInputStream(in), name, gzip ? -1 : fileSize);
        } catch (ZipException | EOFException e) {
            if (e instanceof IdxFormatException) throw e;
            throw new IdxFormatException(name + " is " + (gzip ? "a corrupt or truncated gzip file" : "truncated")
                    + ": " + e.getMessage(), e);
        }
    }

    private static Array parse(DataInputStream in, String name, long fileSize) throws IOException {
        byte[] magic = new byte[4];
        int got = in.readNBytes(magic, 0, 4);
        if (got < 4) throw new IdxFormatException(name + " is too short to be an IDX file (" + got + " bytes)");
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IdxFormatException(name + " is not an IDX file: it starts with bytes "
                    + String.format("%02x %02x", magic[0], magic[1]) + ", not 00 00");
        }
        if ((magic[2] & 0xFF) != UNSIGNED_BYTE) {
            throw new IdxFormatException(name + ": IDX data type 0x" + String.format("%02x", magic[2])
                    + " is not supported; MNIST-format files use 0x08 (unsigned byte)");
        }
        int rank = magic[3] & 0xFF;
        if (rank < 1 || rank > 4) {
            throw new IdxFormatException(name + ": IDX files here have 1 to 4 dimensions, this one says " + rank);
        }
        int[] dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = in.readInt();
            if (dims[i] <= 0) {
                throw new IdxFormatException(name + ": dimension " + i + " is " + Integer.toUnsignedString(dims[i])
                        + "; every dimension must be positive");
            }
            total *= dims[i];
            if (total > Integer.MAX_VALUE - 16) {
                throw new IdxFormatException(name + ": dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                        + " describe more than 2 GB of data");
            }
        }
        // A 12-byte header can claim 2 GB: believe it only as far as the data is really there.
        long present = fileSize - (4 + 4L * rank);
        if (fileSize >= 0 && present < total) throw truncated(name, dims, total, present);
        byte[] data = fileSize >= 0 ? new byte[(int) total] : null;
        long read = data != null ? in.readNBytes(data, 0, data.length) : 0;
        if (data == null) {
            List<byte[]> chunks = readUpTo(in, total);
            for (byte[] c : chunks) read += c.length;
            if (read == total) data = concat(chunks, (int) total);
        }
        if (read < total) throw truncated(name, dims, total, read);
        if (in.read() != -1) {
            throw new IdxFormatException(name + " has data beyond the " + data.length + " bytes its dimensions "
                    + Arrays.toString(dims) + " describe");
        }
        return new Array(dims, data);
    }

    private static IdxFormatException truncated(String name, int[] dims, long need, long has) {
        return new IdxFormatException(name + " is truncated: dimensions " + Arrays.toString(dims) + " need " + need
                + " data bytes, the file has " + has);
    }

    /** Up to {@code n} bytes in chunks of at most {@link #CHUNK}, allocated only as data arrives. */
    private static List<byte[]> readUpTo(InputStream in, long n) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        for (long left = n; left > 0; ) {
            byte[] c = new byte[(int) Math.min(CHUNK, left)];
            int got = in.readNBytes(c, 0, c.length);
            chunks.add(got == c.length ? c : Arrays.copyOf(c, got));
            if (got < c.length) break;
            left -= got;
        }
        return chunks;
    }

    private static byte[] concat(List<byte[]> chunks, int total) {
        if (chunks.size() == 1) return chunks.getFirst();
        byte[] all = new byte[total];
        int at = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, all, at, c.length);
            at += c.length;
        }
        return all;
    }
}
