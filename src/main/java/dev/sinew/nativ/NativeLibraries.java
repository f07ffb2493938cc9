package dev.sinew.nativ;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Finds and loads the two native libraries Sinew calls: OpenBLAS and our own libsinew.
 *
 * <p>OpenBLAS is searched in this order, and the first that loads and has {@code cblas_sgemm}
 * wins: (1) an explicit file, system property {@code sinew.openblas.path} or environment variable
 * {@code SINEW_OPENBLAS}; (2) the system's {@code libopenblas.so.0} (Debian:
 * {@code apt-get install libopenblas0-pthread}; skipped when {@code sinew.openblas.system=false}); (3) the copy inside the Maven Central jar
 * {@code org.bytedeco:openblas:*:linux-x86_64}, extracted once into the cache directory.
 *
 * <p>libsinew is (1) system property {@code sinew.library.path} / environment {@code SINEW_LIBRARY},
 * or (2) the copy packaged in our jar under {@code native/<os>-<arch>/}, used in place when the
 * classes come from a directory and otherwise extracted into the cache directory.
 *
 * <p>The cache directory is {@code sinew.cache.dir}, else {@code $XDG_CACHE_HOME/sinew}, else
 * {@code ~/.cache/sinew}. Libraries live for the whole process (global arena): a loaded shared
 * library cannot be unloaded safely while method handles to it exist.
 */
public final class NativeLibraries {
    private static final String BYTEDECO_DIR = "org/bytedeco/openblas/";
    private static final String[] BYTEDECO_FILES = {
        "libopenblas.so.0", "libgfortran.so.5", "libquadmath.so.0", "libgcc_s.so.1"
    };

    private static final AtomicReference<Loaded> OPENBLAS = new AtomicReference<>();
    private static final AtomicReference<Loaded> SINEW = new AtomicReference<>();

    private record Loaded(SymbolLookup lookup, String source) {}

    private NativeLibraries() {}

