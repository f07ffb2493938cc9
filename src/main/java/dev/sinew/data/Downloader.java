package dev.sinew.data;

import dev.sinew.io.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Downloads published files into a cache folder once, as Keras's {@code get_file}: a file already
 * in the cache is used as it is; a missing one is fetched to {@code <name>.part}, checked against
 * its size and SHA-256, and only then renamed to {@code <name>} (atomically, see
 * {@link AtomicFile#moveIntoPlace}), so the cache never holds a half-written or unverified file
 * under its real name.
 *
 * <ul>
 *   <li>Resume: a {@code .part} left by an interrupted run is continued with an HTTP {@code Range}
 *       request; a server that answers with the whole file (200 instead of 206) is read from the
 *       start. A resumed file whose hash does not match is fetched once more from scratch (the old
 *       part may have been the bad half).</li>
 *   <li>Retry: a transfer that breaks off, stalls past the read timeout, or meets a 5xx answer is
 *       tried again, up to {@code attempts} times in all, waiting {@code backoff}, then twice that,
 *       and so on. A server that cannot be reached at all (no network, unknown host, connection
 *       refused or timed out) fails at once, so an offline machine does not wait; so does a 4xx
 *       answer, and a complete fresh download with the wrong hash (its {@code .part} is deleted).</li>
 *   <li>Progress: a line per file on {@code log} ({@code Downloading <url> (26.4 MB): 10% 20% ...});
 *       a null {@code log} is quiet.</li>
 * </ul>
 *
 * The cache is {@code ~/.sinew/datasets} ({@link #defaultCacheDir}). Downloads in one JVM run one at
 * a time; two processes downloading the same file at the same moment are not supported.
 *
 * @param cacheDir the cache; each data set has a folder in it
 * @param log where progress and notes go, or null for none
 * @param attempts transfers per file before giving up, at least 1
 * @param backoff the wait before the second attempt; it doubles for each one after
 */
public record Downloader(Path cacheDir, PrintStream log, int attempts, Duration backoff) {
    /** Appended to a file's name while it downloads. */
    public static final String PART_SUFFIX = ".part";
    /** How long to wait for a connection: short, so that an offline machine gives up quickly. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long one read may wait for bytes before the transfer counts as broken (and is retried). */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    // One download at a time in this JVM: two threads fetching one file must not share its .part.
    private static final Object LOCK = new Object();
    private static final int BUFFER = 1 << 16;

    public Downloader {
        if (cacheDir == null) throw new IllegalArgumentException("the cache directory is null");
        if (attempts < 1) throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
        if (backoff == null || backoff.isNegative()) throw new IllegalArgumentException("backoff must be >= 0, got " + backoff);
    }

    /** The default cache, progress on standard error, 3 attempts, 1 s then 2 s between them. */
    public static Downloader standard() {
        return new Downloader(defaultCacheDir(), System.err, 3, Duration.ofSeconds(1));
    }

    /**
     * {@code <home>/datasets}, where home is the system property {@code sinew.home}, else the
     * environment variable {@code SINEW_HOME}, else {@code ~/.sinew} (Keras: {@code KERAS_HOME},
     * {@code ~/.keras}).
     */
    public static Path defaultCacheDir() {
        String home = System.getProperty("sinew.home");
        if (home == null || home.isBlank()) home = System.getenv("SINEW_HOME");
        Path root = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".sinew");
        return root.resolve("datasets");
    }

    /** The same downloader without progress or notes. */
    public Downloader quiet() {
        return new Downloader(cacheDir, null, attempts, backoff);
    }

    /** The folder {@code data} is cached in. */
    public Path folder(RemoteDataset data) {
        return cacheDir.resolve(data.folder());
    }

    /** Whether every file of {@code data} is in the cache already. */
    public boolean has(RemoteDataset data) {
        for (RemoteFile f : data.files()) {
            if (!Files.isRegularFile(folder(data).resolve(f.name()))) return false;
        }
        return true;
    }

    /** Every file of {@code data} in its cache folder, downloading those that are missing; returns the folder. */
    public Path fetch(RemoteDataset data) throws DownloadException {
        for (RemoteFile f : data.files()) get(data.url(f), f, folder(data));
        return folder(data);
    }

    /** Writes one line to the log, if there is one. */
    public void note(String line) {
        if (log != null) log.println(line);
    }

    /**
     * {@code dir/<file name>}, downloaded from {@code url} first unless it is there already.
     *
     * @throws DownloadException naming the address and the cache file, if the file could not be
     *     fetched or did not match its SHA-256; nothing is then left under its name
     */
    public Path get(URI url, RemoteFile file, Path dir) throws DownloadException {
        Path target = dir.resolve(file.name());
        synchronized (LOCK) {
            if (Files.isRegularFile(target)) return target;
            try {
                download(url, file, target);
            } catch (DownloadException e) {
                throw e;
            } catch (IOException e) {
                // The cache itself failed (no room, no permission): say where.
                throw new DownloadException("could not download " + url + " to " + target + ": " + describe(e), e);
            }
            return target;
        }
    }

    private void download(URI url, RemoteFile file, Path target) throws IOException {
        Path part = target.resolveSibling(file.name() + PART_SUFFIX);
        IOException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) pause(backoff.multipliedBy(1L << Math.min(attempt - 2, 20)));
            long resumedAt;
            try {
                resumedAt = transfer(url, file, part);
            } catch (GiveUp e) {
                throw new DownloadException("could not download " + url + " to " + target + ": " + e.getMessage(), e);
            } catch (IOException e) {
                last = e;
                note("  " + describe(e) + (attempt < attempts ? "; trying again" : ""));
                continue;
            }
            String actual = sha256(part);
            if (actual.equals(file.sha256())) {
                AtomicFile.moveIntoPlace(part, target);
                return;
            }
            Files.deleteIfExists(part);
            String mismatch = "its SHA-256 is " + actual + ", expected " + file.sha256() + " (" + file.size()
                    + " bytes); the download was deleted";
            // A whole fresh copy that differs is what the server has: asking again would not help.
            if (resumedAt == 0) throw new DownloadException("could not download " + url + " to " + target + ": " + mismatch);
            last = new IOException(mismatch + " (it had resumed at byte " + resumedAt + ")");
            note("  " + last.getMessage() + (attempt < attempts ? "; downloading it again from the start" : ""));
        }
        throw new DownloadException("could not download " + url + " to " + target + " in " + attempts
                + (attempts == 1 ? " attempt: " : " attempts: ") + describe(last)
                + (Files.exists(part) ? " (" + part.getFileName() + " is kept; the next try resumes it)" : ""), last);
    }

    /**
     * One request: appends to {@code part} from its current length (or from 0 if the server sends
     * the whole file) until it holds {@code file.size()} bytes. Returns the offset it resumed at.
     * Throws {@link GiveUp} when retrying cannot help, another IOException when it might.
     */
    private long transfer(URI url, RemoteFile file, Path part) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (have > file.size()) {
            Files.delete(part); // longer than the file can be: not a prefix of it
            have = 0;
        }
        if (have == file.size()) return have; // complete, but the run that fetched it stopped before checking
        HttpURLConnection c;
        int status;
        try {
            c = (HttpURLConnection) url.toURL().openConnection();
            c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            c.setReadTimeout((int) READ_TIMEOUT.toMillis());
            if (have > 0) c.setRequestProperty("Range", "bytes=" + have + "-");
            status = c.getResponseCode();
        } catch (IOException e) {
            throw new GiveUp("cannot reach " + url.getHost() + " (" + describe(e) + ")", e);
        }
        try {
            long from = have;
            if (status == HttpURLConnection.HTTP_OK) {
                from = 0; // no Range asked, or the server ignored it: the body is the whole file
            } else if (status == HttpURLConnection.HTTP_PARTIAL) {
                String range = c.getHeaderField("Content-Range");
                if (have == 0 || range == null || !range.startsWith("bytes " + have + "-")) {
                    Files.deleteIfExists(part);
                    throw new IOException("asked for bytes from " + have + " and got the range " + range);
                }
            } else if (status == 416) {
                Files.deleteIfExists(part); // the part does not fit the file the server has: start again
                throw new IOException("HTTP 416 (range not satisfiable) for bytes from " + have);
            } else if (status >= 400 && status < 500) {
                throw new GiveUp("HTTP " + status + (c.getResponseMessage() != null ? " " + c.getResponseMessage() : ""));
            } else {
                throw new IOException("HTTP " + status + " " + c.getResponseMessage());
            }
            copy(c, url, file, part, from);
            return from;
        } finally {
            c.disconnect();
        }
    }

    /** The response body into {@code part}, from offset {@code from}, with progress; checks the length. */
    private void copy(HttpURLConnection c, URI url, RemoteFile file, Path part, long from) throws IOException {
        long size = file.size(), at = from;
        int shownPercent = (int) (100 * from / size);
        if (log != null) {
            log.print("Downloading " + url + " (" + megabytes(size) + ")" + (from > 0 ? ", resuming at " + shownPercent + "%" : "")
                    + ":");
            log.flush();
        }
        Files.createDirectories(part.getParent()); // only now: an offline try leaves no empty folder
        StandardOpenOption mode = from > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (InputStream in = c.getInputStream();
                OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (at + n > size) {
                    out.close();
                    Files.deleteIfExists(part);
                    throw new GiveUp(url + " sends more than the " + size + " bytes " + file.name() + " has");
                }
                out.write(buffer, 0, n);
                at += n;
                int percent = (int) (100 * at / size);
                if (log != null && percent / 10 > shownPercent / 10) {
                    log.print(" " + percent + "%");
                    log.flush();
                }
                shownPercent = Math.max(shownPercent, percent);
            }
        } finally {
            if (log != null) log.println();
        }
        if (at < size) throw new IOException("the transfer ended after " + at + " of " + size + " bytes");
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void pause(Duration d) throws DownloadException {
        if (d.isZero()) return;
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadException("interrupted while waiting to retry a download", e);
        }
    }

    private static String megabytes(long bytes) {
        return bytes >= 1_000_000 ? String.format(Locale.ROOT, "%.1f MB", bytes / 1e6)
                : String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
    }

    /** An exception as one readable phrase: its message, with its type where the message alone is unclear. */
    private static String describe(IOException e) {
        if (e instanceof GiveUp || e.getClass() == IOException.class) return e.getMessage();
        return e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
    }

    /** A failure that another attempt would meet again. */
    private static final class GiveUp extends IOException {
        GiveUp(String message) {
            super(message);
        }

        GiveUp(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
