package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backends;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Input;
import dev.sinew.layers.KerasTensor;
import dev.sinew.layers.MaxPooling2D;
import dev.sinew.optimizers.SGD;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code new Model(model.input(), model.output("conv2d"))}, Keras's feature extractor: a view
 * that reads the model's weights as they are at each call (no copy), gives exactly what a model
 * of those layers with those weights gives, is inference-only, and fails clearly once the model
 * it reads is closed.
 */
class FeatureExtractorTest {
    static final float[][] X = TestUtil.uniform(new SplittableRandom(5), 10, 36, -1, 1); // 6x6x1 images
    static final float[][] Y = TestUtil.oneHot(new SplittableRandom(6), 10, 3);

    static Model cnn() {
        var in = Input.of(6, 6, 1);
        KerasTensor maps = new Conv2D(2, 3, "relu").apply(in);
        KerasTensor out = new Dense(3, "softmax").apply(new Flatten().apply(new MaxPooling2D(2).apply(maps)));
        Model m = new Model(Backends.nativeBackend(), 12, null, in, out);
        m.compile("categorical_crossentropy", new SGD(0.5), "accuracy");
        return m;
    }

    /** What the feature maps must be: a model of one Conv2D given the owner's conv2d weights. */
    static float[][] mapsByHand(Model owner) {
        try (Sequential s = new Sequential(Backends.nativeBackend(), 1)) {
            s.add(new Input(6, 6, 1));
            s.add(new Conv2D(2, 3, "relu"));
            s.setWeights(owner.getLayer("conv2d").getWeights());
            return s.predict(X);
        }
    }

    @Test
    void aViewPredictsFeatureMapsWithTheOwnersCurrentWeights() {
        try (Model owner = cnn(); Model maps = new Model(owner.input(), owner.output("conv2d"))) {
            assertTrue(maps.isView());
            assertEquals(owner, maps.viewOf());
            assertEquals(0, maps.offHeapBytes(), "a view allocates no weights of its own");
            assertEquals(List.of("conv2d"), maps.layers().stream().map(l -> l.name()).toList());
            assertEquals(List.of(owner.getWeights().get(0).length, owner.getWeights().get(1).length),
                    maps.getWeights().stream().map(w -> w.length).toList());
            float[][] before = maps.predict(X);
            assertEquals(4 * 4 * 2, before[0].length);
            assertArrayEquals(mapsByHand(owner), before);
            owner.fit(X, Y, FitOptions.builder().batchSize(5).epochs(2).verbose(0).build());
            float[][] after = maps.predict(X);
            assertFalse(java.util.Arrays.deepEquals(before, after), "training the owner changes what the view sees");
            assertArrayEquals(mapsByHand(owner), after);
            assertArrayEquals(owner.getWeights().get(0), maps.getWeights().get(0));
            String s = maps.summary();
            assertTrue(s.contains("conv2d (Conv2D)") && s.contains("(None, 4, 4, 2)") && s.contains("Total params: 20"), s);
        }
    }

    @Test
    void aViewOfASequentialModelAndOfANewInput() {
        try (Sequential owner = new Sequential(Backends.nativeBackend(), 3)) {
            owner.add(new Input(36));
            owner.add(new Dense(5, "tanh"));
            owner.add(new Dense(3, "softmax"));
            try (Model hidden = new Model(owner.input(), owner.output("dense"))) {
                float[][] h = hidden.predict(X);
                assertEquals(5, h[0].length);
                // The same layer applied to a new input is a view too (the layer's weights are the owner's).
                var fresh = Input.of(36);
                try (Model again = new Model(fresh, owner.getLayer("dense").apply(fresh))) {
                    assertArrayEquals(h, again.predict(X));
                }
            }
        }
    }

    @Test
    void viewsAreInferenceOnlyAndDieWithTheirOwner(@TempDir Path dir) throws Exception {
        Model owner = cnn();
        Model maps = new Model(owner.input(), owner.output("conv2d"));
        for (Runnable r : List.<Runnable>of(() -> maps.compile("mse", new SGD(0.1)), () -> maps.setWeights(maps.getWeights()),
                () -> maps.fit(X, X, 5, 1))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, r::run);
            assertTrue(e.getMessage().contains("inference-only view") && e.getMessage().contains(owner.name()), e.getMessage());
        }
        // Saved, a view is a model of its own: same predictions, and trainable.
        Path file = dir.resolve("maps.zip");
        maps.save(file);
        try (Model standalone = Model.load(file)) {
            assertFalse(standalone.isView());
            assertArrayEquals(maps.predict(X), standalone.predict(X));
            standalone.compile("mse", new SGD(0.1));
            standalone.fit(X, maps.predict(X), FitOptions.builder().verbose(0).build());
        }
        owner.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> maps.predict(X));
        assertTrue(e.getMessage().contains(owner.name()) && e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, maps::getWeights);
        assertThrows(IllegalStateException.class, maps::summary);
        maps.close();
        assertEquals(0, maps.offHeapBytes());
        // The closed owner's layers cannot make a new view either.
        IllegalArgumentException gone = assertThrows(IllegalArgumentException.class,
                () -> new Model(owner.inputs().getFirst(), owner.layers().getFirst().apply(owner.inputs().getFirst())));
        assertTrue(gone.getMessage().contains("closed"), gone.getMessage());
    }

    @Test
    void closingTheViewLeavesTheOwnerWhole() {
        try (Model owner = cnn()) {
            float[][] p = owner.predict(X);
            long bytes = owner.offHeapBytes();
            try (Model maps = new Model(owner.input(), owner.output("conv2d"))) {
                maps.predict(X);
                assertNotEquals(0, maps.offHeapBytes());
            }
            assertEquals(bytes, owner.offHeapBytes());
            assertArrayEquals(p, owner.predict(X));
            owner.fit(X, Y, FitOptions.builder().batchSize(5).verbose(0).build());
        }
    }

    @Test
    void mixesAndAmbiguousOutputsAreRefused() {
        try (Model owner = cnn()) {
            KerasTensor maps = owner.output("conv2d");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Model(owner.input(), new Dense(2).apply(new Flatten().apply(maps))));
            assertTrue(e.getMessage().contains("is new but") && e.getMessage().contains("Conv2D \"conv2d\"")
                    && e.getMessage().contains(owner.name()), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> owner.output("nope"));
            assertTrue(e.getMessage().contains("No such layer: nope"), e.getMessage());
        }
        var in = Input.of(4);
        Dense shared = new Dense(4);
        try (Model twice = new Model(in, shared.apply(shared.apply(in)))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> twice.output(shared.name()));
            assertTrue(e.getMessage().contains("applied 2 times"), e.getMessage());
        }
    }
}
