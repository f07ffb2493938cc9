package dev.sinew.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets' lookup and download end to end, against a local server that serves the bundled
 * Fashion-MNIST sample's files (as Fashion-MNIST and as MNIST, described with their own hashes) and
 * a small CIFAR-10 archive: the first load downloads into the cache, the next reads it without a
 * request, a local copy is read without any; a download that fails falls back to the sample for
 * Fashion-MNIST (one line saying why) and is an exception saying what to do for the others.
 */
class DatasetDownloadTest {
    static final String SAMPLE = "/dev/sinew/data/fashion-mnist-sample/";
    static final List<String> MNIST_FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    @TempDir
    Path cache;
    FileServer server;
    Map<String, byte[]> served = new LinkedHashMap<>();
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    Downloader downloader;

    @BeforeEach
    void start() throws IOException {
        for (String name : MNIST_FILES) served.put(name, sampleFile(name));
        served.put(Cifar10.ARCHIVE, Cifar10Test.tarGz(Cifar10Test.members()));
        server = new FileServer(served);
        downloader = new Downloader(cache, new PrintStream(logged, true, StandardCharsets.UTF_8), 3, Duration.ZERO);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static byte[] sampleFile(String name) throws IOException {
        try (InputStream in = DatasetDownloadTest.class.getResourceAsStream(SAMPLE + name)) {
            return in.readAllBytes();
        }
    }

    /** A data set served by the local server, with the hashes of what it serves. */
    RemoteDataset remote(String title, String folder, List<String> names) {
        return new RemoteDataset(title, folder, server.origin(), names.stream()
                .map(n -> new RemoteFile(n, served.get(n).length, DownloaderTest.sha256(served.get(n)))).toList());
    }

    RemoteDataset fashion() {
        return remote("Fashion-MNIST", "fashion-mnist", MNIST_FILES);
    }

    String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    @Test
    void fashionMnistIsDownloadedOnceThenReadFromTheCache() throws IOException {
        TrainTest first = Datasets.fashionMnist(List.of(cache.resolve("no-such-dir")), fashion(), downloader);
        Path folder = cache.resolve("fashion-mnist");
        assertEquals("Fashion-MNIST downloaded to " + folder, first.source());
        assertEquals(MNIST_FILES, server.requests());
        assertEquals(MNIST_FILES.stream().sorted().toList(), DownloaderTest.files(folder));
        TrainTest sample = Datasets.fashionMnistSample();
        assertEquals(3000, first.train().size());
        assertArrayEquals(sample.train().x()[2999], first.train().x()[2999]);
        assertArrayEquals(sample.test().labels(), first.test().labels());
        assertEquals(4, log().lines().filter(l -> l.startsWith("Downloading " + server.origin())).count(), log());

        TrainTest again = Datasets.fashionMnist(List.of(), fashion(), downloader);
        assertEquals(folder.toString(), again.source());
        assertEquals(4, server.requests().size(), "no request the second time: " + server.requests());
    }

    @Test
    void aLocalCopyIsReadWithoutAnyRequest(@TempDir Path local) throws IOException {
        for (String name : MNIST_FILES) Files.write(local.resolve(name), served.get(name));
        TrainTest t = Datasets.fashionMnist(List.of(cache.resolve("no-such-dir"), local), fashion(), downloader);
        assertEquals(local.toString(), t.source());
        assertEquals(List.of(), server.requests());
        assertEquals("", log());
    }

    @Test
    void offlineFashionMnistIsTheBundledSampleWithOneLineSayingWhy() throws IOException {
        RemoteDataset unreachable = fashion().withOrigin(URI.create("http://127.0.0.1:" + DownloaderTest.freePort() + "/"));
        TrainTest t = Datasets.fashionMnist(List.of(), unreachable, downloader);
        assertEquals(Datasets.SAMPLE_SOURCE, t.source());
        assertEquals(3000, t.train().size());
        List<String> lines = log().lines().toList();
        assertEquals(1, lines.size(), log());
        assertTrue(lines.getFirst().matches("Sinew: could not download http://127\\.0\\.0\\.1:\\d+/train-images-idx3-ubyte\\.gz to "
                + cache.resolve("fashion-mnist").resolve("train-images-idx3-ubyte.gz") + ": cannot reach 127\\.0\\.0\\.1 \\(ConnectException.*\\)"
                + "; using the bundled 3,000-image sample of Fashion-MNIST instead"), lines.getFirst());
        assertEquals(List.of(), DownloaderTest.files(cache), "not even an empty folder");
    }

    @Test
    void corruptFashionMnistIsRejectedAndTheSampleUsed() throws IOException {
        server.mode(FileServer.Mode.CORRUPT);
        TrainTest t = Datasets.fashionMnist(List.of(), fashion(), downloader);
        assertEquals(Datasets.SAMPLE_SOURCE, t.source());
        String last = log().lines().toList().getLast();
        assertTrue(last.startsWith("Sinew: could not download " + server.origin() + "train-images-idx3-ubyte.gz to "), last);
        assertTrue(last.contains(": its SHA-256 is ") && last.endsWith("; using the bundled 3,000-image sample of Fashion-MNIST instead"),
                last);
        assertEquals(List.of(), DownloaderTest.files(cache.resolve("fashion-mnist")), "nothing is left in the cache");
    }

    @Test
    void mnistIsDownloadedOrExplainsWhereToPutIt() throws IOException {
        TrainTest t = Datasets.mnist(List.of(), remote("MNIST", "mnist", MNIST_FILES), downloader);
        assertEquals("MNIST downloaded to " + cache.resolve("mnist"), t.source());
        assertEquals(1000, t.test().size());

        RemoteDataset unreachable = remote("MNIST", "mnist2", MNIST_FILES)
                .withOrigin(URI.create("http://127.0.0.1:" + DownloaderTest.freePort() + "/"));
        DownloadException e = assertThrows(DownloadException.class, () -> Datasets.mnist(List.of(), unreachable, downloader));
        assertTrue(e.getMessage().contains("cannot reach 127.0.0.1"), e.getMessage());
        assertTrue(e.getMessage().endsWith(". Without a network, put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                + "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (from " + unreachable.origin() + ") in "
                + cache.resolve("mnist2") + ", or pass their directory to Datasets.mnist(dir)"), e.getMessage());
    }

    @Test
    void cifar10IsDownloadedAndReadChannelsLast() throws IOException {
        RemoteDataset cifar = remote("CIFAR-10", "cifar-10", List.of(Cifar10.ARCHIVE));
        TrainTest t = Datasets.cifar10(List.of(), cifar, downloader);
        assertEquals("CIFAR-10 downloaded to " + cache.resolve("cifar-10"), t.source());
        Cifar10Test.checkLoaded(t);
        assertEquals(List.of(Cifar10.ARCHIVE), server.requests());

        TrainTest again = Datasets.cifar10(List.of(), cifar, downloader);
        assertEquals(cache.resolve("cifar-10").resolve(Cifar10.ARCHIVE).toString(), again.source());
        assertEquals(1, server.requests().size());
    }

    @Test
    void aTruncatedCifar10DownloadIsResumedAndACorruptOneRejected() throws IOException {
        RemoteDataset cifar = remote("CIFAR-10", "cifar-10", List.of(Cifar10.ARCHIVE));
        server.mode(FileServer.Mode.DROP_ONCE);
        Cifar10Test.checkLoaded(Datasets.cifar10(List.of(), cifar, downloader));
        assertEquals(2, server.requests().size(), server.requests().toString());

        server.mode(FileServer.Mode.CORRUPT);
        RemoteDataset elsewhere = remote("CIFAR-10", "cifar-10-again", List.of(Cifar10.ARCHIVE));
        DownloadException e = assertThrows(DownloadException.class, () -> Datasets.cifar10(List.of(), elsewhere, downloader));
        assertTrue(e.getMessage().contains(" to " + cache.resolve("cifar-10-again").resolve(Cifar10.ARCHIVE) + ": its SHA-256 is "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("or pass their directory to Datasets.cifar10(dir)"), e.getMessage());
        assertEquals(List.of(), DownloaderTest.files(cache.resolve("cifar-10-again")));
    }

    @Test
    void theCanonicalAddressesAreKerasAndTensorFlows() {
        assertEquals(URI.create("https://storage.googleapis.com/tensorflow/tf-keras-datasets/train-images-idx3-ubyte.gz"),
                RemoteDataset.FASHION_MNIST.url(RemoteDataset.FASHION_MNIST.files().getFirst()));
        assertEquals(URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/t10k-labels-idx1-ubyte.gz"),
                RemoteDataset.MNIST.url(RemoteDataset.MNIST.files().getLast()));
        assertEquals(URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"),
                RemoteDataset.CIFAR10.url(RemoteDataset.CIFAR10.files().getFirst()));
        assertEquals(MNIST_FILES, RemoteDataset.FASHION_MNIST.files().stream().map(RemoteFile::name).toList());
        assertEquals(MNIST_FILES, RemoteDataset.MNIST.files().stream().map(RemoteFile::name).toList());
    }
}
