package dev.sinew.benchmarks;

import dev.sinew.examples.Networks;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.Adam;
import dev.sinew.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The fixed workloads of the performance issue, one operation each:
 * <ul>
 *   <li>W1: one training step of the notebook MLP (784-150-150-100-10, batch 100, SGD 0.1);
 *       an epoch of 60,000 images is 600 steps;</li>
 *   <li>W2: one training step of the notebook CNN (batch 64, SGD 0.05); an epoch is 938 steps;</li>
 *   <li>W3: inference of 1,000 images by W1's network (images/s = 1000 / time);</li>
 *   <li>W4: one step of the notebook's first program (2-150-150-100-1, MSE, batch 20);</li>
 *   <li>W1 with Adam(0.001) instead of SGD: the optimizer's share of a step.</li>
 * </ul>
 * Run with {@code -prof gc} to see the bytes allocated per step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class WorkloadBenchmark {
    private Sequential mlp, mlpAdam, cnn, regression;
    private Tensor x100, y100, x64, y64, x1000, x20, y20;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(1);
        mlp = Networks.notebookMlp(1);
        mlpAdam = Networks.mlp(784, new int[] {150, 150, 100}, 10, 0, 1);
        mlpAdam.compile("categorical_crossentropy", new Adam(0.001), "accuracy");
        mlpAdam.trainOnBatch(Inputs.random(new SplittableRandom(2), 100, 784), Inputs.oneHot(new SplittableRandom(3), 100, 10));
        cnn = Networks.notebookCnn(0, false, 1);
        regression = Networks.regression(1);
        x100 = Inputs.random(rng, 100, 784);
        y100 = Inputs.oneHot(rng, 100, 10);
        x64 = Inputs.random(rng, 64, 784);
        y64 = Inputs.oneHot(rng, 64, 10);
        x1000 = Inputs.random(rng, 1000, 784);
        x20 = Inputs.random(rng, 20, 2);
        y20 = Inputs.random(rng, 20, 1);
    }

    @TearDown
    public void tearDown() {
        for (Sequential m : new Sequential[] {mlp, mlpAdam, cnn, regression}) m.close();
        for (Tensor t : new Tensor[] {x100, y100, x64, y64, x1000, x20, y20}) t.close();
    }

    @Benchmark
    public float[] w1MlpTrainStep() {
        return mlp.trainOnBatch(x100, y100);
    }

    /** W1 with Adam(0.001): the difference from w1MlpTrainStep is the Adam update's cost. */
    @Benchmark
    public float[] w1AdamTrainStep() {
        return mlpAdam.trainOnBatch(x100, y100);
    }

    /** The Adam update alone over W1's 156,510 weights (on the last step's gradients): its share of w1AdamTrainStep. */
    @Benchmark
    public long adamUpdateW1() {
        mlpAdam.optimizer().step();
        return mlpAdam.optimizer().iterations();
    }

    @Benchmark
    public float[] w2CnnTrainStep() {
        return cnn.trainOnBatch(x64, y64);
    }

    @Benchmark
    public float[][] w3MlpPredict1000() {
        return mlp.predictOnBatch(x1000);
    }

    @Benchmark
    public float[] w4RegressionTrainStep() {
        return regression.trainOnBatch(x20, y20);
    }
}
