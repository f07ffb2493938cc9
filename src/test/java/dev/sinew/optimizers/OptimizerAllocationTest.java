package dev.sinew.optimizers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Backends;
import dev.sinew.tensor.ParameterTable;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Workspace;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A step with every shared option on (weight decay, clipping, EMA with overwrite) allocates nothing. */
class OptimizerAllocationTest {
    @Test
    void aStepWithDecayClippingAndEmaAllocatesNothing() {
        try (Workspace ws = new Workspace()) {
            ParameterTable t = ParameterTable.allocate(ws, List.of(
                    new ParameterTable.Spec("dense", "kernel", Shape.of(64, 32), true),
                    new ParameterTable.Spec("dense", "bias", Shape.of(32), true),
                    new ParameterTable.Spec("dense_1", "kernel", Shape.of(32, 10), true)));
            for (long i = 0; i < t.trainableSize(); i++) t.gradients().set(i, (float) Math.sin(i));
            for (Optimizer o : new Optimizer[] {
                    AdamW.builder().clipnorm(0.5).useEma(true).emaOverwriteFrequency(3).build(),
                    SGD.builder().momentum(0.9).globalClipnorm(0.5).weightDecay(0.01).build()}) {
                o.build(Backends.nativeBackend(), t, ws);
                for (int i = 0; i < 20_000; i++) o.step(); // warm up: JIT
                com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 10_000; i++) o.step();
                double perStep = (mx.getCurrentThreadAllocatedBytes() - before) / 10_000.0;
                System.out.printf("OptimizerAllocationTest: %s with decay, clipping and EMA: %.2f bytes per step%n", o.name(), perStep);
                assertTrue(perStep < 1, o.name() + " allocates " + perStep + " bytes per step");
            }
        }
    }
}
