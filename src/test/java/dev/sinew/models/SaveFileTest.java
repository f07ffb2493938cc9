package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.optimizers.SGD;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, A6: how {@code save} uses the file system. One temporary file with a fixed name
 * beside the target ({@code model.zip.sinew-tmp}), renamed over the target when complete, so a
 * killed save leaves at most that one file, which the next save replaces; the target keeps its
 * permissions, and a new target gets the usual ones (umask), not a temporary file's 0600.
 */
class SaveFileTest {
    static Sequential small(long seed) {
        Sequential net = new Sequential(seed);
        net.add(new Input(3));
        net.add(new Dense(4, "relu"));
        net.add(new Dense(2, "softmax"));
        net.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
        return net;
    }

    static List<String> listing(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static void assumePosix() {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "needs POSIX permissions");
    }

    @Test
    void savesLeaveOnlyTheTarget(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.zip");
        try (Sequential net = small(1)) {
            for (int i = 0; i < 5; i++) {
                net.save(file);
                assertEquals(List.of("model.zip"), listing(dir), "after save " + (i + 1));
            }
        }
    }

    @Test
    void aStaleTemporaryFileFromAKilledSaveIsReplaced(@TempDir Path dir) throws IOException {
        assumePosix();
        Path file = dir.resolve("model.zip");
        Path stale = dir.resolve("model.zip.sinew-tmp");
        // What kill -9 half-way through a save leaves: a partial zip, here also with unusual permissions.
        Files.write(stale, new byte[] {'P', 'K', 3, 4, 0, 0, 0});
        Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("r--------"));
        try (Sequential net = small(2)) {
            net.save(file);
            assertEquals(List.of("model.zip"), listing(dir), "the stale temporary file is gone");
            assertEquals(fresh(dir), Files.getPosixFilePermissions(file), "the stale file's permissions are not inherited");
            try (Sequential loaded = Sequential.load(file)) {
                assertArrayEquals(net.getWeights().get(0), loaded.getWeights().get(0));
            }
        }
    }

    /** The permissions a file newly created in {@code dir} gets (0666 less the umask). */
    static Set<PosixFilePermission> fresh(Path dir) throws IOException {
        Path probe = dir.resolve("probe");
        try (OutputStream out = Files.newOutputStream(probe)) {
            out.write(1);
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(probe);
        Files.delete(probe);
        return perms;
    }

    @Test
    void aNewFileGetsTheUsualPermissions(@TempDir Path dir) throws IOException {
        assumePosix();
        Path file = dir.resolve("new.zip");
        try (Sequential net = small(3)) {
            net.save(file);
        }
        Set<PosixFilePermission> expected = fresh(dir);
        System.out.println("new file: " + PosixFilePermissions.toString(Files.getPosixFilePermissions(file))
                + ", expected " + PosixFilePermissions.toString(expected));
        assertEquals(expected, Files.getPosixFilePermissions(file));
    }

    @Test
    void overwritingKeepsTheTargetsPermissions(@TempDir Path dir) throws IOException {
        assumePosix();
        Path file = dir.resolve("model.zip");
        try (Sequential net = small(4)) {
            for (String perms : new String[] {"rw-r--r--", "rw-r-----", "r--r--r--", "rw-rw-rw-"}) {
                net.save(file);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
                net.save(file);
                assertEquals(perms, PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                assertEquals(List.of("model.zip"), listing(dir));
            }
        }
    }

    @Test
    void concurrentSavesToOnePathLeaveOneWholeFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.zip");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Sequential a = small(5); Sequential b = small(6)) {
            List<float[]> wa = a.getWeights(), wb = b.getWeights();
            List<Future<?>> done = new java.util.ArrayList<>();
            for (Sequential net : List.of(a, b)) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 20; i++) net.save(file);
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            assertEquals(List.of("model.zip"), listing(dir));
            try (Sequential loaded = Sequential.load(file)) {
                float[] k = loaded.getWeights().get(0);
                assertTrue(java.util.Arrays.equals(k, wa.get(0)) || java.util.Arrays.equals(k, wb.get(0)),
                        "the file is one of the two models, whole");
            }
        } finally {
            pool.shutdown();
        }
    }
}
