package dev.sinew.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Input;
import dev.sinew.models.FitOptions;
import dev.sinew.models.History;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.Adam;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BackupAndRestore resumes a fit whose JVM was killed (issue 10, item 6): a child JVM trains with
 * it and is killed (SIGKILL) after its third epoch; a second fit with the same backup directory
 * continues from the backup and ends with exactly the weights of an uninterrupted run.
 */
class BackupAndRestoreTest {
    static final int EPOCHS = 6;

    @TempDir
    Path dir;

    static Sequential model() {
        Sequential m = new Sequential(21);
        m.add(new Input(16));
        m.add(new Dense(24, "relu"));
        m.add(new Dropout(0.1));
        m.add(new Dense(3, "softmax"));
        m.compile("categorical_crossentropy", new Adam(0.005), "accuracy");
        return m;
    }

    static float[][][] data() {
        SplittableRandom rng = new SplittableRandom(4);
        return new float[][][] {TestUtil.uniform(rng, 400, 16, -1, 1), TestUtil.oneHot(rng, 400, 3)};
    }

    static FitOptions.Builder options(Callback... cs) {
        return FitOptions.builder().batchSize(40).epochs(EPOCHS).verbose(0).callbacks(cs);
    }

    /** The child: trains with BackupAndRestore in args[0], saying on stdout when each epoch is backed up. */
    public static void main(String[] args) {
        float[][][] d = data();
        try (Sequential m = model()) {
            m.fit(d[0], d[1], options(new BackupAndRestore(Path.of(args[0])), new Callback() {
                @Override
                public void onEpochEnd(int epoch, Map<String, Double> logs) {
                    System.out.println("epoch " + (epoch + 1) + " backed up");
                    System.out.flush();
                    if (epoch + 1 == 3) { // wait to be killed: no later epoch must reach the backup
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            }).build());
        }
    }

    @Test
    void aKilledFitResumesToTheWeightsOfAnUninterruptedOne() throws Exception {
        float[][][] d = data();
        List<float[]> uninterrupted;
        try (Sequential m = model()) {
            m.fit(d[0], d[1], options().build());
            uninterrupted = m.getWeights();
        }

        Path backup = dir.resolve("backup");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), BackupAndRestoreTest.class.getName(), backup.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("epoch 3 backed up")) {
                System.out.println("child: " + line);
            }
            assertEquals("epoch 3 backed up", line, "the child ended before its third epoch");
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.isRegularFile(backup.resolve("backup.zip")), "the killed run left its backup");

        try (Sequential m = model()) {
            BackupAndRestore restore = new BackupAndRestore(backup);
            History h = m.fit(d[0], d[1], options(restore).build());
            assertEquals(EPOCHS - 3, h.epochs(), "resumed after epoch 3: epochs 4 to 6 trained");
            List<float[]> resumed = m.getWeights();
            for (int i = 0; i < resumed.size(); i++) {
                assertArrayEquals(uninterrupted.get(i), resumed.get(i), "weight " + i + " after resuming");
            }
            assertFalse(Files.exists(restore.backupFile()), "a completed run deletes its backup");
            System.out.println("BackupAndRestoreTest: child killed after epoch 3; the resumed fit trained epochs 4-6 and"
                    + " ended bit for bit on the uninterrupted run's weights");
        }
    }
}
