package dev.sinew.io;

import dev.sinew.data.NdArray;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * numpy's {@code .npz}: a zip of {@code .npy} files, one per named array, as {@code np.savez}
 * (stored) and {@code np.savez_compressed} (deflated) write them and {@code np.load} reads them.
 *
 * <pre>
 *   Map&lt;String, NdArray&gt; d = Npz.load(Path.of("mnist.npz"));   // np.savez(f, x_train=..., y_train=...)
 *   NdArray x = d.get("x_train"), y = d.get("y_train");
 *   Npz.saveCompressed(Path.of("out.npz"), Map.of("x", x, "y", y));
 * </pre>
 *
 * Each array is read as {@link Npy#load} reads one (any numeric dtype, as float32). The file is
 * untrusted: a zip entry's declared size must be exactly what its {@code .npy} header implies,
 * that size is checked against the free heap before anything is allocated, an entry is never
 * inflated past it (so a zip bomb stops at its first lie), and its CRC is checked.
 */
public final class Npz {
    private Npz() {}

    /** The arrays of an {@code .npz}, in the file's order, named as in numpy (the entry name without {@code .npy}). */
    public static Map<String, NdArray> load(Path file) throws IOException {
        if (file.getFileSystem() != FileSystems.getDefault()) {
            throw new IOException("cannot load " + file + ": .npz files are read from the default file system only");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException | EOFException | RuntimeException e) {
            throw new IOException(file + " is not an .npz file: not a zip archive, or a truncated or corrupt one ("
                    + e.getMessage() + ")", e);
        }
        try (zip) {
            Map<String, NdArray> arrays = new LinkedHashMap<>();
            for (ZipEntry e : Collections.list(zip.entries())) {
                String name = file + ": " + e.getName();
                if (!e.getName().endsWith(".npy") || e.isDirectory()) {
                    throw new IOException(name + " is not a .npy array (an .npz holds only those)");
                }
                String key = e.getName().substring(0, e.getName().length() - ".npy".length());
                if (arrays.containsKey(key)) throw new IOException(name + " appears twice");
                arrays.put(key, read(zip, e, name));
            }
            return arrays;
        }
    }

    private static NdArray read(ZipFile zip, ZipEntry e, String name) throws IOException {
        CRC32 crc = new CRC32();
        NdArray array;
        // getSize() is what the central directory declares: Npy.read holds the entry to it, and to its header.
        try (CheckedInputStream in = new CheckedInputStream(zip.getInputStream(e), crc)) {
            array = Npy.read(in, name, e.getSize());
        } catch (ZipException | EOFException | RuntimeException ex) {
            // RuntimeException: java.util.zip's, on damage it does not report otherwise; Npy.read throws none
            throw new IOException(name + ": the zip entry is corrupt (" + ex.getMessage() + ")", ex);
        }
        if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
            throw new IOException(String.format("%s: CRC mismatch (the zip says %08x, the data gives %08x): the entry is corrupt",
                    name, e.getCrc(), crc.getValue()));
        }
        return array;
    }

    /** Writes the arrays uncompressed, as {@code np.savez}; each as float32, in the map's order, replacing the file atomically. */
    public static void save(Path file, Map<String, NdArray> arrays) throws IOException {
        write(file, arrays, false);
    }

    /** As {@link #save}, deflated, as {@code np.savez_compressed}. */
    public static void saveCompressed(Path file, Map<String, NdArray> arrays) throws IOException {
        write(file, arrays, true);
    }

    private static void write(Path file, Map<String, NdArray> arrays, boolean compressed) throws IOException {
        if (arrays == null) throw new IllegalArgumentException("the arrays to save to " + file + " are null");
        for (Map.Entry<String, NdArray> a : arrays.entrySet()) {
            if (a.getKey() == null || a.getKey().isEmpty()) throw new IllegalArgumentException("an array name is null or empty");
            if (a.getValue() == null) throw new IllegalArgumentException("array '" + a.getKey() + "' is null");
        }
        AtomicFile.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, NdArray> a : arrays.entrySet()) {
                ZipEntry e = new ZipEntry(a.getKey() + ".npy");
                e.setTimeLocal(LocalDateTime.of(1980, 1, 1, 0, 0)); // the same arrays give the same bytes
                if (compressed) {
                    e.setMethod(ZipEntry.DEFLATED);
                } else {
                    // A stored entry's size and CRC come before its data: one pass to count, one to write.
                    CRC32 crc = new CRC32();
                    CountingStream counter = new CountingStream();
                    Npy.write(new CheckedOutputStream(counter, crc), a.getValue());
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(counter.count);
                    e.setCompressedSize(counter.count);
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                Npy.write(zip, a.getValue());
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /** Counts the bytes written to it, and drops them. */
    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
