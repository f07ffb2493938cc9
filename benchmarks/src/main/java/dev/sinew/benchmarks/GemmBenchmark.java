package dev.sinew.benchmarks;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Backend.gemm (cblas_sgemm through FFM), square n x n x n, including the Java-side checks and the
 * downcall: n = 1 measures the per-call overhead; GFLOP/s = 2 n^3 / time. Sinew's threads (one per
 * core, or -Dsinew.threads / SINEW_THREADS) each take a block of rows once n^3 is large enough.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GemmBenchmark {
    @Param({"1", "64", "128", "512", "1024"})
    public int n;

    private final Backend backend = Backends.nativeBackend();
    private Tensor a, b, c;

    @Setup
    public void setUp() {
        a = Inputs.random(new SplittableRandom(1), n, n);
        b = Inputs.random(new SplittableRandom(2), n, n);
        c = Tensor.zeros(n, n);
    }

    @TearDown
    public void tearDown() {
        a.close();
        b.close();
        c.close();
    }

    @Benchmark
    public void sgemm() {
        backend.gemm(false, false, n, n, n, 1f, a, b, 0f, c);
    }
}
