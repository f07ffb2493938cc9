package dev.sinew.data;

import java.net.URI;
import java.util.List;

/**
 * A data set as its publisher serves it: a title for messages, the folder it is cached in (under
 * {@code ~/.sinew/datasets}, as Keras caches under {@code ~/.keras/datasets}), the address its
 * files are under, and each file's size and SHA-256. The constants are the data sets
 * {@link Datasets} downloads; {@link #withOrigin} points one at a mirror that serves the same
 * files under the same names.
 */
public record RemoteDataset(String title, String folder, URI origin, List<RemoteFile> files) {

    // Sizes and SHA-256s of the canonical files, and where each was read:
    //
    // Fashion-MNIST: TensorFlow Datasets, tensorflow_datasets/url_checksums/fashion_mnist.txt (Zalando's
    // own copies at fashion-mnist.s3-website.eu-central-1.amazonaws.com; the same four values are in
    // Zalando's README table and in other loaders). Keras serves the same files from
    // tf-keras-datasets: its download log shows the same sizes. Debian's dataset-fashion-mnist holds
    // the same images recompressed (24 bytes shorter: gzip header without the file name), so its
    // hashes differ; it is read as a local copy and never checked against these.
    public static final RemoteDataset FASHION_MNIST = new RemoteDataset("Fashion-MNIST", "fashion-mnist",
            URI.create("https://storage.googleapis.com/tensorflow/tf-keras-datasets/"), List.of(
                    new RemoteFile("train-images-idx3-ubyte.gz", 26_421_880,
                            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
                    new RemoteFile("train-labels-idx1-ubyte.gz", 29_515,
                            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
                    new RemoteFile("t10k-images-idx3-ubyte.gz", 4_422_102,
                            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
                    new RemoteFile("t10k-labels-idx1-ubyte.gz", 5_148,
                            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")));

    // MNIST: TensorFlow Datasets, tensorflow_datasets/url_checksums/mnist.txt, for exactly these
    // addresses (the CVDF mirror TensorFlow's own MNIST loader used); the same hashes are published
    // for LeCun's original files. Keras itself ships MNIST as mnist.npz, which the IDX reader cannot read.
    public static final RemoteDataset MNIST = new RemoteDataset("MNIST", "mnist",
            URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"), List.of(
                    new RemoteFile("train-images-idx3-ubyte.gz", 9_912_422,
                            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
                    new RemoteFile("train-labels-idx1-ubyte.gz", 28_881,
                            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
                    new RemoteFile("t10k-images-idx3-ubyte.gz", 1_648_877,
                            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
                    new RemoteFile("t10k-labels-idx1-ubyte.gz", 4_542,
                            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")));

    // CIFAR-10, binary version: TensorFlow Datasets, tensorflow_datasets/url_checksums/cifar10.txt
    // (170,052,171 bytes); the same hash is pinned by other loaders, with MD5
    // c32a1d4ab5d03f1284b67883e8d87530 as on the data set's page. Keras downloads the Python
    // (pickle) version instead; the binary one needs no unpickling.
    public static final RemoteDataset CIFAR10 = new RemoteDataset("CIFAR-10", "cifar-10",
            URI.create("https://www.cs.toronto.edu/~kriz/"), List.of(
                    new RemoteFile(Cifar10.ARCHIVE, 170_052_171,
                            "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd")));

    public RemoteDataset {
        if (title == null || title.isBlank()) throw new IllegalArgumentException("a remote data set needs a title");
        if (folder == null || folder.isEmpty() || folder.contains("/") || folder.startsWith(".")) {
            throw new IllegalArgumentException(title + ": the cache folder must be a plain name, got '" + folder + "'");
        }
        origin = directory(origin, title);
        files = List.copyOf(files);
        if (files.isEmpty()) throw new IllegalArgumentException(title + ": a remote data set needs at least one file");
    }

    /** Where {@code file} is downloaded from: the origin and the file's name. */
    public URI url(RemoteFile file) {
        return origin.resolve(file.name());
    }

    /** The same files, from a mirror that serves them under the same names. */
    public RemoteDataset withOrigin(URI mirror) {
        return new RemoteDataset(title, folder, mirror, files);
    }

    /** An absolute http(s) address, ending in "/" so that a file name resolves beneath it. */
    private static URI directory(URI origin, String title) {
        if (origin == null || !origin.isAbsolute() || origin.getHost() == null
                || !("http".equals(origin.getScheme()) || "https".equals(origin.getScheme()))) {
            throw new IllegalArgumentException(title + ": the origin must be an absolute http or https address, got "
                    + origin);
        }
        String s = origin.toString();
        return s.endsWith("/") ? origin : URI.create(s + "/");
    }
}
