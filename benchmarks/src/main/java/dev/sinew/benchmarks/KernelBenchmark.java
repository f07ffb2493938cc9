package dev.sinew.benchmarks;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.backend.Window;
import dev.sinew.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/** Our own C kernels at the shapes of the notebook's networks (W1's MLP, W2's CNN). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class KernelBenchmark {
    private final Backend backend = Backends.nativeBackend();
    // W2's second convolution: 64 images of 13x13x32, 3x3 kernel -> 7744 rows of 288 values
    private final Window conv2 = Window.of("conv2", 13, 13, 32, 3, 3, 1, 1, "valid");
    private final Window pool1 = Window.of("pool1", 26, 26, 32, 2, 2, 2, 2, "valid");
    private Tensor image, cols, convOut, pooled, argmax, logits, probs, targets, grad, hidden, bias;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(1);
        image = Inputs.random(rng, 64, 13 * 13 * 32);
        cols = Tensor.zeros(64 * 121, 288);
        convOut = Inputs.random(rng, 64, 26 * 26 * 32);
        pooled = Tensor.zeros(64, 13 * 13 * 32);
        argmax = Tensor.zeros(64, 13 * 13 * 32);
        logits = Inputs.random(rng, 100, 10);
        probs = Tensor.zeros(100, 10);
        targets = Inputs.oneHot(rng, 100, 10);
        grad = Tensor.zeros(100, 10);
        hidden = Inputs.random(rng, 100, 150);
        bias = Inputs.random(rng, 1, 150);
        backend.biasActivation(probs, logits, null, 100, 10, Activation.SOFTMAX);
    }

    @TearDown
    public void tearDown() {
        for (Tensor t : new Tensor[] {image, cols, convOut, pooled, argmax, logits, probs, targets, grad, hidden, bias}) t.close();
    }

    @Benchmark
    public void im2colConv2() {
        backend.im2col(cols, image, 64, conv2);
    }

    @Benchmark
    public void col2imConv2() {
        backend.col2im(image, cols, 64, conv2);
    }

    @Benchmark
    public void maxPoolConv1() {
        backend.maxPool(pooled, argmax, convOut, 64, pool1);
    }

    @Benchmark
    public double softmaxCrossEntropy100x10() {
        return backend.softmaxCrossEntropy(grad, probs, targets, 100, 10, 0.01f);
    }

    @Benchmark
    public void biasReluForward100x150() {
        backend.biasActivation(hidden, hidden, bias, 100, 150, Activation.RELU);
    }
}
