package dev.sinew.benchmarks;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.backend.Cpu;
import dev.sinew.backend.NativeBackend;
import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.data.TrainTest;
import dev.sinew.examples.Networks;
import dev.sinew.models.FitOptions;
import dev.sinew.layers.Int8Kernel;
import dev.sinew.models.Sequential;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * W3 in int8 (issue 14, item W3): the notebook MLP predicting the 10,000 Fashion-MNIST test
 * images in batches of 1,000, float32 against {@code quantize("int8")}, on the AVX2 and the
 * AVX-512 VNNI paths; then the accuracy cost: the network trained {@code epochs} epochs (default
 * 5), test accuracy before and after quantizing. Timings are interleaved (float, int8 AVX2, int8
 * VNNI in turn, each round) and the best of {@code rounds} (default 6) is kept, so that a noisy
 * machine hurts all three alike. Then the kernels alone, on one thread. Arguments: [rounds] [epochs]
 * (0: timings only).
 */
public final class Int8Inference {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        TrainTest data = Datasets.fashionMnist();
        NativeBackend.get();
        Dataset test = data.test();
        Set<Cpu.Feature> all = Cpu.supported(), avx2 = EnumSet.of(Cpu.Feature.AVX2);
        try (Sequential f = Networks.notebookMlp(1); Sequential q = Networks.notebookMlp(1)) {
            q.quantize("int8");
            double bestF = Double.MAX_VALUE, bestAvx2 = Double.MAX_VALUE, bestVnni = Double.MAX_VALUE;
            for (int r = 0; r < rounds + 1; r++) { // round 0 warms up
                double tf = seconds(f, test);
                Cpu.enable(avx2);
                double ta = seconds(q, test);
                Cpu.enable(all);
                double tv = seconds(q, test);
                if (r == 0) continue;
                bestF = Math.min(bestF, tf);
                bestAvx2 = Math.min(bestAvx2, ta);
                bestVnni = Math.min(bestVnni, tv);
            }
            System.out.printf(Locale.ROOT, "W3 images/s (best of %d, interleaved, %d threads, CPU %s): float32 %.0f,"
                    + " int8 AVX2 %.0f, int8 %s %.0f%n", rounds, NativeBackend.threads(), all, test.size() / bestF,
                    test.size() / bestAvx2, all.contains(Cpu.Feature.AVX512_VNNI) ? "VNNI" : "(no VNNI: AVX2)",
                    test.size() / bestVnni);
        }
        kernels();
        if (epochs == 0) return;
        try (Sequential net = Networks.notebookMlp(1)) {
            net.fit(data.train(), FitOptions.builder().batchSize(100).epochs(epochs).verbose(0).build());
            float accF = net.evaluate(test, 1000)[1];
            net.quantize("int8");
            float accQ = net.evaluate(test, 1000)[1];
            System.out.printf(Locale.ROOT, "accuracy after %d epochs (SGD 0.1, batch 100) on %s: float32 %.4f, int8 %.4f%n",
                    epochs, data.source(), accF, accQ);
        }
    }

    /**
     * The kernels alone, on the calling thread: 500 rows (a shard of W3's batch) through the four
     * layers' shapes, input quantization, the int8 product on each path and OpenBLAS's SGEMM, in
     * turn, best of 200.
     */
    private static void kernels() {
        Backend nat = Backends.nativeBackend();
        int threads = NativeBackend.threads();
        NativeBackend.setThreads(1); // or Backend.gemm splits a large SGEMM over the threads
        int m = 500;
        int[][] shapes = {{784, 150}, {150, 150}, {150, 100}, {100, 10}};
        SplittableRandom rng = new SplittableRandom(1);
        try (Workspace ws = new Workspace()) {
            Tensor[] x = new Tensor[4], xq = new Tensor[4], xs = new Tensor[4], y = new Tensor[4], w = new Tensor[4];
            Int8Kernel[] q = new Int8Kernel[4];
            for (int l = 0; l < 4; l++) {
                int k = shapes[l][0], n = shapes[l][1];
                float[] wf = new float[k * n];
                for (int i = 0; i < wf.length; i++) wf[i] = (float) rng.nextGaussian() * 0.05f;
                x[l] = Inputs.random(rng, m, k);
                xq[l] = ws.allocate(Shape.of(m * Backend.int8RowBytes(k) / Float.BYTES));
                xs[l] = ws.allocate(Shape.of(m));
                y[l] = ws.allocate(Shape.of(m * n));
                w[l] = ws.allocate(Shape.of(k * n));
                w[l].copyFrom(wf);
                q[l] = Int8Kernel.quantize(wf, k, n, ws);
            }
            Set<Cpu.Feature> all = Cpu.supported(), avx2 = EnumSet.of(Cpu.Feature.AVX2);
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
            for (int r = 0; r < 200; r++) {
                long t0 = System.nanoTime();
                for (int l = 0; l < 4; l++) nat.int8QuantizeRows(xq[l], xs[l], x[l], m, shapes[l][0]);
                long t1 = System.nanoTime();
                for (int l = 0; l < 4; l++) int8(nat, y[l], xq[l], xs[l], q[l], m);
                long t2 = System.nanoTime();
                Cpu.enable(avx2);
                for (int l = 0; l < 4; l++) int8(nat, y[l], xq[l], xs[l], q[l], m);
                Cpu.enable(all);
                long t3 = System.nanoTime();
                for (int l = 0; l < 4; l++) nat.gemm(false, false, m, shapes[l][1], shapes[l][0], 1f, x[l], w[l], 0f, y[l]);
                long t4 = System.nanoTime();
                long[] t = {t0, t1, t2, t3, t4};
                for (int i = 0; i < 4; i++) best[i] = Math.min(best[i], (t[i + 1] - t[i]) / 1e3);
            }
            System.out.printf(Locale.ROOT, "kernels, one thread, %d rows through W3's four layers, best of 200: input quantization"
                    + " %.0f us, int8 product %s %.0f us, int8 product AVX2 %.0f us, SGEMM %.0f us%n", m, best[0],
                    all.contains(Cpu.Feature.AVX512_VNNI) ? "VNNI" : "(no VNNI: AVX2)", best[1], best[2], best[3]);
            for (Tensor t : x) t.close();
        } finally {
            NativeBackend.setThreads(threads);
        }
    }

    private static void int8(Backend b, Tensor y, Tensor xq, Tensor xs, Int8Kernel q, int m) {
        b.int8Gemm(y, xq, xs, q.wq(), q.scale(), q.colsum(), m, q.units(), q.in());
    }

    private static double seconds(Sequential m, Dataset test) {
        long t = System.nanoTime();
        m.predict(test.x(), 1000);
        return (System.nanoTime() - t) / 1e9;
    }
}
