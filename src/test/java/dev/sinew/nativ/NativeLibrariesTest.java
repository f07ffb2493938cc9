package dev.sinew.nativ;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.NativeBackend;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the native libraries are found; the search order is exercised in fresh JVMs. */
class NativeLibrariesTest {

    @Test
    void reportsWhereOpenBlasCameFrom() {
        NativeBackend.get();
        System.out.println("OpenBLAS found as: " + NativeLibraries.openblasSource());
        System.out.println("OpenBLAS config:   " + NativeBackend.openblasConfig() + ", threads " + NativeBackend.threads());
        System.out.println("libsinew found as: " + NativeLibraries.sinewSource());
        assertTrue(NativeBackend.openblasConfig().startsWith("OpenBLAS"));
    }

    @Test
    void threadCountIsConfigurable() {
        int before = NativeBackend.threads();
        NativeBackend.setThreads(1);
        assertEquals(1, NativeBackend.threads());
        NativeBackend.setThreads(before);
        assertEquals(before, NativeBackend.threads());
    }

    /** Runs {@code sinew info} in a new JVM with extra system properties; returns exit code and output. */
    static Object[] info(Path cache, String... props) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Dsinew.cache.dir=" + cache);
        cmd.addAll(List.of(props));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.sinew.cli.Main", "info"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Object[] {p.waitFor(), out};
    }

    @Test
    void fallsBackToTheOpenBlasJarFromMavenCentral(@TempDir Path cache) throws Exception {
        Object[] r = info(cache, "-Dsinew.openblas.system=false");
        System.out.println(r[1]);
        assertEquals(0, r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains("org.bytedeco:openblas jar, extracted to " + cache), (String) r[1]);
        assertTrue(((String) r[1]).contains("sgemm self-check: ok"), (String) r[1]);
        assertTrue(Files.exists(cache.resolve("openblas-bytedeco-" + NativeLibraries.platform()).resolve("libopenblas.so.0")));
    }

    @Test
    void aBadExplicitPathIsAClearError(@TempDir Path cache) throws Exception {
        String missing = cache.resolve("nope" + File.separator + "libopenblas.so").toString();
        Object[] r = info(cache, "-Dsinew.openblas.path=" + missing);
        System.out.println(r[1]);
        assertEquals(1, r[0]);
        assertTrue(((String) r[1]).contains("Cannot load OpenBLAS from " + missing), (String) r[1]);
    }
}
