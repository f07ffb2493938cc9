package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.layers.Layer;
import dev.sinew.tensor.ParameterTable;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Variable;
import dev.sinew.tensor.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model's weight table and each layer's own weights (issue 10, item 1). */
class ParameterTableTest {

    static Sequential model() {
        Sequential m = new Sequential(3);
        m.add(new Input(2));
        m.add(new Dense(3, "relu"));
        m.add(new Dense(1));
        return m;
    }

    @Test
    void theTableNamesEveryWeightInKerasOrder() {
        try (Sequential m = model()) {
            ParameterTable t = m.parameterTable();
            List<String> paths = t.variables().stream().map(Variable::path).toList();
            assertEquals(List.of("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"), paths);
            // Contiguous, in order: 2*3, 3, 3*1, 1.
            assertEquals(List.of(0L, 6L, 9L, 12L), t.variables().stream().map(Variable::offset).toList());
            assertEquals(13, t.trainableSize());
            assertEquals(Shape.of(2, 3), t.variables().get(0).shape());
            List<float[]> w = m.getWeights();
            for (int i = 0; i < w.size(); i++) assertArrayEquals(w.get(i), t.value(t.variables().get(i)).toArray());
        }
    }

    @Test
    void nonTrainableWeightsComeAfterTheTrainableOnesAndHaveNoGradient() {
        try (Workspace ws = new Workspace()) {
            ParameterTable t = ParameterTable.allocate(ws, List.of(
                    new ParameterTable.Spec("bn", "gamma", Shape.of(4), true),
                    new ParameterTable.Spec("bn", "moving_mean", Shape.of(4), false),
                    new ParameterTable.Spec("dense", "kernel", Shape.of(4, 2), true)));
            assertEquals(List.of(0L, 12L, 4L), t.variables().stream().map(Variable::offset).toList());
            assertEquals(12, t.trainableSize());
            assertEquals(16, t.size());
            assertEquals(null, t.gradient(t.variables().get(1)));
            assertEquals(List.of("bn/gamma", "dense/kernel"), t.trainable().stream().map(Variable::path).toList());
        }
    }

    @Test
    void layersGetAndSetTheirOwnWeights() {
        try (Sequential m = model()) {
            Layer d = m.getLayer("dense_1");
            List<float[]> w = d.getWeights();
            assertEquals(2, w.size());
            assertEquals(3, w.get(0).length);
            d.setWeights(List.of(new float[] {1, -2, 3}, new float[] {0.5f}));
            // x = [1, 1] through dense (its own weights) then dense_1: check against the model's view.
            assertArrayEquals(new float[] {1, -2, 3}, m.getWeights().get(2));
            assertArrayEquals(new float[] {0.5f}, m.getWeights().get(3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> d.setWeights(List.of(new float[] {1, 2}, new float[] {0})));
            assertTrue(e.getMessage().contains("Dense \"dense_1\"") && e.getMessage().contains("kernel"), e.getMessage());
            assertArrayEquals(new float[] {1, -2, 3}, d.getWeights().get(0), "a rejected set changes nothing");
            e = assertThrows(IllegalArgumentException.class, () -> m.getLayer("dense_7"));
            assertTrue(e.getMessage().contains("[dense, dense_1]"), e.getMessage());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Dense(2).getWeights());
        assertTrue(e.getMessage().contains("not in a model"), e.getMessage());
    }

    @Test
    void summaryCountsTrainableAndNonTrainableParams() {
        try (Sequential m = model()) {
            String s = m.summary();
            assertTrue(s.contains("Total params: 13 "), s);
            assertTrue(s.contains("Trainable params: 13 "), s);
            assertTrue(s.contains("Non-trainable params: 0 "), s);
        }
    }
}
