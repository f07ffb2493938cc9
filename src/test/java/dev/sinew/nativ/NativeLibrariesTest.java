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
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
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

    /**
     * The thread count is how many shards a batch is split into: 1 thread runs the whole batch as
     * one shard, 2 threads run two contiguous halves; work too small to pay for a hand-over, or a
     * single row, stays in one piece. (A set/get round trip alone would pass with a count that
     * nothing reads.)
     */
    @Test
    void threadCountDecidesHowABatchIsSplit() {
        NativeBackend backend = NativeBackend.get();
        int before = NativeBackend.threads();
        long large = 1L << 30; // floating-point operations: far above the one-shard threshold
        try {
            NativeBackend.setThreads(1);
            assertEquals(1, NativeBackend.threads());
            assertEquals(List.of("0:[0,10)"), shards(backend, 10, large));

            NativeBackend.setThreads(2);
            assertEquals(2, NativeBackend.threads());
            assertEquals(2, backend.shards());
            assertEquals(List.of("0:[0,5)", "1:[5,10)"), shards(backend, 10, large));
            assertEquals(List.of("0:[0,3)", "1:[3,7)"), shards(backend, 7, large), "the first shard one row shorter");
            assertEquals(List.of("0:[0,10)"), shards(backend, 10, 1), "too little work to split");
            assertEquals(List.of("0:[0,1)"), shards(backend, 1, large), "one row cannot be split");
        } finally {
            NativeBackend.setThreads(before);
        }
        assertEquals(before, NativeBackend.threads());
    }

    /** The shards forEachShard ran, as "shard:[from,to)" in shard order; checks it returned their count. */
    static List<String> shards(NativeBackend backend, int n, long work) {
        Map<Integer, String> ran = new ConcurrentSkipListMap<>(); // shards 1.. run on worker threads
        int count = backend.forEachShard(n, work, (s, from, to) -> ran.put(s, s + ":[" + from + "," + to + ")"));
        assertEquals(count, ran.size(), "forEachShard's count vs the shards that ran: " + ran);
        return List.copyOf(ran.values());
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
