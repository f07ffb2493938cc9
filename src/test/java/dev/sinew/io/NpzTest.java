package dev.sinew.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.data.NdArray;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npz: round trips both ways of writing, and zips that lie about their sizes, CRCs or contents. */
class NpzTest {
    @TempDir
    Path dir;

    static Map<String, NdArray> arrays() {
        Map<String, NdArray> m = new LinkedHashMap<>();
        m.put("x_train", NdArray.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4));
        m.put("y_train", NdArray.labels(new int[] {2, 0, 1}));
        m.put("images", NdArray.of(new float[2][2][2][3]));
        return m;
    }

    /** A zip holding {@code content} as one entry, written by java.util.zip. */
    static byte[] zip(String entry, byte[] content, boolean deflated) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            ZipEntry e = new ZipEntry(entry);
            if (!deflated) {
                CRC32 crc = new CRC32();
                crc.update(content);
                e.setMethod(ZipEntry.STORED);
                e.setSize(content.length);
                e.setCrc(crc.getValue());
            }
            z.putNextEntry(e);
            z.write(content);
            z.closeEntry();
        }
        return bytes.toByteArray();
    }

    /**
     * Overwrites a 4-byte field of the (only) central directory entry: 16 is the CRC, 24 the
     * uncompressed size, which ZipFile reports as the entry's size.
     */
    static byte[] patchCentral(byte[] zip, int field, long value) {
        byte[] out = zip.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= out.length; i++) {
            if (b.getInt(i) == 0x02014b50) {
                b.putInt(i + field, (int) value);
                return out;
            }
        }
        throw new AssertionError("no central directory entry");
    }

    /** Throws unless {@code bytes}, as a file, fail Npz.load with an IOException (nothing else) naming the file and holding every fragment. */
    void rejected(byte[] bytes, String... fragments) throws IOException {
        Path file = dir.resolve("w.npz");
        Files.write(file, bytes);
        Throwable t = null;
        try {
            Npz.load(file);
        } catch (Throwable e) {
            t = e;
        }
        if (!(t instanceof IOException e)) throw new AssertionError("expected an IOException, got " + t, t);
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }

    @Test
    void saveAndSaveCompressedRoundTripInOrder() throws IOException {
        Path stored = dir.resolve("a.npz"), deflated = dir.resolve("b.npz");
        Npz.save(stored, arrays());
        Npz.saveCompressed(deflated, arrays());
        for (Path p : List.of(stored, deflated)) {
            Map<String, NdArray> back = Npz.load(p);
            assertEquals(List.of("x_train", "y_train", "images"), List.copyOf(back.keySet()));
            assertEquals(arrays(), back);
        }
        try (ZipFile z = new ZipFile(stored.toFile()); ZipFile c = new ZipFile(deflated.toFile())) {
            assertEquals(ZipEntry.STORED, z.getEntry("x_train.npy").getMethod());
            assertEquals(ZipEntry.DEFLATED, c.getEntry("x_train.npy").getMethod());
            // each entry is the .npy Npy.save writes
            assertArrayEquals(Npy.write(new int[] {3}, new float[] {2, 0, 1}), z.getInputStream(z.getEntry("y_train.npy")).readAllBytes());
        }
        byte[] first = Files.readAllBytes(deflated);
        Npz.saveCompressed(deflated, arrays());
        assertArrayEquals(first, Files.readAllBytes(deflated)); // the same arrays, the same bytes
        Npz.save(stored, Map.of());
        assertEquals(Map.of(), Npz.load(stored));
    }

    @Test
    void badArgumentsToSave() {
        Path p = dir.resolve("c.npz");
        assertThrows(IllegalArgumentException.class, () -> Npz.save(p, null));
        assertThrows(IllegalArgumentException.class, () -> Npz.save(p, Map.of("", NdArray.labels(new int[] {1}))));
        Map<String, NdArray> withNull = new LinkedHashMap<>();
        withNull.put("x", null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npz.save(p, withNull));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        assertTrue(!Files.exists(p));
    }

    @Test
    void whatIsNotAnNpzOfNpyFilesIsRefused() throws IOException {
        rejected("hello".getBytes(StandardCharsets.US_ASCII), "is not an .npz file");
        rejected(new byte[0], "is not an .npz file");
        rejected(zip("readme.txt", "hi".getBytes(StandardCharsets.US_ASCII), true), "readme.txt is not a .npy array");
        rejected(zip("x.npy", "not numpy".getBytes(StandardCharsets.US_ASCII), false), "x.npy is not a .npy file");
        // two entries of one name: a.npy and b.npy, then b renamed in both its headers
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (String n : List.of("a.npy", "b.npy")) {
                z.putNextEntry(new ZipEntry(n));
                z.write(Npy.write(new int[] {1}, new float[] {1}));
                z.closeEntry();
            }
        }
        String twice = bytes.toString(StandardCharsets.ISO_8859_1).replace("b.npy", "a.npy");
        rejected(twice.getBytes(StandardCharsets.ISO_8859_1), "a.npy appears twice");
    }

    @Test
    void anEntrysDeclaredSizeMustBeWhatItsHeaderImplies() throws IOException {
        byte[] npy = Npy.write(new int[] {4}, new float[] {1, 2, 3, 4});
        for (boolean deflated : new boolean[] {true, false}) {
            rejected(patchCentral(zip("x.npy", npy, deflated), 24, npy.length + 1), "x.npy", "needs 16 data bytes, the file has 17");
        }
    }

    @Test
    void aZipBombStopsAtItsDeclaredSize() throws IOException {
        // 10 MB of zeros inflate from about 10 KB; the zip declares only the 10 values the header asks for
        byte[] header = NpyTest.withDescr("<f4", "(10,)", 0);
        byte[] content = Arrays.copyOf(header, header.length + (10 << 20));
        rejected(patchCentral(zip("x.npy", content, true), 24, header.length + 40), "x.npy has more data than shape (10,) needs");
    }

    @Test
    void anHonestButHugeEntryIsRefusedBeforeItIsAllocated() throws IOException {
        // The header and the declared size agree on 2e9 uint8 values (8 GB as float32), the data is absent
        byte[] header = NpyTest.withDescr("|u1", "(2000000000,)", 0);
        rejected(patchCentral(zip("x.npy", header, true), 24, header.length + 2_000_000_000L), "x.npy", "bytes of Java heap");
    }

    @Test
    void aWrongCrcIsRefused() throws IOException {
        byte[] npy = Npy.write(new int[] {4}, new float[] {1, 2, 3, 4});
        rejected(patchCentral(zip("x.npy", npy, true), 16, 0x12345678), "x.npy: CRC mismatch");
    }

    @Test
    void truncatedOrDamagedGoldenFilesAreIOExceptions() throws IOException {
        SplittableRandom rnd = new SplittableRandom(11);
        Path file = dir.resolve("m.npz");
        for (String golden : List.of("savez.npz", "savez_compressed.npz")) {
            byte[] whole = Files.readAllBytes(NpyGoldenTest.golden(golden));
            for (int n = 0; n < whole.length; n++) rejected(Arrays.copyOf(whole, n));
            // random bytes changed: read or refused with an IOException, nothing else
            int refused = 0;
            for (int round = 0; round < 1000; round++) {
                byte[] m = whole.clone();
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) m[rnd.nextInt(m.length)] ^= (byte) (1 + rnd.nextInt(255));
                Files.write(file, m);
                try {
                    Npz.load(file);
                } catch (IOException e) {
                    refused++;
                }
            }
            System.out.println(golden + ": " + refused + " of 1000 damaged copies refused, the others read");
            assertTrue(refused > 500, refused + " of 1000 damaged copies of " + golden + " refused");
        }
    }
}
