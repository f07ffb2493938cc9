package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sinew.TestUtil;
import dev.sinew.layers.Add;
import dev.sinew.layers.Concatenate;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Input;
import dev.sinew.layers.KerasTensor;
import dev.sinew.layers.RandomRotation;
import dev.sinew.optimizers.SGD;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer that draws random numbers (Dropout, augmentation) applied twice: the training pass runs
 * a copy of it at the second application, and that copy's draws must be fixed by what the model
 * saves, so that training resumed from a file equals uninterrupted training bit for bit (as
 * {@link ResumeTest} checks for a Sequential model). The copy used to start at step 0 with seed 0
 * after every load.
 */
class SharedRandomLayersTest {
    @TempDir
    Path dir;

    static Model sharedDropout() {
        var in = Input.of(4);
        Dropout drop = new Dropout(0.5);
        KerasTensor a = drop.apply(new Dense(8, "relu").apply(in));
        KerasTensor b = drop.apply(new Dense(8, "tanh").apply(in));
        Model m = new Model(in, new Dense(3, "softmax").apply(new Add().apply(a, b)), 5);
        m.compile("categorical_crossentropy", new SGD(0.1));
        return m;
    }

    static Model sharedAugmentation() {
        var in = Input.of(4, 4, 1);
        RandomRotation rotate = new RandomRotation(0.2);
        KerasTensor a = new Flatten().apply(rotate.apply(in)), b = new Flatten().apply(rotate.apply(in));
        Model m = new Model(in, new Dense(3, "softmax").apply(new Concatenate().apply(a, b)), 5);
        m.compile("categorical_crossentropy", new SGD(0.1));
        return m;
    }

    void resumesBitForBit(Supplier<Model> make, int width) throws IOException {
        SplittableRandom r = new SplittableRandom(11);
        float[][] x = TestUtil.uniform(r, 60, width, -1, 1), y = TestUtil.oneHot(r, 60, 3);
        List<float[]> straight;
        try (Model a = make.get()) {
            a.fit(x, y, epochs(0, 2));
            straight = a.getWeights();
        }
        Path file = dir.resolve("after-1.zip");
        try (Model b = make.get()) {
            b.fit(x, y, epochs(0, 1));
            b.save(file);
        }
        try (Model c = Model.load(file)) {
            c.fit(x, y, epochs(1, 2));
            List<float[]> resumed = c.getWeights();
            for (int i = 0; i < straight.size(); i++) assertArrayEquals(straight.get(i), resumed.get(i), "weight " + i + " after resuming");
        }
    }

    static FitOptions epochs(int from, int to) {
        return FitOptions.builder().batchSize(10).epochs(to).initialEpoch(from).verbose(0).build();
    }

    @Test
    void aSharedDropoutResumesBitForBit() throws IOException {
        resumesBitForBit(SharedRandomLayersTest::sharedDropout, 4);
    }

    @Test
    void aSharedAugmentationResumesBitForBit() throws IOException {
        resumesBitForBit(SharedRandomLayersTest::sharedAugmentation, 16);
    }
}
