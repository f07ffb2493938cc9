package dev.sinew.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader on files we build byte by byte: valid ones, and every way one can be broken. */
class IdxTest {

    /** An unsigned-byte IDX file with the given dimensions and data. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        return b.put(data).array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    static IdxFormatException rejects(byte[] file, String... fragments) {
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(new ByteArrayInputStream(file), "f.idx"));
        System.out.println("rejected: " + e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), e.getMessage());
        return e;
    }

    @Test
    void readsRawAndGzip() throws IOException {
        byte[] data = {0, 1, 2, 3, 4, 5, (byte) 200, (byte) 255, 9, 10, 11, 12};
        byte[] raw = idx(new int[] {3, 2, 2}, data);
        for (byte[] file : new byte[][] {raw, gzip(raw)}) {
            Idx.Array a = Idx.read(new ByteArrayInputStream(file), "t");
            assertArrayEquals(new int[] {3, 2, 2}, a.dims());
            assertEquals(3, a.count());
            assertEquals(4, a.itemSize());
            assertEquals(255, a.get(1, 3));
            assertEquals(200, a.get(1, 2));
        }
    }

    @Test
    void rejectsBrokenFiles() throws IOException {
        byte[] good = idx(new int[] {2, 3}, new byte[6]);
        rejects(new byte[] {0, 0}, "too short");
        byte[] magic = good.clone();
        magic[0] = 7;
        rejects(magic, "not an IDX file");
        byte[] type = good.clone();
        type[2] = 0x0D;
        rejects(type, "0x0d", "not supported");
        byte[] rank = good.clone();
        rank[3] = 0;
        rejects(rank, "1 to 4 dimensions");
        rejects(idx(new int[] {2, 0}, new byte[0]), "dimension 1 is 0");
        rejects(Arrays.copyOf(good, good.length - 2), "truncated", "need 6 data bytes", "has 4");
        rejects(Arrays.copyOf(good, good.length + 1), "data beyond");
        byte[] gz = gzip(good);
        rejects(Arrays.copyOf(gz, gz.length - 10), "corrupt or truncated gzip");
        byte[] flipped = gz.clone();
        flipped[12] ^= 0x5A;
        assertThrows(IdxFormatException.class, () -> Idx.read(new ByteArrayInputStream(flipped), "flipped.gz"));
    }

    /**
     * Issue 9, A8: 12 bytes declaring 32767 x 65535 images (2 GB) are "truncated" at once, without
     * first allocating the 2 GB (which ran out of the tests' 2 GB heap): from a file the size is
     * compared with the file's, from a stream (or gzip) the data is read as it comes.
     */
    @Test
    void aHugeDeclaredSizeIsRejectedWithoutAllocatingIt(@TempDir Path dir) throws IOException {
        byte[] header = ByteBuffer.allocate(12).put(new byte[] {0, 0, 8, 2}).putInt(32767).putInt(65535).array();
        for (boolean gz : new boolean[] {false, true}) {
            byte[] file = gz ? gzip(header) : header;
            String name = gz ? "huge.gz" : "huge";
            write(dir, name, file);
            for (int run = 0; run < 3; run++) { // three in a row: one allocation of 2 GB would not fit twice
                IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(dir.resolve(name)));
                assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("2147385345 data bytes")
                        && e.getMessage().contains("has 0"), e.getMessage());
                rejects(file, "truncated", "[32767, 65535]", "has 0");
            }
            System.out.println("rejected: " + assertThrows(IdxFormatException.class, () -> Idx.read(dir.resolve(name))).getMessage());
        }
        // The same with some data present: the message counts what was there.
        byte[] some = ByteBuffer.allocate(12 + 5000).put(header).array();
        rejects(some, "truncated", "has 5000");
        rejects(gzip(some), "truncated", "has 5000");
    }

    @Test
    void largeFilesStillReadInChunks(@TempDir Path dir) throws IOException {
        // 3 MB of data: more than one read chunk, from a file, a stream and gzip.
        byte[] data = new byte[3 * 1000 * 1024 + 7];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31 + (i >> 10));
        byte[] raw = idx(new int[] {3, 1000 * 1024 + 7 - 4, 1}, Arrays.copyOf(data, 3 * (1000 * 1024 + 3)));
        write(dir, "big", raw);
        write(dir, "big.gz", gzip(raw));
        for (Idx.Array a : new Idx.Array[] {Idx.read(dir.resolve("big")), Idx.read(dir.resolve("big.gz")),
                Idx.read(new ByteArrayInputStream(raw), "big"), Idx.read(new ByteArrayInputStream(gzip(raw)), "big.gz")}) {
            assertArrayEquals(Arrays.copyOf(data, 3 * (1000 * 1024 + 3)), a.data());
        }
    }

    @Test
    void aDirectoryOfFilesBecomesScaledOneHotData(@TempDir Path dir) throws IOException {
        write(dir, "train-images-idx3-ubyte.gz", gzip(idx(new int[] {2, 2, 2}, new byte[] {0, (byte) 255, 51, 102, 1, 2, 3, 4})));
        write(dir, "train-labels-idx1-ubyte", idx(new int[] {2}, new byte[] {9, 0}));
        write(dir, "t10k-images-idx3-ubyte", idx(new int[] {1, 2, 2}, new byte[] {5, 6, 7, 8}));
        write(dir, "t10k-labels-idx1-ubyte.gz", gzip(idx(new int[] {1}, new byte[] {3})));
        TrainTest d = Datasets.loadMnistFormat(dir);
        assertEquals(2, d.train().size());
        assertEquals(4, d.train().features());
        assertArrayEquals(new float[] {0, 1, 0.2f, 0.4f}, d.train().x()[0], 1e-7f);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, d.train().y()[0]);
        assertArrayEquals(new int[] {9, 0}, d.train().labels());
        assertArrayEquals(new int[] {3}, d.test().labels());
    }

    @Test
    void mismatchedCountsAndBadLabelsAreRejected(@TempDir Path dir) throws IOException {
        write(dir, "train-images-idx3-ubyte", idx(new int[] {2, 2, 2}, new byte[8]));
        write(dir, "train-labels-idx1-ubyte", idx(new int[] {3}, new byte[] {1, 2, 3}));
        write(dir, "t10k-images-idx3-ubyte", idx(new int[] {1, 2, 2}, new byte[4]));
        write(dir, "t10k-labels-idx1-ubyte", idx(new int[] {1}, new byte[] {12}));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Datasets.loadMnistFormat(dir));
        assertTrue(e.getMessage().contains("2 images but 3 labels"), e.getMessage());
        write(dir, "train-labels-idx1-ubyte", idx(new int[] {2}, new byte[] {1, 2}));
        e = assertThrows(IdxFormatException.class, () -> Datasets.loadMnistFormat(dir));
        assertTrue(e.getMessage().contains("label 12 at row 0 is not a class index in [0, 10)"), e.getMessage());
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        e = assertThrows(IdxFormatException.class, () -> Datasets.loadMnistFormat(dir));
        assertTrue(e.getMessage().contains("no t10k-labels-idx1-ubyte"), e.getMessage());
    }

    static void write(Path dir, String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
    }
}
