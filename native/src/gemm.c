/* A matrix product for the one shape OpenBLAS handles badly here: few columns in A. */
#include "sinew.h"

/* Rows of C = alpha * A B + beta * C, each accumulated in acc[] before C is touched. Inlined with
 * a constant N (16, 32, 64: the filter counts of small convolutions), gcc keeps acc[] in vector
 * registers and the product becomes K broadcast-multiply-adds per 8 outputs; with an unknown N it
 * stays a loop over memory. */
static inline __attribute__((always_inline)) void rows_small_k(float *restrict C,
        const float *restrict A, const float *restrict B, int M, const int N, int K, float alpha,
        float beta) {
    for (int i = 0; i < M; i++) {
        float *c = C + (int64_t)i * N;
        const float *a = A + (int64_t)i * K;
        float acc[64];
        for (int j = 0; j < N; j++) acc[j] = 0.0f;
        for (int k = 0; k < K; k++) {
            const float s = a[k];
            const float *b = B + (int64_t)k * N;
            for (int j = 0; j < N; j++) acc[j] += s * b[j];
        }
        /* beta = 0 must not read C: it may hold anything, NaN included (BLAS semantics). */
        if (beta == 0.0f) {
            for (int j = 0; j < N; j++) c[j] = alpha * acc[j];
        } else {
            for (int j = 0; j < N; j++) c[j] = alpha * acc[j] + beta * c[j];
        }
    }
}

void sinew_gemm_small_k(float *restrict C, const float *restrict A, const float *restrict B, int M,
                        int N, int K, float alpha, float beta) {
    switch (N) {
    case 16: rows_small_k(C, A, B, M, 16, K, alpha, beta); return;
    case 32: rows_small_k(C, A, B, M, 32, K, alpha, beta); return;
    case 64: rows_small_k(C, A, B, M, 64, K, alpha, beta); return;
    default: break;
    }
    for (int i = 0; i < M; i++) {
        float *c = C + (int64_t)i * N;
        const float *a = A + (int64_t)i * K;
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
