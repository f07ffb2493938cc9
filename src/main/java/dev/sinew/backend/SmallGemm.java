package dev.sinew.backend;

/**
 * Which matrix products go to libsinew's own small GEMM ({@code sinew_sgemm_small},
 * {@code native/src/gemm_small.c}) instead of OpenBLAS's {@code cblas_sgemm}: only the shapes where
 * it measured faster on the machine it was tuned on (AMD EPYC, Zen 4, OpenBLAS 0.3.21
 * DYNAMIC_ARCH/Cooperlake). Both compute the same product; the choice depends on the shape alone, so
 * a given shape always takes the same path and gives the same bits.
 */
final class SmallGemm {
    /** libsinew is built for x86-64-v3; elsewhere its small GEMM is a plain loop, never routed to. */
    private static final boolean AVAILABLE = Cpu.supports(Cpu.Feature.AVX2);

    private SmallGemm() {}

    /**
     * True when C (M x N) = op(A) (M x K) op(B) (K x N) should run in libsinew. Figures are ns per
     * call, OpenBLAS / ours on the AVX2 / AVX-512 path, best of 7 alternating rounds on a shared
     * 2-core VM (benchmarks' SmallGemmShapes; differences under ~5% are within its noise):
     * <ul>
     *   <li>A B^T (a Dense layer's input gradient, B = its kernel), where OpenBLAS is slow at
     *       these shapes: 20x150x150 13,700 / 11,600 / 11,400; 20x150x100 9,200 / 7,700 / 7,700;
     *       50x150x150 26,900 / 23,900 / 24,200; 16x150x16 1,630 / 1,350 / 1,300; 500x150x150
     *       235,000 / 213,000 / 225,000. Not with few rows (packing op(B) is not repaid): 8x150x150
     *       4,300 / 7,400 / 6,800; nor a short k: 20x100x1 350 / 450 / 420.</li>
     *   <li>A B and A^T B (forward product, kernel gradient): OpenBLAS runs at ~110 GF/s on
     *       20-32 rows and on 100-128 columns (20x150x150 8,100 / 8,900 / 9,200; A^T B 150x150
     *       over 20 rows 9,000 / 10,600 / 11,700; 50x100x150 13,500 / 16,700 / 15,600), so only
     *       at least 48 rows of the batch by at least 144 columns: 50x150x784 134,000 / 120,000 /
     *       115,000; 50x150x150 25,000 / 21,400 / 22,200; 50x200x150 33,000 / 27,600 / 28,900;
     *       48x144x150 21,400 / 18,600 / 18,400; A^T B 784x150 over 50 rows 125,000 / 118,000 /
     *       123,000; 150x150 over 64 rows 31,300 / 28,900 / 30,600.</li>
     *   <li>Up to 2^24 multiply-adds (W1's products with one thread, 100x150x784, are 11.8
     *       million): larger, the tiles re-read A once per panel of columns and fall behind
     *       (500x150x784 1.21 ms / 1.25 / 1.20; 512x1024x1024 10.6 ms / 17.3 / 10.0).</li>
     * </ul>
     * Both transposed (A^T B^T) is not used by any layer and stays on OpenBLAS.
     */
    static boolean faster(boolean transA, boolean transB, int M, int N, int K) {
        if (!AVAILABLE || (long) M * N * K > 1L << 24) return false;
        if (transA && transB) return false;
        if (transB) return M >= 16 && K >= 16;
        int batchRows = transA ? K : M; // A^T B sums over the batch; A B has a row per sample
        return batchRows >= 48 && N >= 144;
    }
}
