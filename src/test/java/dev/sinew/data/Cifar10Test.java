package dev.sinew.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CIFAR-10's binary format on a small archive made here: 2 records in each training batch and 3 in
 * the test batch, laid out as the real archive (cifar-10-batches-bin/ with a readme and the class
 * names beside the batches), read from the archive, from its folder and unpacked.
 */
class Cifar10Test {

    /** Value of channel c at row h, column w of record r: distinct enough to catch a wrong transpose. */
    static int value(int r, int c, int h, int w) {
        return (r * 11 + c * 80 + h * 3 + w * 5) & 0xFF;
    }

    /** A batch of {@code n} records, numbered from {@code first}; record r has label r % 10. */
    static byte[] batch(int first, int n) {
        byte[] b = new byte[n * Cifar10.RECORD];
        for (int i = 0; i < n; i++) {
            int r = first + i, at = i * Cifar10.RECORD;
            b[at] = (byte) (r % 10);
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 32; h++) {
                    for (int w = 0; w < 32; w++) b[at + 1 + c * 1024 + h * 32 + w] = (byte) value(r, c, h, w);
                }
            }
        }
        return b;
    }

    /** The six batch files (records 0-9 for training, 10-12 for testing) and the archive's other files. */
    static Map<String, byte[]> members() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("cifar-10-batches-bin/", null); // a directory entry
        m.put("cifar-10-batches-bin/batches.meta.txt", "airplane\nautomobile\n".getBytes(StandardCharsets.US_ASCII));
        m.put("cifar-10-batches-bin/test_batch.bin", batch(10, 3)); // not in order: the reader must not care
        for (int k = 1; k <= 5; k++) m.put("cifar-10-batches-bin/data_batch_" + k + ".bin", batch(2 * (k - 1), 2));
        m.put("cifar-10-batches-bin/readme.html", "<html></html>".getBytes(StandardCharsets.US_ASCII));
        return m;
    }

    /**
     * A gzip'd ustar archive of {@code members} (a null body is a directory); a name longer than
     * 100 bytes goes first in a GNU long-name entry, as GNU tar writes it.
     */
    static byte[] tarGz(Map<String, byte[]> members) {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : members.entrySet()) {
            String name = e.getKey();
            if (name.length() > 100) entry(tar, "././@LongLink", 'L', (name + "\0").getBytes(StandardCharsets.US_ASCII));
            entry(tar, name.substring(0, Math.min(100, name.length())), e.getValue() == null ? '5' : '0', e.getValue());
        }
        tar.writeBytes(new byte[1024]);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return gz.toByteArray();
    }

    private static void entry(ByteArrayOutputStream tar, String name, char type, byte[] content) {
        byte[] body = content == null ? new byte[0] : content;
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", body.length));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte x : h) sum += x & 0xFF;
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        tar.writeBytes(h);
        tar.writeBytes(body);
        tar.writeBytes(new byte[(512 - body.length % 512) % 512]);
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    /** The data {@link #members} hold, as loaded: 10 training and 3 test images, channels last. */
    static void checkLoaded(TrainTest t) {
        assertEquals(10, t.train().size());
        assertEquals(3, t.test().size());
        assertEquals(32 * 32 * 3, t.train().features());
        assertEquals(10, t.train().targets());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, t.train().labels());
        assertArrayEquals(new int[] {0, 1, 2}, t.test().labels()); // records 10, 11, 12
        // Record 3 (batch 2's second), row 1, column 2, blue: value(3, 2, 1, 2) = 33 + 160 + 3 + 10 = 206,
        // at (1*32 + 2)*3 + 2 = 104 of the row.
        assertEquals(206 / 255f, t.train().x()[3][104]);
        for (int r = 0; r < 13; r++) {
            float[] row = r < 10 ? t.train().x()[r] : t.test().x()[r - 10];
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 32; h++) {
                    for (int w = 0; w < 32; w++) {
                        assertEquals(value(r, c, h, w) / 255f, row[(h * 32 + w) * 3 + c], "record " + r + " c" + c + " h" + h + " w" + w);
                    }
                }
            }
        }
    }

    @Test
    void theArchiveIsReadChannelsLast(@TempDir Path dir) throws IOException {
        Path archive = dir.resolve(Cifar10.ARCHIVE);
        Files.write(archive, tarGz(members()));
        checkLoaded(Datasets.cifar10(archive));
        TrainTest fromFolder = Datasets.cifar10(dir);
        checkLoaded(fromFolder);
        assertEquals(archive.toString(), fromFolder.source());
    }

    @Test
    void longNamesAreFollowed(@TempDir Path dir) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        String deep = "a-mirror-that-repacked-the-archive/" + "with/a/very/deep/folder/".repeat(4) + "cifar-10-batches-bin/";
        members().forEach((name, body) -> m.put(name.replace("cifar-10-batches-bin/", deep), body));
        assertTrue(deep.length() > 100);
        Path archive = dir.resolve(Cifar10.ARCHIVE);
        Files.write(archive, tarGz(m));
        checkLoaded(Datasets.cifar10(archive));
    }

    @Test
    void unpackedBatchesAreReadToo(@TempDir Path dir) throws IOException {
        Path batches = Files.createDirectories(dir.resolve(Cifar10.FOLDER));
        for (Map.Entry<String, byte[]> e : members().entrySet()) {
            if (e.getValue() != null) Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        checkLoaded(Datasets.cifar10(dir));
        checkLoaded(Datasets.cifar10(batches));
    }

    @Test
    void damagedArchivesAreRejectedWithTheFileNamed(@TempDir Path dir) throws IOException {
        Path archive = dir.resolve(Cifar10.ARCHIVE);
        byte[] good = tarGz(members());
        Files.write(archive, Arrays.copyOf(good, good.length / 2));
        IOException e = assertThrows(IOException.class, () -> Datasets.cifar10(archive));
        assertTrue(e.getMessage().startsWith(archive + " is a corrupt or truncated gzip file"), e.getMessage());

        Map<String, byte[]> m = members();
        m.remove("cifar-10-batches-bin/data_batch_4.bin");
        Files.write(archive, tarGz(m));
        e = assertThrows(IOException.class, () -> Datasets.cifar10(archive));
        assertTrue(e.getMessage().contains(archive + " has no data_batch_4.bin"), e.getMessage());

        m = members();
        m.put("cifar-10-batches-bin/test_batch.bin", Arrays.copyOf(batch(10, 3), 3 * Cifar10.RECORD - 1));
        Files.write(archive, tarGz(m));
        e = assertThrows(IOException.class, () -> Datasets.cifar10(archive));
        assertTrue(e.getMessage().contains("test_batch.bin has 9218 bytes; a CIFAR-10 batch is a whole number of 3073-byte"),
                e.getMessage());

        m = members();
        byte[] badLabel = batch(0, 2);
        badLabel[Cifar10.RECORD] = 10;
        m.put("cifar-10-batches-bin/data_batch_1.bin", badLabel);
        Files.write(archive, tarGz(m));
        e = assertThrows(IOException.class, () -> Datasets.cifar10(archive));
        assertTrue(e.getMessage().contains("data_batch_1.bin: record 1 has label 10; CIFAR-10 labels are 0..9"), e.getMessage());

        ByteArrayOutputStream notTar = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(notTar)) {
            out.write("this is no tar archive. ".repeat(40).getBytes(StandardCharsets.US_ASCII));
        }
        Files.write(archive, notTar.toByteArray());
        e = assertThrows(IOException.class, () -> Datasets.cifar10(archive));
        assertTrue(e.getMessage().startsWith(archive + " is not a tar archive or is corrupt: a header's checksum field is '"),
                e.getMessage());
        byte[] tar = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(good)).readAllBytes();
        ByteArrayOutputStream cut = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(cut)) {
            out.write(tar, 0, 5000); // a whole gzip stream of half a tar: ends inside an entry
        }
        Files.write(archive, cut.toByteArray());
        e = assertThrows(IOException.class, () -> Datasets.cifar10(archive));
        assertEquals(archive + " is truncated inside an entry", e.getMessage());
        tar[3] ^= 1; // a changed file name: the header's checksum no longer adds up
        ByteArrayOutputStream changed = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(changed)) {
            out.write(tar);
        }
        Files.write(archive, changed.toByteArray());
        e = assertThrows(IOException.class, () -> Datasets.cifar10(archive));
        assertTrue(e.getMessage().matches(".* is not a tar archive or is corrupt: a header's checksum is \\d+ but its bytes add up to \\d+"),
                e.getMessage());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        e = assertThrows(IOException.class, () -> Datasets.cifar10(empty));
        assertTrue(e.getMessage().startsWith("no CIFAR-10 in " + empty + ": expected cifar-10-binary.tar.gz, or data_batch_1.bin"),
                e.getMessage());
    }
}
