package dev.sinew.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the binary version of CIFAR-10 ({@code cifar-10-binary.tar.gz}): 60,000 32x32 colour
 * images in 10 classes, 50,000 for training in {@code data_batch_1.bin} to {@code data_batch_5.bin}
 * and 10,000 for testing in {@code test_batch.bin}.
 *
 * <p>Each batch is a run of 3,073-byte records: the label (0..9), then the 1,024 red values of the
 * image row by row, then the 1,024 green, then the 1,024 blue. Keras delivers images channels-last,
 * shape (32, 32, 3), so each record is transposed to height, width, channel order: value
 * {@code c*1024 + h*32 + w} of the record goes to {@code (h*32 + w)*3 + c} of the row, scaled to
 * [0, 1]. Labels become one-hot rows.
 */
final class Cifar10 {
    static final String ARCHIVE = "cifar-10-binary.tar.gz";
    /** The folder the archive unpacks to. */
    static final String FOLDER = "cifar-10-batches-bin";
    static final String[] TRAIN = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
        "data_batch_5.bin"};
    static final String TEST = "test_batch.bin";
    static final int SIDE = 32, CHANNELS = 3, PIXELS = SIDE * SIDE, VALUES = PIXELS * CHANNELS, RECORD = 1 + VALUES;

    private Cifar10() {}

    /** One batch file: images as channels-last rows in [0, 1], and their labels. */
    private record Batch(List<float[]> x, List<Integer> labels) {}

    /** Whether {@code dir} holds the archive, or the six batch files (in it or in its cifar-10-batches-bin). */
    static boolean holds(Path dir) {
        return Files.isRegularFile(dir.resolve(ARCHIVE)) || batchDir(dir) != null;
    }

    /**
     * CIFAR-10 from {@code path}: the archive itself, a directory holding it, or a directory of the
     * six batch files (or the one holding their cifar-10-batches-bin).
     */
    static TrainTest read(Path path) throws IOException {
        if (Files.isRegularFile(path)) return readArchive(path);
        if (Files.isRegularFile(path.resolve(ARCHIVE))) return readArchive(path.resolve(ARCHIVE));
        Path batches = batchDir(path);
        if (batches == null) {
            throw new IOException("no CIFAR-10 in " + path + ": expected " + ARCHIVE + ", or " + String.join(", ", TRAIN)
                    + " and " + TEST + " (in it or in " + FOLDER + "/)");
        }
        Map<String, Batch> found = new HashMap<>();
        for (String name : names()) {
            Path file = batches.resolve(name);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                found.put(name, batch(in, Files.size(file), file.toString()));
            }
        }
        return assemble(found, path.toString());
    }

    private static TrainTest readArchive(Path archive) throws IOException {
        Map<String, Batch> found = new HashMap<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16)) {
            Tar tar = new Tar(in, archive.toString());
            for (Tar.Entry e; (e = tar.next()) != null; ) {
                String base = e.name().substring(e.name().lastIndexOf('/') + 1);
                if (e.regular() && isBatch(base)) found.put(base, batch(tar.body(), e.size(), archive + ":" + e.name()));
            }
        } catch (ZipException | EOFException e) {
            throw new IOException(archive + " is a corrupt or truncated gzip file: " + e.getMessage(), e);
        }
        for (String name : names()) {
            if (!found.containsKey(name)) {
                throw new IOException(archive + " has no " + name + "; a CIFAR-10 binary archive holds "
                        + String.join(", ", TRAIN) + " and " + TEST);
            }
        }
        return assemble(found, archive.toString());
    }

    private static TrainTest assemble(Map<String, Batch> batches, String source) throws IOException {
        List<float[]> x = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String name : TRAIN) {
            x.addAll(batches.get(name).x());
            labels.addAll(batches.get(name).labels());
        }
        Batch test = batches.get(TEST);
        return new TrainTest(dataset(x, labels), dataset(test.x(), test.labels()), source);
    }

    private static Dataset dataset(List<float[]> x, List<Integer> labels) {
        int[] l = labels.stream().mapToInt(Integer::intValue).toArray();
        return new Dataset(x.toArray(float[][]::new), Datasets.oneHot(l, Datasets.CLASSES));
    }

    /**
     * The records of one batch of {@code size} bytes. Rows are made as records arrive, so a header
     * claiming more than is there costs no memory.
     */
    private static Batch batch(InputStream in, long size, String name) throws IOException {
        if (size == 0 || size % RECORD != 0) {
            throw new IOException(name + " has " + size + " bytes; a CIFAR-10 batch is a whole number of " + RECORD
                    + "-byte records (a label and 32x32x3 values)");
        }
        List<float[]> x = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        byte[] record = new byte[RECORD];
        for (long i = 0; i < size / RECORD; i++) {
            int got = in.readNBytes(record, 0, RECORD);
            if (got < RECORD) {
                throw new IOException(name + " is truncated: record " + i + " of " + size / RECORD + " has " + got
                        + " of " + RECORD + " bytes");
            }
            int label = record[0] & 0xFF;
            if (label >= Datasets.CLASSES) {
                throw new IOException(name + ": record " + i + " has label " + label + "; CIFAR-10 labels are 0..9");
            }
            float[] row = new float[VALUES];
            for (int c = 0; c < CHANNELS; c++) {
                for (int p = 0; p < PIXELS; p++) row[p * CHANNELS + c] = (record[1 + c * PIXELS + p] & 0xFF) / 255f;
            }
            x.add(row);
            labels.add(label);
        }
        return new Batch(x, labels);
    }

    private static Path batchDir(Path dir) {
        for (Path d : new Path[] {dir, dir.resolve(FOLDER)}) {
            boolean all = true;
            for (String name : names()) all &= Files.isRegularFile(d.resolve(name));
            if (all) return d;
        }
        return null;
    }

    private static boolean isBatch(String name) {
        for (String n : names()) if (n.equals(name)) return true;
        return false;
    }

    private static String[] names() {
        String[] all = java.util.Arrays.copyOf(TRAIN, TRAIN.length + 1);
        all[TRAIN.length] = TEST;
        return all;
    }
}
