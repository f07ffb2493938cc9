package dev.sinew.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.models.FitOptions;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelCheckpoint: file names from the logs, save_best_only by mode, whole model or weights only. */
class ModelCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void fileNamesTakeTheEpochAndLoggedValuesInPythonFormat() {
        assertEquals("m-03-0.1235.zip", ModelCheckpoint.format("m-{epoch:02d}-{val_loss:.4f}.zip", 3, Map.of("val_loss", 0.123456)));
        assertEquals("e7", ModelCheckpoint.format("e{epoch}", 7, Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelCheckpoint.format("{val_acc}", 1, Map.of("val_loss", 1.0)));
        assertTrue(e.getMessage().contains("val_acc") && e.getMessage().contains("val_loss"), e.getMessage());
    }

    /** A scripted run of val_loss values: only improvements are saved (mode min, the default for a loss). */
    @Test
    void saveBestOnlyWritesWhenTheMonitorImproves() throws Exception {
        try (Sequential m = tiny()) {
            ModelCheckpoint cp = ModelCheckpoint.builder(dir.resolve("best-{epoch}.zip")).saveBestOnly(true).build();
            cp.setModel(m);
            double[] valLoss = {0.9, 0.7, 0.8, 0.6, 0.6};
            for (int e = 0; e < valLoss.length; e++) cp.onEpochEnd(e, Map.of("val_loss", valLoss[e]));
            List<String> files = names();
            assertEquals(List.of("best-1.zip", "best-2.zip", "best-4.zip"), files);
            assertEquals(0.6, cp.best());
            // mode auto is max for accuracy; initial_value_threshold must be beaten first
            ModelCheckpoint acc = ModelCheckpoint.builder(dir.resolve("acc-{epoch}.zip")).monitor("val_accuracy")
                    .saveBestOnly(true).initialValueThreshold(0.5).build();
            acc.setModel(m);
            double[] va = {0.4, 0.55, 0.5, 0.7};
            for (int e = 0; e < va.length; e++) acc.onEpochEnd(e, Map.of("val_accuracy", va[e]));
            assertTrue(names().containsAll(List.of("acc-2.zip", "acc-4.zip")));
            assertFalse(names().contains("acc-1.zip") || names().contains("acc-3.zip"));
            IllegalStateException missing = assertThrows(IllegalStateException.class, () -> acc.onEpochEnd(9, Map.of("loss", 1.0)));
            assertTrue(missing.getMessage().contains("val_accuracy"), missing.getMessage());
        }
    }

    @Test
    void aCheckpointRestoresTheModelAndWeightsOnlyFilesLoadIntoIt() throws Exception {
        SplittableRandom rng = new SplittableRandom(2);
        float[][] x = TestUtil.uniform(rng, 64, 3, -1, 1), y = TestUtil.uniform(rng, 64, 2, -1, 1);
        Path whole = dir.resolve("whole.zip"), weights = dir.resolve("weights.zip");
        try (Sequential m = tiny()) {
            m.fit(x, y, FitOptions.builder().batchSize(16).epochs(2).verbose(0).callbacks(new ModelCheckpoint(whole),
                    ModelCheckpoint.builder(weights).saveWeightsOnly(true).build()).build());
            try (Sequential loaded = Sequential.load(whole)) {
                assertTrue(loaded.isCompiled());
                assertEquals(2, loaded.epoch());
                assertEquals(8, loaded.optimizer().iterations());
            }
            try (Sequential fresh = tiny()) {
                fresh.loadWeights(weights);
                for (int i = 0; i < 4; i++) assertArrayEquals(m.getWeights().get(i), fresh.getWeights().get(i));
            }
            try (Sequential onlyWeights = Sequential.load(weights)) {
                assertFalse(onlyWeights.isCompiled(), "a weights-only file has no compile settings");
            }
            // A monitor the logs will not have is refused before any step (no validation data here).
            ModelCheckpoint best = ModelCheckpoint.builder(dir.resolve("b.zip")).saveBestOnly(true).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fit(x, y,
                    FitOptions.builder().epochs(1).verbose(0).callbacks(best).build()));
            assertTrue(e.getMessage().contains("val_loss"), e.getMessage());
        }
    }

    static Sequential tiny() {
        Sequential m = new Sequential(1);
        m.add(new Input(3));
        m.add(new Dense(4, "tanh"));
        m.add(new Dense(2));
        m.compile("mse", new SGD(0.1));
        return m;
    }

    List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
