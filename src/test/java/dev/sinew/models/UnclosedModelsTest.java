package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.tensor.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Models that are never closed give their native memory back once unreachable (issue 9, B1).
 * Before, each dropped model kept its arenas until the process ended: 150 unclosed notebook MLPs
 * grew a process from 102 MB to 1.7 GB.
 */
class UnclosedModelsTest {
    static final int MODELS = 2000;
    static final long BOUND = 768L << 20;

    static Sequential model() {
        Sequential m = new Sequential(1);
        m.add(new Input(500));
        m.add(new Dense(500, "relu")); // 250,500 weights: 2 MB of weights and gradients
        return m;
    }

    @Test
    void droppedModelsAreFreedAndMemoryStaysBounded() throws Exception {
        float[][] x = new float[1][500];
        long start = Workspace.liveBytes(), freedBefore = ModelMemory.FREED.get(), rssStart = rssKb();
        long peak = 0, perModel = 0;
        for (int i = 0; i < MODELS; i++) {
            Sequential m = model();
            m.predict(x);
            if (i == 0) perModel = m.offHeapBytes();
            peak = Math.max(peak, Workspace.liveBytes() - start);
            // Fail early, not after the machine has run out of memory.
            assertTrue(peak < BOUND, "after " + (i + 1) + " dropped models Sinew holds " + (peak >> 20) + " MB");
        }
        long freed = ModelMemory.FREED.get() - freedBefore;
        System.out.printf("UnclosedModelsTest: %d models of %d KB dropped unclosed (%d MB if none were freed);"
                + " peak %d MB held, %d freed by the cleaner during the loop; RSS %d MB -> %d MB; NMT Other %d MB%n",
                MODELS, perModel >> 10, MODELS * perModel >> 20, peak >> 20, freed, rssStart >> 10, rssKb() >> 10,
                MemoryTest.nativeOtherKb() >> 10);
        assertTrue(freed >= MODELS - BOUND / perModel, "only " + freed + " models were freed");
        assertTrue(MemoryTest.nativeOtherKb() * 1024 < BOUND + start + (256L << 20), "NMT Other stays bounded");
    }

    /** close() frees at once and deregisters from the cleaner: the memory is freed exactly once. */
    @Test
    void aClosedModelIsNotFreedTwice() throws Exception {
        ModelMemory memory;
        long freedBefore = ModelMemory.FREED.get();
        {
            Sequential m = model();
            m.predict(new float[1][500]);
            memory = m.memory();
            assertTrue(m.offHeapBytes() > 0);
            m.close();
            assertEquals(1, memory.runs);
            assertEquals(0, m.offHeapBytes());
        }
        assertTrue(ModelMemory.FREED.get() > freedBefore);
        for (int i = 0; i < 20; i++) { // the model is unreachable now: give the cleaner every chance
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(1, memory.runs, "the cleaner ran again for a model that close() had freed");
    }

    /** Resident set size in KB, from /proc (Linux). */
    static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        return -1;
    }
}
