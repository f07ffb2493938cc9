package dev.sinew.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The downloader against a local server: it downloads once and then uses the cache; it rejects
 * wrong bytes and leaves nothing under the file's name; it resumes broken transfers with Range and
 * copes with servers that ignore Range; it gives up at once when nothing answers. No test waits:
 * the backoff is zero.
 */
class DownloaderTest {
    static final String NAME = "train-labels-idx1-ubyte.gz";
    static final byte[] CONTENT = bytes(100_000);
    static final RemoteFile FILE = new RemoteFile(NAME, CONTENT.length, sha256(CONTENT));

    @TempDir
    Path cache;
    FileServer server;
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    Downloader downloader;

    @BeforeEach
    void start() throws IOException {
        server = new FileServer(Map.of(NAME, CONTENT));
        downloader = new Downloader(cache, new PrintStream(logged, true, StandardCharsets.UTF_8), 3, Duration.ZERO);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Path get() throws IOException {
        return downloader.get(server.origin().resolve(NAME), FILE, cache.resolve("set"));
    }

    String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    @Test
    void downloadsOnceThenUsesTheCache() throws IOException {
        Path p = get();
        assertEquals(cache.resolve("set").resolve(NAME), p);
        assertArrayEquals(CONTENT, Files.readAllBytes(p));
        assertEquals(List.of(NAME), files(cache.resolve("set")), "no .part left");
        assertEquals(List.of(NAME), server.requests());
        assertTrue(log().startsWith("Downloading " + server.origin() + NAME + " (100.0 kB): "), log());
        assertTrue(log().contains(" 100%"), log());

        assertEquals(p, get());
        assertEquals(1, server.requests().size(), "the second get makes no request: " + server.requests());
    }

    @Test
    void wrongBytesAreRejectedAndNothingIsKept() throws IOException {
        server.mode(FileServer.Mode.CORRUPT);
        DownloadException e = assertThrows(DownloadException.class, this::get);
        String m = e.getMessage();
        assertTrue(m.startsWith("could not download " + server.origin() + NAME + " to " + cache.resolve("set").resolve(NAME)
                + ": its SHA-256 is "), m);
        assertTrue(m.contains(", expected " + FILE.sha256() + " (100000 bytes); the download was deleted"), m);
        byte[] corrupt = CONTENT.clone();
        corrupt[corrupt.length / 2] ^= 0x55;
        assertTrue(m.contains(" is " + sha256(corrupt) + ", expected"), "names the actual hash: " + m);
        assertEquals(List.of(), files(cache.resolve("set")), "neither the file nor its .part is left");
        assertEquals(1, server.requests().size(), "a fresh whole download that differs is not asked for again");
    }

    @Test
    void aBodyShorterThanTheFileIsResumedWithRange() throws IOException {
        server.mode(FileServer.Mode.SHORT_ONCE); // Content-Length says half, and half comes
        assertArrayEquals(CONTENT, Files.readAllBytes(get()));
        assertEquals(List.of(NAME, NAME + " Range: bytes=50000-"), server.requests());
        assertTrue(log().contains("the transfer ended after 50000 of 100000 bytes; trying again"), log());
        assertTrue(log().contains("resuming at 50%"), log());
    }

    @Test
    void aDroppedConnectionIsResumedWithRange() throws IOException {
        server.mode(FileServer.Mode.DROP_ONCE); // promised the whole file, cut off after half
        assertArrayEquals(CONTENT, Files.readAllBytes(get()));
        assertEquals(List.of(NAME, NAME + " Range: bytes=50000-"), server.requests());
        assertTrue(log().contains("; trying again\nDownloading " + server.origin() + NAME + " (100.0 kB), resuming at 50%: 100%"),
                log());
        assertEquals(List.of(NAME), files(cache.resolve("set")));
    }

    @Test
    void aPartFromAnEarlierRunIsResumed() throws IOException {
        Files.createDirectories(cache.resolve("set"));
        Files.write(cache.resolve("set").resolve(NAME + Downloader.PART_SUFFIX), Arrays.copyOf(CONTENT, 30_000));
        assertArrayEquals(CONTENT, Files.readAllBytes(get()));
        assertEquals(List.of(NAME + " Range: bytes=30000-"), server.requests());
        assertEquals(List.of(NAME), files(cache.resolve("set")));
    }

    @Test
    void aServerThatIgnoresRangeIsReadFromTheStart() throws IOException {
        server.mode(FileServer.Mode.IGNORE_RANGE);
        Files.createDirectories(cache.resolve("set"));
        Files.write(cache.resolve("set").resolve(NAME + Downloader.PART_SUFFIX), Arrays.copyOf(CONTENT, 30_000));
        // Appending the whole file to the 30,000 bytes would give 130,000: the file must be replaced.
        assertArrayEquals(CONTENT, Files.readAllBytes(get()));
        assertEquals(List.of(NAME + " Range: bytes=30000-"), server.requests());
    }

    @Test
    void aBadPartIsDownloadedAgainFromTheStart() throws IOException {
        Files.createDirectories(cache.resolve("set"));
        Files.write(cache.resolve("set").resolve(NAME + Downloader.PART_SUFFIX), new byte[30_000]); // not the file's bytes
        assertArrayEquals(CONTENT, Files.readAllBytes(get()));
        assertEquals(List.of(NAME + " Range: bytes=30000-", NAME), server.requests());
        assertTrue(log().contains("(it had resumed at byte 30000); downloading it again from the start"), log());
    }

    @Test
    void aTransferThatNeverCompletesFailsAfterTheAttemptsAndKeepsOnlyThePart() throws IOException {
        server.mode(FileServer.Mode.HALF_ONLY);
        DownloadException e = assertThrows(DownloadException.class, this::get);
        assertTrue(e.getMessage().contains("in 3 attempts: the transfer ended after 50000 of 100000 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains(NAME + ".part is kept"), e.getMessage());
        assertEquals(3, server.requests().size(), server.requests().toString());
        assertEquals(List.of(NAME + ".part"), files(cache.resolve("set")), "never the file under its own name");

        // Once the server behaves, the next try resumes the part.
        server.mode(FileServer.Mode.NORMAL);
        assertArrayEquals(CONTENT, Files.readAllBytes(get()));
        assertEquals(NAME + " Range: bytes=50000-", server.requests().getLast());
    }

    @Test
    void moreBytesThanTheFileHasAreRejected() throws IOException {
        server.mode(FileServer.Mode.TOO_LONG);
        DownloadException e = assertThrows(DownloadException.class, this::get);
        assertTrue(e.getMessage().contains("sends more than the 100000 bytes " + NAME + " has"), e.getMessage());
        assertEquals(List.of(), files(cache.resolve("set")));
        assertEquals(1, server.requests().size());
    }

    @Test
    void aMissingFileIsNotAskedForAgain() {
        DownloadException e = assertThrows(DownloadException.class,
                () -> downloader.get(server.origin().resolve("nothing.gz"), new RemoteFile("nothing.gz", 1, FILE.sha256()),
                        cache));
        assertTrue(e.getMessage().contains("could not download " + server.origin() + "nothing.gz to " + cache.resolve("nothing.gz")
                + ": HTTP 404"), e.getMessage());
        assertEquals(1, server.requests().size());
    }

    @Test
    void anUnreachableServerFailsAtOnce() throws IOException {
        URI nowhere = URI.create("http://127.0.0.1:" + freePort() + "/" + NAME);
        DownloadException e = assertThrows(DownloadException.class, () -> downloader.get(nowhere, FILE, cache));
        assertTrue(e.getMessage().contains("cannot reach 127.0.0.1 (ConnectException"), e.getMessage());
        assertEquals("", log(), "no retries, no progress");
        assertEquals(List.of(), files(cache));
    }

    @Test
    void theCacheIsUnderSinewHome(@TempDir Path home) {
        String before = System.getProperty("sinew.home");
        try {
            System.setProperty("sinew.home", home.toString());
            assertEquals(home.resolve("datasets"), Downloader.defaultCacheDir());
            assertEquals(home.resolve("datasets"), Downloader.standard().cacheDir());
        } finally {
            if (before == null) System.clearProperty("sinew.home");
            else System.setProperty("sinew.home", before);
        }
    }

    @Test
    void badDescriptionsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RemoteFile("a/b", 1, FILE.sha256()));
        assertTrue(e.getMessage().contains("plain file name, got 'a/b'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RemoteFile("x", 1, "abc"));
        assertTrue(e.getMessage().contains("64 lower-case hex digits, got 'abc'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RemoteDataset.MNIST.withOrigin(URI.create("file:///tmp/mnist/")));
        assertTrue(e.getMessage().contains("absolute http or https address, got file:///tmp/mnist/"), e.getMessage());
        assertEquals(URI.create("http://mirror.example/d/train-labels-idx1-ubyte.gz"), RemoteDataset.MNIST
                .withOrigin(URI.create("http://mirror.example/d")).url(RemoteDataset.MNIST.files().get(1)));
        e = assertThrows(IllegalArgumentException.class, () -> new Downloader(cache, null, 0, Duration.ZERO));
        assertTrue(e.getMessage().contains("attempts must be at least 1, got 0"), e.getMessage());
    }

    /** A port nothing listens on: one the system just gave out and took back. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 7 + (i >> 8));
        return b;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
