package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Tensor;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * After the first step at a batch size, training allocates no off-heap memory (model accounting
 * and the JVM's own count of native memory both stay flat over 10,000 steps) and close() frees it.
 */
class MemoryTest {

    /**
     * The JVM's own count of malloc'ed native memory in KB, from Native Memory Tracking (surefire
     * runs with -XX:NativeMemoryTracking=summary): Arena memory is malloc'ed under "Other".
     * An independent witness to the model's own accounting.
     */
    static long nativeOtherKb() {
        try {
            ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
            String out = (String) ManagementFactory.getPlatformMBeanServer().invoke(name, "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            Matcher m = Pattern.compile("-\\s+Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)").matcher(out);
            assumeTrue(m.find(), "Native Memory Tracking is off; run with -XX:NativeMemoryTracking=summary");
            return Long.parseLong(m.group(2));
        } catch (JMException e) {
            throw new AssertionError(e);
        }
    }

    static long threadAllocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void tenThousandStepsDoNotGrowOffHeapMemory() {
        SplittableRandom rng = new SplittableRandom(3);
        float[][] x = TestUtil.uniform(rng, 20, 2, -1, 1);
        float[][] y = TestUtil.uniform(rng, 20, 1, 0, 1);
        long before = nativeOtherKb();
        Sequential net = new Sequential(5);
        net.add(new Input(2));
        net.add(new Dense(32, "relu"));
        net.add(new Dense(32, "tanh"));
        net.add(new Dense(1, "sigmoid"));
        net.compile("mean_squared_error", new SGD(0.05), "accuracy");
        net.trainOnBatch(x, y);
        long modelBytes = net.offHeapBytes(), direct = nativeOtherKb();
        for (int i = 0; i < 10_000; i++) {
            net.trainOnBatch(x, y);
            // A smaller batch reuses the buffers sized for the larger one.
            if (i % 1000 == 0) net.trainOnBatch(new float[][] {x[0]}, new float[][] {y[0]});
        }
        System.out.printf("MemoryTest: model holds %d off-heap bytes after 1 step and %d after 10,000; "
                + "JVM native memory (NMT Other) %d KB -> %d KB%n", modelBytes, net.offHeapBytes(), direct, nativeOtherKb());
        assertEquals(modelBytes, net.offHeapBytes(), "model off-heap bytes grew");
        assertEquals(direct, nativeOtherKb(), "JVM native memory (NMT) grew");
        assertTrue((direct - before) * 1024 >= modelBytes - 1024, "NMT sees the model's arenas");
        net.close();
        assertEquals(0, net.offHeapBytes());
        assertEquals(before, nativeOtherKb(), 1, "close() frees every off-heap byte (NMT, KB)");
    }

    @Test
    void trainingStepAllocatesNoPerElementObjects() {
        SplittableRandom rng = new SplittableRandom(4);
        try (Sequential net = new Sequential(6);
                Tensor x = Tensor.fromRows(TestUtil.uniform(rng, 100, 50, -1, 1));
                Tensor y = Tensor.fromRows(TestUtil.oneHot(rng, 100, 10))) {
            net.add(new Input(50));
            net.add(new Dense(64, "relu"));
            net.add(new Dense(10, "softmax"));
            net.compile("categorical_crossentropy", new SGD(0.05), "accuracy");
            for (int i = 0; i < 5_000; i++) net.trainOnBatch(x, y); // warm up the JIT
            int steps = 10_000;
            long start = threadAllocatedBytes();
            for (int i = 0; i < steps; i++) net.trainOnBatch(x, y);
            double perStep = (threadAllocatedBytes() - start) / (double) steps;
            System.out.printf("MemoryTest: %.1f heap bytes allocated per training step (batch 100, 50-64-10)%n", perStep);
            // A step returns one small float[] (loss, accuracy: 24 bytes); anything per element
            // (100 x 64 activations) would be tens of kilobytes. A message built for a check that
            // passed (a quantized model's, a view's) was 23-30 bytes more.
            assertTrue(perStep < 32, "heap bytes per step: " + perStep);
        }
    }

    /**
     * A step of {@code fit} allocates less than 64 bytes on the heap, over all threads: what one
     * more epoch costs, divided by its steps (so the once-per-fit shuffle index is not counted; the
     * per-epoch logs are). The running logs handed to onBatchEnd were a LinkedHashMap refilled
     * every step, about 110 bytes a step.
     */
    @Test
    void aFitStepAllocatesLessThan64Bytes() {
        SplittableRandom rng = new SplittableRandom(5);
        dev.sinew.data.Dataset data = new dev.sinew.data.Dataset(TestUtil.uniform(rng, 2000, 20, -1, 1),
                TestUtil.oneHot(rng, 2000, 10));
        try (Sequential net = new Sequential(7)) {
            net.add(new Input(20));
            net.add(new Dense(32, "relu"));
            net.add(new Dense(10, "softmax"));
            net.compile("categorical_crossentropy", new SGD(0.05), "accuracy");
            net.fit(data, FitOptions.builder().batchSize(20).epochs(30).verbose(0).build()); // warm up the JIT
            long start = allAllocatedBytes();
            net.fit(data, FitOptions.builder().batchSize(20).epochs(2).verbose(0).build());
            long two = allAllocatedBytes() - start;
            start = allAllocatedBytes();
            net.fit(data, FitOptions.builder().batchSize(20).epochs(12).verbose(0).build());
            long twelve = allAllocatedBytes() - start;
            double perStep = (twelve - two) / (10.0 * 100);
            System.out.printf("MemoryTest: %.1f heap bytes allocated per fit step (batch 20, 20-32-10, all threads)%n", perStep);
            assertTrue(perStep < 64, "heap bytes per fit step: " + perStep);
        }
    }

    /** Bytes allocated on the heap by every live thread: the shards of a batch run on the pool's threads too. */
    static long allAllocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    /**
     * A residual model whose convolutions take the direct path (16 filters, stride 1, 16 channels:
     * the input gradient by the flipped kernel) and a stride-2 one (its input gradient unfolded),
     * batch normalization, activation layers, Add and pooling: after warm-up a training step
     * allocates next to nothing on the heap, on the caller's thread or the shard threads. Conv2D's
     * backward pass used to build its transposed Window per shard and step (a record, the message
     * string its constructor prepares and BigInteger size checks: about 1 KB each time).
     */
    @Test
    void aResidualTrainingStepAllocatesNothing() {
        residualStepAllocatesNothing();
    }

    /**
     * The same on three threads: three shards of the batch, two of them from a row other than 0,
     * each asking the same buffers for its rows at once. Tensor.fromRow kept only the last view
     * made, so shards 1 and 2 replaced each other's and every step made new ones (~8 KB).
     */
    @Test
    void aResidualTrainingStepOnThreeThreadsAllocatesNothing() {
        int before = dev.sinew.backend.NativeBackend.threads();
        dev.sinew.backend.NativeBackend.setThreads(3);
        try {
            residualStepAllocatesNothing();
        } finally {
            dev.sinew.backend.NativeBackend.setThreads(before);
        }
    }

    private static void residualStepAllocatesNothing() {
        SplittableRandom rng = new SplittableRandom(4);
        try (Tensor x = Tensor.fromRows(TestUtil.uniform(rng, 32, 16 * 16 * 8, -1, 1));
                Tensor y = Tensor.fromRows(TestUtil.oneHot(rng, 32, 10))) {
            var in = Input.of(16, 16, 8);
            var a = new dev.sinew.layers.Conv2D(16, 3, 1, "same", "relu").apply(in);
            var b = new dev.sinew.layers.Conv2D(16, 3, 1, "same", "linear").apply(a);
            b = new dev.sinew.layers.Activation("relu").apply(new dev.sinew.layers.BatchNormalization().apply(b));
            b = new dev.sinew.layers.Conv2D(16, 3, 1, "same", "linear").apply(b);
            var r = new dev.sinew.layers.Activation("relu").apply(new dev.sinew.layers.Add().apply(a, b));
            var d = new dev.sinew.layers.Conv2D(16, 3, 2, "same", "relu").apply(r);
            d = new dev.sinew.layers.Add().apply(d, new dev.sinew.layers.AveragePooling2D(2).apply(r));
            var out = new Dense(10, "softmax").apply(new dev.sinew.layers.GlobalAveragePooling2D().apply(d));
            try (Model net = new Model(in, out, 3)) {
                net.compile("categorical_crossentropy", new SGD(0.05), "accuracy");
                for (int i = 0; i < 3000; i++) net.trainOnBatch(x, y); // warm up the JIT (300 steps left 100-240 bytes of it)
                int steps = 1000;
                long start = allAllocatedBytes();
                for (int i = 0; i < steps; i++) net.trainOnBatch(x, y);
                double perStep = (allAllocatedBytes() - start) / (double) steps;
                System.out.printf("MemoryTest: %.1f heap bytes allocated per training step of a residual CNN (all threads)%n", perStep);
                // 24 bytes measured, the step's result array. One Window per conv and step was ~3.8 KB,
                // one view per shard and buffer ~7 KB; the size checks' arrays of the flipped kernel
                // and the global pooling 32 and 24 bytes.
                assertTrue(perStep < 64, "heap bytes per step: " + perStep);
            }
        }
    }
}
