package dev.sinew.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads MNIST-format data sets. Fashion-MNIST (10 classes of 28x28 grey clothing images) is
 * found, in this order, in: a directory you give; {@code $SINEW_DATA}; Debian's
 * {@code /usr/share/datasets/fashion-mnist} ({@code apt-get install dataset-fashion-mnist});
 * and otherwise the sample bundled in Sinew's jar (the first 3,000 training and 1,000 test images).
 * Pixels are scaled to [0, 1]; labels become one-hot rows. Nothing is ever downloaded.
 */
public final class Datasets {
    /** Where Debian's dataset-fashion-mnist puts the files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    public static final int CLASSES = 10;
    public static final String[] FASHION_MNIST_CLASSES = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
    };
    private static final String SAMPLE = "/dev/sinew/data/fashion-mnist-sample/";
    private static final String[] FILES = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
    };

    private Datasets() {}

    /** Fashion-MNIST from the first place that has it (see the class comment), else the bundled sample. */
    public static TrainTest fashionMnist() throws IOException {
        return fashionMnist(null);
    }

    /**
     * Fashion-MNIST from {@code dir} if given (it must hold the four files), else as
     * {@link #fashionMnist()}.
     */
    public static TrainTest fashionMnist(Path dir) throws IOException {
        if (dir != null) return loadMnistFormat(dir);
        Path found = findFashionMnist();
        return found != null ? loadMnistFormat(found) : fashionMnistSample();
    }

    /** The first of {@code $SINEW_DATA} and the Debian directory that holds all four files, or null. */
    public static Path findFashionMnist() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("SINEW_DATA");
        if (env != null && !env.isBlank()) candidates.add(Path.of(env));
        candidates.add(DEBIAN_FASHION_MNIST);
        for (Path dir : candidates) {
            if (hasAllFiles(dir)) return dir;
        }
        return null;
    }

    private static boolean hasAllFiles(Path dir) {
        for (String f : FILES) {
            if (resolve(dir, f) == null) return false;
        }
        return true;
    }

    /** {@code name.gz} or {@code name} in dir, or null. */
    private static Path resolve(Path dir, String name) {
        for (String candidate : new String[] {name + ".gz", name}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    /** The four MNIST-format files in {@code dir} (each gzip or raw). */
    public static TrainTest loadMnistFormat(Path dir) throws IOException {
        Idx.Array[] a = new Idx.Array[4];
        for (int i = 0; i < 4; i++) {
            Path p = resolve(dir, FILES[i]);
            if (p == null) {
                throw new IdxFormatException("no " + FILES[i] + "[.gz] in " + dir
                        + " (an MNIST-format directory holds train-/t10k- images and labels)");
            }
            a[i] = Idx.read(p);
        }
        return new TrainTest(toDataset(a[0], a[1], dir + "/train"), toDataset(a[2], a[3], dir + "/t10k"),
                dir.toString());
    }

    /** The Fashion-MNIST sample inside Sinew's jar (3,000 training, 1,000 test images). */
    public static TrainTest fashionMnistSample() {
        try {
            Idx.Array[] a = new Idx.Array[4];
            for (int i = 0; i < 4; i++) {
                String res = SAMPLE + FILES[i] + ".gz";
                try (InputStream in = Datasets.class.getResourceAsStream(res)) {
                    if (in == null) throw new IllegalStateException("bundled sample " + res + " is missing from the jar");
                    a[i] = Idx.read(in, res);
                }
            }
            return new TrainTest(toDataset(a[0], a[1], "sample train"), toDataset(a[2], a[3], "sample test"),
                    "bundled Fashion-MNIST sample");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Images and labels to a data set: pixels / 255, one-hot labels; counts and ranges checked. */
    public static Dataset toDataset(Idx.Array images, Idx.Array labels, String what) throws IdxFormatException {
        if (images.dims().length < 2) {
            throw new IdxFormatException(what + ": images must have at least 2 dimensions (count, pixels...), got "
                    + java.util.Arrays.toString(images.dims()));
        }
        if (labels.dims().length != 1) {
            throw new IdxFormatException(what + ": labels must be 1-dimensional, got " + java.util.Arrays.toString(labels.dims()));
        }
        if (images.count() != labels.count()) {
            throw new IdxFormatException(what + ": " + images.count() + " images but " + labels.count() + " labels");
        }
        int[] l = new int[labels.count()];
        for (int i = 0; i < l.length; i++) l[i] = labels.get(i, 0);
        try {
            return new Dataset(scale(images), oneHot(l, CLASSES));
        } catch (IllegalArgumentException e) {
            throw new IdxFormatException(what + ": " + e.getMessage());
        }
    }

    /**
     * One-hot rows for class indices, as Keras's {@code to_categorical}: row i is all zeros but a
     * 1 at {@code labels[i]}. For {@code categorical_crossentropy}; the sparse losses take the
     * indices themselves.
     */
    public static float[][] oneHot(int[] labels, int classes) {
        if (labels == null) throw new IllegalArgumentException("labels are null");
        if (classes < 1) throw new IllegalArgumentException("classes must be at least 1, got " + classes);
        float[][] y = new float[labels.length][classes];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " at row " + i + " is not a class index in [0, "
                        + classes + ")");
            }
            y[i][labels[i]] = 1;
        }
        return y;
    }

    /** The index of each row's largest value (the first, on ties), as numpy's {@code argmax(axis=-1)}: predicted classes. */
    public static int[] argmax(float[][] rows) {
        if (rows == null) throw new IllegalArgumentException("rows are null");
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length == 0) throw new IllegalArgumentException("row " + i + " is empty");
            int best = 0;
            for (int c = 1; c < rows[i].length; c++) if (rows[i][c] > rows[i][best]) best = c;
            out[i] = best;
        }
        return out;
    }

    /** Each item of an unsigned-byte IDX array as a row of floats in [0, 1]. */
    public static float[][] scale(Idx.Array images) {
        int n = images.count(), size = images.itemSize();
        float[][] x = new float[n][size];
        byte[] d = images.data();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < size; j++) x[i][j] = (d[i * size + j] & 0xFF) / 255f;
        }
        return x;
    }
}
