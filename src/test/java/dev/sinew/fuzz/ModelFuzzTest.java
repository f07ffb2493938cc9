package dev.sinew.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.NativeBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of whole models (issue 9, B3): random layer stacks, batch sizes, values and
 * lifecycle orders on the native and the reference backend in lockstep; see {@link ModelFuzzCase}
 * for the properties. Each case is fixed by one seed.
 *
 * <ul>
 *   <li>Default ({@code mvn test}): seeds 0 to {@value #DEFAULT_CASES} - 1, the same every run.</li>
 *   <li>{@code -Dsinew.fuzz.seconds=N}: new seeds (from a random base, printed) for N seconds.</li>
 *   <li>{@code -Dsinew.fuzz.seed=S}: case S alone, printing its calls (to replay a failure).</li>
 * </ul>
 * A JVM crash ends the surefire fork; the seed of the case that was running is then in
 * {@code target/sinew-model-fuzz-case.txt}.
 */
class ModelFuzzTest {
    static final int DEFAULT_CASES = 300;
    static final int MAX_FAILURES = 10;

    @Test
    void randomModelsValuesAndLifecycles(@TempDir Path dir) throws IOException {
        long seconds = Long.getLong("sinew.fuzz.seconds", 0);
        String replay = System.getProperty("sinew.fuzz.seed");
        long base = replay != null ? Long.parseLong(replay) : seconds > 0 ? new SplittableRandom().nextLong() & 0xFFFFFFFFFFFFL : 0;
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        if (seconds > 0) System.out.printf("ModelFuzzTest: %d s from seed %d%n", seconds, base);
        Path marker = Path.of("target", "sinew-model-fuzz-case.txt");
        FuzzStats stats = new FuzzStats();
        List<String> failures = new ArrayList<>();
        int threads = NativeBackend.threads();
        long start = System.nanoTime();
        try {
            for (long i = 0; ; i++) {
                if (replay != null ? i == 1 : seconds > 0 ? System.nanoTime() > deadline : i == DEFAULT_CASES) break;
                long seed = base + i;
                if (Files.isDirectory(marker.getParent())) Files.writeString(marker, "running case " + seed + "\n");
                ModelFuzzCase c = new ModelFuzzCase(seed, dir, stats);
                NativeBackend.setThreads(c.threads > 0 ? c.threads : threads);
                stats.cases++;
                if (c.big) stats.shardedCases++;
                try {
                    c.run();
                    if (replay != null) System.out.println("case " + seed + " passed; its calls:\n" + c.log());
                } catch (ModelFuzzCase.Failure f) {
                    failures.add(f.getMessage());
                } catch (Throwable t) {
                    failures.add("seed " + seed + ": the fuzzer itself failed: " + t + "\n  calls:\n" + c.log().indent(4));
                    t.printStackTrace();
                } finally {
                    clean(dir);
                }
                if (failures.size() >= MAX_FAILURES) break;
            }
        } finally {
            NativeBackend.setThreads(threads);
        }
        if (Files.isDirectory(marker.getParent())) Files.writeString(marker, "finished\n");
        System.out.print(stats.report((System.nanoTime() - start) / 1e9));
        for (String f : failures) System.out.println("FAILURE " + f);
        assertTrue(failures.isEmpty(), failures.size() + " fuzz case(s) failed (replay one with -Dsinew.fuzz.seed=S):\n"
                + String.join("\n\n", failures));
    }

    private static void clean(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                if (!p.equals(dir)) Files.delete(p);
            }
        }
    }
}
