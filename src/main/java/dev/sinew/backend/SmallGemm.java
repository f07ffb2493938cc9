package dev.sinew.backend;

import dev.sinew.nativ.sinew_h;

/**
 * Which matrix products go to libsinew's own small GEMM ({@code sinew_sgemm_small},
 * {@code native/src/gemm_small.c}) instead of OpenBLAS's {@code cblas_sgemm}: only the shapes where
 * it measured faster on the machine it was tuned on (AMD EPYC, Zen 4, OpenBLAS 0.3.21
 * DYNAMIC_ARCH/Cooperlake). Both compute the same product; the choice depends on the shape alone, so
 * a given shape always takes the same path and gives the same bits.
 */
final class SmallGemm {
    /** libsinew is built for x86-64-v3; elsewhere its small GEMM is a plain loop, never routed to. */
    private static final boolean AVAILABLE = (sinew_h.sinew_cpu_supported() & Cpu.Feature.AVX2.bit) != 0;

    private SmallGemm() {}

    /**
     * True when C (M x N) = op(A) (M x K) op(B) (K x N) should run in libsinew. Figures are ns per
     * call, OpenBLAS / ours (AVX2 / AVX-512 path), best of 7 interleaved rounds, on a shared 2-core VM:
     * <ul>
     *   <li>A B^T (a Dense layer's input gradient, B = its kernel): OpenBLAS transposes B slowly
     *       here. 20x150x150 13,600 / 11,800 / 11,600; 20x150x100 9,100 / 7,800 / 7,600;
     *       50x150x150 27,500 / 24,000 / 24,300; 16x150x16 1,600 / 1,340 / 1,360; 500x150x150
     *       233,000 / 214,000 / 220,000. It loses with few rows or a short k: 8x150x150 4,000 /
     *       6,600 / 6,500; 20x100x1 490 / 660 / 560.</li>
     *   <li>A B and A^T B (forward product, kernel gradient): OpenBLAS is at ~110 GF/s whenever
     *       it blocks well (20-32 rows, or 100-128 columns: 20x150x150 8,300 / 9,200 / 9,300;
     *       50x100x150 13,400 / 15,200 / 15,600), so only at least 48 rows of the batch by at
     *       least 144 columns: 50x150x784 132,000 / 120,000 / 114,000; 50x150x150 24,900 / 21,600 /
     *       22,100; 50x200x150 32,000 / 27,300 / 28,500; A^T B 784x150 over 50 rows 125,000 /
     *       118,000 / 124,000; 150x150 over 64 rows 31,100 / 28,300 / 29,500.</li>
     *   <li>Up to 2^26 multiply-adds: at 512x1024x1024 the AVX2 path re-reads A once per
     *       panel of columns and falls behind (10.5 ms / 13.8 / 10.0).</li>
     * </ul>
     * Both transposed (A^T B^T) is not used by any layer and stays on OpenBLAS.
     */
    static boolean faster(boolean transA, boolean transB, int M, int N, int K) {
        if (!AVAILABLE || (long) M * N * K > 1L << 26) return false;
        if (transA && transB) return false;
        if (transB) return M >= 16 && K >= 16;
        int batchRows = transA ? K : M; // A^T B sums over the batch; A B has a row per sample
        return batchRows >= 48 && N >= 144;
    }
}
