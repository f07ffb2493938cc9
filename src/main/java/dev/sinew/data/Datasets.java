package dev.sinew.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Loads the classic small image data sets, as {@code keras.datasets.*.load_data()}: pixels scaled to
 * [0, 1], labels as one-hot rows, each as a training and a test part. Each is looked for, in this
 * order, in:
 * <ol>
 *   <li>a directory you give ({@code fashionMnist(dir)}, {@code --data DIR});</li>
 *   <li>{@code $SINEW_DATA/<folder>} (fashion-mnist, mnist, cifar-10), and for Fashion-MNIST
 *       {@code $SINEW_DATA} itself;</li>
 *   <li>for Fashion-MNIST, Debian's {@code /usr/share/datasets/fashion-mnist}
 *       ({@code apt-get install dataset-fashion-mnist});</li>
 *   <li>the cache, {@code ~/.sinew/datasets/<folder>} ({@link Downloader#defaultCacheDir});</li>
 *   <li>and otherwise it is downloaded into the cache once, from the data set's own address
 *       ({@link RemoteDataset}), with progress on standard error and each file's SHA-256 checked.
 *       The system property {@code sinew.datasets.origin} names a mirror to download from instead.</li>
 * </ol>
 * If Fashion-MNIST cannot be downloaded (offline, say), the sample bundled in Sinew's jar (the first
 * 3,000 training and 1,000 test images) is used, with one line on standard error saying why. MNIST
 * and CIFAR-10 have no sample: they throw a {@link DownloadException} naming the address and the
 * cache folder, which may also be filled by hand. {@link TrainTest#source()} says which copy was read.
 */
public final class Datasets {
    /** Where Debian's dataset-fashion-mnist puts the files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    public static final int CLASSES = 10;
    public static final String[] FASHION_MNIST_CLASSES = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
    };
    public static final String[] CIFAR10_CLASSES = {
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"
    };
    /** What {@link TrainTest#source()} says when the bundled sample was used. */
    public static final String SAMPLE_SOURCE = "bundled Fashion-MNIST sample";
    private static final String SAMPLE = "/dev/sinew/data/fashion-mnist-sample/";
    private static final String[] FILES = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
    };

    private Datasets() {}

    /** Reads a data set from a folder. */
    @FunctionalInterface
    interface Reader {
        TrainTest read(Path dir) throws IOException;
    }

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
        return fashionMnist(fashionMnistCopies(), mirrored(RemoteDataset.FASHION_MNIST),
                Downloader.standard());
    }

    /** Fashion-MNIST from the first of {@code local} that holds it, else from {@code downloader}'s cache or {@code remote}. */
    static TrainTest fashionMnist(List<Path> local, RemoteDataset remote, Downloader downloader) throws IOException {
        try {
            return localOrDownloaded(local, Datasets::hasAllFiles, Datasets::loadMnistFormat, remote, downloader);
        } catch (DownloadException e) {
            downloader.note("Sinew: " + e.getMessage() + "; using the bundled 3,000-image sample of "
                    + remote.title() + " instead");
            return fashionMnistSample();
        }
    }

    /** MNIST (handwritten digits 0-9, 28x28 grey; 60,000 training and 10,000 test images) as the class comment says. */
    public static TrainTest mnist() throws IOException {
        return mnist(null);
    }

    /** MNIST from {@code dir} if given (it must hold the four MNIST-format files), else as {@link #mnist()}. */
    public static TrainTest mnist(Path dir) throws IOException {
        if (dir != null) return loadMnistFormat(dir);
        return mnist(sinewData(RemoteDataset.MNIST), mirrored(RemoteDataset.MNIST), Downloader.standard());
    }

    static TrainTest mnist(List<Path> local, RemoteDataset remote, Downloader downloader) throws IOException {
        try {
            return localOrDownloaded(local, Datasets::hasAllFiles, Datasets::loadMnistFormat, remote, downloader);
        } catch (DownloadException e) {
            throw withAdvice(e, remote, downloader, "mnist");
        }
    }

    /**
     * CIFAR-10 (32x32 colour images of 10 classes, {@link #CIFAR10_CLASSES}; 50,000 training and
     * 10,000 test images), each row 32*32*3 values in height, width, channel order as Keras's
     * (32, 32, 3) images, for {@code new Input(32, 32, 3)}. Found as the class comment says; the
     * download is the binary version, 170 MB. Its 60,000 images take 740 MB as floats.
     */
    public static TrainTest cifar10() throws IOException {
        return cifar10(null);
    }

    /**
     * CIFAR-10 from {@code path} if given: {@code cifar-10-binary.tar.gz}, a directory holding it, or
     * a directory of its unpacked batch files; else as {@link #cifar10()}.
     */
    public static TrainTest cifar10(Path path) throws IOException {
        if (path != null) return Cifar10.read(path);
        return cifar10(sinewData(RemoteDataset.CIFAR10), mirrored(RemoteDataset.CIFAR10), Downloader.standard());
    }

    static TrainTest cifar10(List<Path> local, RemoteDataset remote, Downloader downloader) throws IOException {
        try {
            return localOrDownloaded(local, Cifar10::holds, Cifar10::read, remote, downloader);
        } catch (DownloadException e) {
            throw withAdvice(e, remote, downloader, "cifar10");
        }
    }

    /**
     * The first of {@code $SINEW_DATA}, {@code $SINEW_DATA/fashion-mnist}, the Debian directory and
     * the cache that holds all four files, or null. It never downloads.
     */
    public static Path findFashionMnist() {
        List<Path> candidates = new ArrayList<>(fashionMnistCopies());
        candidates.add(Downloader.defaultCacheDir().resolve(RemoteDataset.FASHION_MNIST.folder()));
        for (Path dir : candidates) {
            if (hasAllFiles(dir)) return dir;
        }
        return null;
    }

    /**
     * The data from the first of {@code local} that {@code holds} it; else from the cache, downloading
     * what is missing first. The source names the folder, and says when it was downloaded just now.
     */
    static TrainTest localOrDownloaded(List<Path> local, Predicate<Path> holds, Reader reader,
            RemoteDataset remote, Downloader downloader) throws IOException {
        for (Path dir : local) {
            if (holds.test(dir)) return reader.read(dir);
        }
        boolean cached = downloader.has(remote);
        Path folder = downloader.fetch(remote);
        TrainTest t = reader.read(folder);
        return cached ? t : new TrainTest(t.train(), t.test(), remote.title() + " downloaded to " + folder);
    }

    /** A failed download's message, plus how to do without one. */
    private static DownloadException withAdvice(DownloadException e, RemoteDataset remote, Downloader downloader,
            String method) {
        List<String> names = remote.files().stream().map(RemoteFile::name).toList();
        return new DownloadException(e.getMessage() + ". Without a network, put " + String.join(", ", names) + " (from "
                + remote.origin() + ") in " + downloader.folder(remote) + ", or pass their directory to Datasets."
                + method + "(dir)", e);
    }

    /**
     * Where Fashion-MNIST may already be: {@code $SINEW_DATA} (where it was looked for before the
     * other data sets came), {@code $SINEW_DATA/fashion-mnist}, Debian's folder.
     */
    private static List<Path> fashionMnistCopies() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("SINEW_DATA");
        if (env != null && !env.isBlank()) candidates.add(Path.of(env));
        candidates.addAll(sinewData(RemoteDataset.FASHION_MNIST));
        candidates.add(DEBIAN_FASHION_MNIST);
        return candidates;
    }

    /** {@code $SINEW_DATA/<folder>}, if {@code $SINEW_DATA} is set. */
    private static List<Path> sinewData(RemoteDataset data) {
        String env = System.getenv("SINEW_DATA");
        return env == null || env.isBlank() ? List.of() : List.of(Path.of(env, data.folder()));
    }

    /** {@code data} from the mirror that the system property {@code sinew.datasets.origin} names, if any. */
    private static RemoteDataset mirrored(RemoteDataset data) {
        String mirror = System.getProperty("sinew.datasets.origin");
        return mirror == null || mirror.isBlank() ? data : data.withOrigin(URI.create(mirror.trim()));
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
                    SAMPLE_SOURCE);
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
