package dev.sinew.benchmarks;

import dev.sinew.backend.Cpu;
import dev.sinew.backend.NativeBackend;
import dev.sinew.nativ.cblas_h;
import dev.sinew.nativ.sinew_h;
import dev.sinew.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * ns per call of OpenBLAS's cblas_sgemm and libsinew's sinew_sgemm_small on its AVX2 and AVX-512
 * paths, for the Dense layers' products of W4 (20 rows) and W1 (50-row shards), or the shapes given
 * as arguments ("NT 20 150 150": transposes, M, N, K). The three run in turn, seven rounds, best of
 * each: on a shared machine, alternating keeps a busy phase from favouring one of them. The figures
 * behind dev.sinew.backend.SmallGemm's rule come from here.
 */
public final class SmallGemmShapes {
    public static void main(String[] args) {
        NativeBackend.get();
        String[] shapes = args.length > 0 ? args : new String[] {
            "NN 20 150 2", "NN 20 150 150", "NN 20 100 150", "NN 20 1 100", "TN 2 150 20", "TN 150 150 20",
            "TN 150 100 20", "TN 100 1 20", "NT 20 150 150", "NT 20 150 100", "NT 20 100 1",
            "NN 50 150 784", "NN 50 150 150", "NN 50 100 150", "NN 50 10 100", "TN 784 150 50", "TN 150 150 50",
            "TN 150 100 50", "TN 100 10 50", "NT 50 784 150", "NT 50 150 150", "NT 50 150 100", "NT 50 100 10"};
        boolean avx512 = Cpu.supported().contains(Cpu.Feature.AVX512);
        SplittableRandom rng = new SplittableRandom(1);
        System.out.println("shape            openblas     avx2   avx512  (ns per call, best of 7 alternating rounds)");
        for (String shape : shapes) {
            String[] p = shape.trim().split("\\s+");
            boolean ta = p[0].charAt(0) == 'T', tb = p[0].charAt(1) == 'T';
            int M = Integer.parseInt(p[1]), N = Integer.parseInt(p[2]), K = Integer.parseInt(p[3]);
            try (Tensor a = Inputs.random(rng, M, K); Tensor b = Inputs.random(rng, K, N); Tensor c = Tensor.zeros(M, N)) {
                MemorySegment A = a.segment(), B = b.segment(), C = c.segment();
                int reps = (int) Math.max(20, Math.min(200_000, 200_000_000L / (2L * M * N * K)));
                double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
                for (int round = 0; round < 7; round++) {
                    for (int v = 0; v < (avx512 ? 3 : 2); v++) {
                        Cpu.enable(v == 1 ? EnumSet.of(Cpu.Feature.AVX2) : EnumSet.allOf(Cpu.Feature.class));
                        long t = System.nanoTime();
                        for (int r = 0; r < reps; r++) {
                            if (v == 0) {
                                cblas_h.cblas_sgemm(cblas_h.CblasRowMajor(), ta ? cblas_h.CblasTrans() : cblas_h.CblasNoTrans(),
                                        tb ? cblas_h.CblasTrans() : cblas_h.CblasNoTrans(), M, N, K, 1f, A, ta ? M : K, B,
                                        tb ? K : N, 0f, C, N);
                            } else {
                                sinew_h.sinew_sgemm_small(ta ? 1 : 0, tb ? 1 : 0, M, N, K, 1f, A, ta ? M : K, B, tb ? K : N,
                                        0f, C, N);
                            }
                        }
                        best[v] = Math.min(best[v], (System.nanoTime() - t) / (double) reps);
                    }
                }
                Cpu.enable(EnumSet.allOf(Cpu.Feature.class));
                System.out.printf(Locale.ROOT, "%-15s %9.0f %8.0f %8s%n", shape, best[0], best[1],
                        avx512 ? String.format(Locale.ROOT, "%.0f", best[2]) : "-");
            }
        }
    }
}
