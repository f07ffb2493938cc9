package dev.sinew.benchmarks;

import dev.sinew.backend.Cpu;
import dev.sinew.backend.NativeBackend;
import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.data.TrainTest;
import dev.sinew.examples.Networks;
import dev.sinew.models.FitOptions;
import dev.sinew.models.Sequential;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * W3 in int8 (issue 14, item W3): the notebook MLP predicting the 10,000 Fashion-MNIST test
 * images in batches of 1,000, float32 against {@code quantize("int8")}, on the AVX2 and the
 * AVX-512 VNNI paths; then the accuracy cost: the network trained {@code epochs} epochs (default
 * 5), test accuracy before and after quantizing. Timings are interleaved (float, int8 AVX2, int8
 * VNNI in turn, each round) and the best of {@code rounds} (default 6) is kept, so that a noisy
 * machine hurts all three alike. Arguments: [rounds] [epochs] (0: timings only).
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

    private static double seconds(Sequential m, Dataset test) {
        long t = System.nanoTime();
        m.predict(test.x(), 1000);
        return (System.nanoTime() - t) / 1e9;
    }
}
