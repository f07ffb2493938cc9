/* Small GEMM: C = alpha * op(A) op(B) + beta * C (row major, BLAS semantics) for the products of
 * Dense layers at small batches.
 *
 * Why: at 20-50 rows OpenBLAS spends much of a product packing A and B into its panel layouts and
 * making a separate pass over C for beta; here only op(B) is packed, one panel at a time into an
 * aligned stack buffer, A is broadcast straight from its rows or columns, and the register tile
 * is written to C once, with alpha and beta applied on the way.
 *
 * Two variants of the same code (gemm_small_variant.h): 8-float vectors (AVX2 + FMA, the
 * x86-64-v3 baseline the library is compiled for) and 16-float vectors compiled for AVX-512
 * (target pragma below), called only when sinew_cpu_enabled() has SINEW_CPU_AVX512 so a CPU
 * without it never runs one of its instructions. Each variant's summation order is fixed by the
 * shape alone; the two variants may differ in the last bits. The Java twin is ReferenceBackend's gemm.
 */
#include <string.h>
#include "sinew.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* Rows of k per packed chunk: 160 keeps a Dense layer's 150 or 100 units in one chunk and the
 * stack panel at most 160 * 48 floats (30 KiB, within L1). */
enum { KC = 160 };

/* Baseline: 4 rows x 3 vectors of 8 = 12 accumulators + 3 + 1 of AVX2's 16 registers (7 loads
 * per 12 multiply-adds; 6 x 2, 8 loads per 12, measured 3-7% slower at W4's and W1's shapes). */
#define W 8
#define MR 4
#define NV 3
#define V(name) name##_avx2
#include "gemm_small_variant.h"
#undef W
#undef MR
#undef NV
#undef V

/* AVX-512: 8 rows x 3 vectors of 16 = 24 accumulators + 3 + 1 of its 32 registers (6 x 4 measured
 * no faster). */
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl")
#define W 16
#define MR 8
#define NV 3
#define V(name) name##_avx512
#include "gemm_small_variant.h"
#undef W
#undef MR
#undef NV
#undef V
#pragma GCC pop_options

void sinew_sgemm_small(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                       const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0 || K <= 0) return;
    if (sinew_cpu_enabled() & SINEW_CPU_AVX512) {
        gemm_avx512(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    gemm_avx2(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

#else
/* Off x86-64 the Java side never routes here (it asks for AVX2); a plain loop keeps the symbol. */
void sinew_sgemm_small(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                       const float *B, int ldb, float beta, float *C, int ldc) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            float sum = 0.0f;
            for (int k = 0; k < K; k++)
                sum += (transA ? A[(int64_t)k * lda + i] : A[(int64_t)i * lda + k])
                       * (transB ? B[(int64_t)j * ldb + k] : B[(int64_t)k * ldb + j]);
            float *c = C + (int64_t)i * ldc + j;
            *c = beta != 0.0f ? alpha * sum + beta * *c : alpha * sum;
        }
}
#endif
