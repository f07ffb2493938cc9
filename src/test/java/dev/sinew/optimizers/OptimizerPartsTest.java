package dev.sinew.optimizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sinew.backend.Backends;
import dev.sinew.backend.NativeBackend;
import dev.sinew.tensor.ParameterTable;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An optimizer step runs in parts on the cores (each an elementwise pass from its own offset):
 * on 2, 3 and 8 threads its weights and every state variable come out bit for bit as on one
 * thread, for every optimizer and its variants. The model is large enough (362,000 weights, over
 * layers of uneven size) that the update splits on every thread count.
 */
class OptimizerPartsTest {
    static List<Supplier<Optimizer>> optimizers() {
        return List.of(() -> new SGD(0.1), () -> SGD.builder().momentum(0.9).nesterov(true).build(),
                () -> new Adam(0.01), () -> Adam.builder().amsgrad(true).build(),
                () -> AdamW.builder().weightDecay(0.01).build(), () -> Nadam.builder().build(), () -> Lion.builder().build(),
                () -> Adadelta.builder().build(), () -> Adagrad.builder().build(), () -> Adamax.builder().build(),
                () -> RMSprop.builder().centered(true).momentum(0.9).build(), () -> RMSprop.builder().build());
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void aStepInPartsIsBitForBitTheStepInOne(Supplier<Optimizer> make) {
        int before = NativeBackend.threads();
        try {
            float[][] one = run(make.get(), 1);
            for (int threads : new int[] {2, 3, 8}) {
                float[][] many = run(make.get(), threads);
                for (int i = 0; i < one.length; i++) {
                    assertArrayEquals(one[i], many[i], make.get().name() + " on " + threads + " threads, tensor " + i);
                }
            }
        } finally {
            NativeBackend.setThreads(before);
        }
    }

    /** Three steps on {@code threads} threads; returns the weights, then each state variable. */
    private static float[][] run(Optimizer o, int threads) {
        NativeBackend.setThreads(threads);
        try (Workspace ws = new Workspace()) {
            ParameterTable t = ParameterTable.allocate(ws, List.of(
                    new ParameterTable.Spec("dense", "kernel", Shape.of(601, 500), true),
                    new ParameterTable.Spec("dense", "bias", Shape.of(500), true),
                    new ParameterTable.Spec("dense_1", "kernel", Shape.of(500, 121), true)));
            long n = t.trainableSize();
            for (long i = 0; i < n; i++) t.values().set(i, (float) Math.cos(0.37 * i));
            o.build(Backends.nativeBackend(), t, ws);
            for (int step = 0; step < 3; step++) {
                for (long i = 0; i < n; i++) t.gradients().set(i, (float) Math.sin(0.011 * i + step) * (1 + i % 7));
                o.step();
            }
            Map<String, Tensor> states = o.stateVariables();
            float[][] out = new float[1 + states.size()][];
            out[0] = t.values().slice(0, Shape.of((int) n)).toArray();
            int k = 1;
            for (Tensor s : states.values()) out[k++] = s.toArray();
            return out;
        }
    }
}