    /** The platform folder name, e.g. {@code linux-x86_64}. */
    public static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") ? "macosx" : os.replace(' ', '_');
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        return o + "-" + a;
    }

    /** OpenBLAS's symbols; loads it on first use. */
    public static SymbolLookup openblas() {
        return once(OPENBLAS, NativeLibraries::loadOpenBlas).lookup();
    }

    /** Where OpenBLAS was found, for logs and bug reports; loads it if needed. */
    public static String openblasSource() {
        return once(OPENBLAS, NativeLibraries::loadOpenBlas).source();
    }

    /** libsinew's symbols; loads it on first use. */
    public static SymbolLookup sinew() {
        return once(SINEW, NativeLibraries::loadSinew).lookup();
    }

    /** Where libsinew was found; loads it if needed. */
    public static String sinewSource() {
        return once(SINEW, NativeLibraries::loadSinew).source();
    }

    /**
     * Loads a library the first time it is asked for. A failure is not cached: the next call
     * tries again (and throws the same clear message) rather than a class-initialisation error.
     */
    private static Loaded once(AtomicReference<Loaded> ref, Supplier<Loaded> loader) {
        Loaded l = ref.get();
        if (l != null) return l;
        synchronized (ref) {
            if (ref.get() == null) ref.set(loader.get());
            return ref.get();
        }
    }

    private static Loaded loadOpenBlas() {
        List<String> tried = new ArrayList<>();
        String explicit = setting("sinew.openblas.path", "SINEW_OPENBLAS");
        if (explicit != null) {
            // An explicit choice that fails is an error, not a reason to silently use another BLAS.
            Loaded l = tryLoad(Path.of(explicit), "explicit path " + explicit, "cblas_sgemm", tried);
            if (l != null) return l;
            throw new IllegalStateException("Cannot load OpenBLAS from " + explicit
                    + " (set by sinew.openblas.path / SINEW_OPENBLAS): " + tried.getLast());
        }
        if (Boolean.parseBoolean(System.getProperty("sinew.openblas.system", "true"))) {
            try {
                SymbolLookup sys = SymbolLookup.libraryLookup("libopenblas.so.0", Arena.global());
                if (sys.find("cblas_sgemm").isPresent()) {
                    return new Loaded(sys, "system libopenblas.so.0");
                }
                tried.add("system libopenblas.so.0: loaded, but has no cblas_sgemm");
            } catch (IllegalArgumentException e) {
                tried.add("system libopenblas.so.0: " + e.getMessage());
            }
        } else {
            tried.add("system libopenblas.so.0: skipped (sinew.openblas.system=false)");
        }
        String res = BYTEDECO_DIR + platform() + "/";
        if (NativeLibraries.class.getClassLoader().getResource(res + BYTEDECO_FILES[0]) != null) {
            try {
                Path dir = cacheDir().resolve("openblas-bytedeco-" + platform());
                for (String f : BYTEDECO_FILES) {
                    URL u = NativeLibraries.class.getClassLoader().getResource(res + f);
                    if (u != null) extract(u, dir.resolve(f));
                }
                Loaded l = tryLoad(dir.resolve(BYTEDECO_FILES[0]),
                        "org.bytedeco:openblas jar, extracted to " + dir, "cblas_sgemm", tried);
                if (l != null) return l;
            } catch (IOException | UncheckedIOException e) {
                tried.add("org.bytedeco:openblas jar: cannot extract: " + e.getMessage());
            }
        } else {
            tried.add("org.bytedeco:openblas:" + platform() + " jar: not on the class path");
        }
        throw new IllegalStateException("Cannot load OpenBLAS. Tried, in order:\n  - "
                + String.join("\n  - ", tried)
                + "\nFix: install it (Debian/Ubuntu: apt-get install libopenblas0-pthread), or put"
                + " org.bytedeco:openblas:0.3.31-1.5.13:" + platform() + " on the class path, or"
                + " point -Dsinew.openblas.path (or SINEW_OPENBLAS) at a libopenblas.so."
                + " Without native code, use Backends.reference().");
    }

    private static Loaded loadSinew() {
        List<String> tried = new ArrayList<>();
        String explicit = setting("sinew.library.path", "SINEW_LIBRARY");
        if (explicit != null) {
            Loaded l = tryLoad(Path.of(explicit), "explicit path " + explicit, "sinew_col_sum", tried);
            if (l != null) return l;
            throw new IllegalStateException("Cannot load libsinew from " + explicit
                    + " (set by sinew.library.path / SINEW_LIBRARY): " + tried.getLast());
        }
        String res = "native/" + platform() + "/libsinew.so";
        URL url = NativeLibraries.class.getClassLoader().getResource(res);
        if (url == null) {
            throw new IllegalStateException("libsinew for " + platform() + " is not in this build"
                    + " (no resource " + res + "). Sinew's native code is built for linux-x86_64;"
                    + " build from source with CMake, or use Backends.reference().");
        }
        try {
            Path path;
            if ("file".equals(url.getProtocol())) {
                path = Path.of(url.toURI()); // running from target/classes: load in place
            } else {
                byte[] bytes = read(url);
                // Keyed by content, so an upgraded jar never loads a stale extracted copy.
                path = cacheDir().resolve("libsinew-" + sha256(bytes).substring(0, 16) + ".so");
                writeAtomically(bytes, path);
            }
            Loaded l = tryLoad(path, "bundled " + path, "sinew_col_sum", tried);
            if (l != null) return l;
        } catch (IOException | URISyntaxException e) {
            tried.add("bundled " + res + ": " + e.getMessage());
        }
        throw new IllegalStateException("Cannot load libsinew: " + String.join("; ", tried));
    }

    private static Loaded tryLoad(Path path, String source, String probe, List<String> tried) {
        try {
            SymbolLookup l = SymbolLookup.libraryLookup(path, Arena.global());
            if (l.find(probe).isPresent()) return new Loaded(l, source);
            tried.add(source + ": loaded, but has no " + probe);
        } catch (IllegalArgumentException e) {
            tried.add(source + ": " + e.getMessage());
        }
        return null;
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) v = System.getenv(env);
        return v == null || v.isBlank() ? null : v;
    }

    static Path cacheDir() {
        String dir = System.getProperty("sinew.cache.dir");
        if (dir == null) {
            String xdg = System.getenv("XDG_CACHE_HOME");
            dir = xdg != null && !xdg.isBlank()
                    ? Path.of(xdg, "sinew").toString()
                    : Path.of(System.getProperty("user.home"), ".cache", "sinew").toString();
        }
        return Path.of(dir);
    }

    private static void extract(URL url, Path target) throws IOException {
        writeAtomically(read(url), target);
    }

    private static byte[] read(URL url) throws IOException {
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        }
    }

    /**
     * Writes {@code bytes} to {@code target} unless a file of that size is already there.
     * Temp file + rename: a concurrent JVM (e.g. a parallel test fork) never sees half a file. */
    private static void writeAtomically(byte[] bytes, Path target) throws IOException {
        if (Files.isRegularFile(target) && Files.size(target) == bytes.length) return;
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
