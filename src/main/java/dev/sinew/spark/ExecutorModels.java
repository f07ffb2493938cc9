package dev.sinew.spark;

import dev.sinew.layers.Layer;
import dev.sinew.models.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;

/**
 * The models an executor JVM rebuilt from the driver's model file, kept between rounds so that
 * a model is read (and its off-heap memory allocated) once per executor and concurrent task, not
 * once per step: a task takes an idle one ({@link #use}), loads the round's weights into it and
 * leaves it for the next. Keyed by the training run, whose end releases them ({@link #release}).
 */
final class ExecutorModels {
    private ExecutorModels() {}

    private static final Map<String, ConcurrentLinkedDeque<Model>> IDLE = new ConcurrentHashMap<>();

    /**
     * Runs {@code work} on a model of {@code run}: an idle one, or a new one read from
     * {@code modelFile} (the bytes of a saved model). The model is kept for the next task when
     * {@code work} returns, and closed when it throws, since its state is then unknown.
     */
    static <T> T use(String run, byte[] modelFile, Function<Model, T> work) {
        Model m = IDLE.computeIfAbsent(run, k -> new ConcurrentLinkedDeque<>()).pollFirst();
        if (m == null) m = rebuild(modelFile);
        boolean done = false;
        try {
            T result = work.apply(m);
            done = true;
            return result;
        } finally {
            ConcurrentLinkedDeque<Model> idle = IDLE.get(run);
            if (done && idle != null) idle.addFirst(m);
            else m.close(); // failed, or the run ended while this task ran
        }
    }

    /** Closes the idle models of {@code run} (every one, in a JVM whose tasks have finished); returns how many. */
    static int release(String run) {
        ConcurrentLinkedDeque<Model> idle = IDLE.remove(run);
        if (idle == null) return 0;
        int n = 0;
        for (Model m; (m = idle.pollFirst()) != null; n++) m.close();
        return n;
    }

    /** How many models of all runs are idle in this JVM (for tests: none once every fit has returned). */
    static int idleTotal() {
        int n = 0;
        for (ConcurrentLinkedDeque<Model> idle : IDLE.values()) n += idle.size();
        return n;
    }

    /**
     * Sets the draw counter (the last value of {@code rngState}: Dropout's mask step,
     * augmentation's batch count) of every random layer of an executor's copy to {@code counter}:
     * each task draws from its own numbered stream, the same on a retry and whichever copy runs
     * it, so Dropout's masks depend only on the seed, the round and the partition.
     */
    static void drawFrom(Model m, long counter) {
        for (Layer l : m.layers()) {
            long[] state = l.rngState();
            if (state.length == 0) continue;
            state[state.length - 1] = counter;
            l.setRngState(state);
        }
    }

    /** Model.load reads a file: the bytes go through a temporary one, deleted at once. */
    private static Model rebuild(byte[] modelFile) {
        try {
            Path tmp = Files.createTempFile("sinew-spark-", ".zip");
            try {
                Files.write(tmp, modelFile);
                return Model.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("an executor could not rebuild the model from its file: " + e.getMessage(), e);
        }
    }
}
