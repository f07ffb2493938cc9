/* A matrix product for the one shape OpenBLAS handles badly here: few columns in A. */
#include "sinew.h"

void sinew_gemm_small_k(float *restrict C, const float *restrict A, const float *restrict B, int M,
                        int N, int K, float alpha, float beta) {
    for (int i = 0; i < M; i++) {
        float *c = C + (int64_t)i * N;
        const float *a = A + (int64_t)i * K;
        /* beta = 0 must not read C: it may hold anything, NaN included (BLAS semantics). */
        if (beta == 0.0f) {
            for (int j = 0; j < N; j++) c[j] = 0.0f;
        } else if (beta != 1.0f) {
            for (int j = 0; j < N; j++) c[j] *= beta;
        }
        /* Row i of C is K scaled rows of B added up: B (K x N, a few KB) stays in L1, and the
         * inner loop runs over N contiguous floats and vectorises. */
        for (int k = 0; k < K; k++) {
            const float s = alpha * a[k];
            const float *b = B + (int64_t)k * N;
            for (int j = 0; j < N; j++) c[j] += s * b[j];
        }
    }
}
