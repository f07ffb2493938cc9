/* Normalisation layers, channels last: x is R rows of C values, C the normalised (last) axis.
 * BatchNormalization takes statistics per channel over the rows of a batch (the caller splits the
 * batch into shards and combines their statistics); LayerNormalization per row over its C values.
 * Twins: batchnorm* and layernorm* in dev.sinew.backend.ReferenceBackend. */
#include <math.h>
#include <stddef.h>
#include "sinew.h"

/* Per-channel values (sums, scales) live in fixed blocks of CHUNK channels on the stack, so that
 * no kernel allocates whatever C is. The rows are walked once per block, each row's part of the
 * block contiguous (the inner loops vectorise); a block of doubles is 2 KB. */
#define CHUNK 256

static inline int block(int C, int c0) {
    return C - c0 < CHUNK ? C - c0 : CHUNK;
}

/* Sums along a row in LANES interleaved partial sums, added up in a fixed order at the end: one
 * running sum would be a chain of dependent adds (gcc may not reorder them without -ffast-math),
 * LANES of them vectorise. */
#define LANES 8

static inline double lanes_total(const double *acc) {
    /* pairwise: three dependent adds, not seven */
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* sum_c x[c] */
static double row_sum(const float *restrict x, int C) {
    double acc[LANES] = {0};
    int c = 0;
    for (; c + LANES <= C; c += LANES)
        for (int j = 0; j < LANES; j++) acc[j] += x[c + j];
    for (; c < C; c++) acc[c % LANES] += x[c];
    return lanes_total(acc);
}

/* sum_c (x[c] - m)^2 */
static double row_sum_sq(const float *restrict x, float m, int C) {
    double acc[LANES] = {0};
    int c = 0;
    for (; c + LANES <= C; c += LANES)
        for (int j = 0; j < LANES; j++) {
            double d = (double)x[c + j] - m;
            acc[j] += d * d;
        }
    for (; c < C; c++) {
        double d = (double)x[c] - m;
        acc[c % LANES] += d * d;
    }
    return lanes_total(acc);
}

/* The row loops of the batch-normalisation kernels, K channels of rows C apart. Each is inlined
 * with K a constant for the channel counts of small CNNs (ROWS_OF_K): a row of 16 values then is
 * two vectors with no loop set-up, where a loop of unknown length costs more in set-up and tail
 * than its work (measured: 2-3x on 28x28x16 batches). */
#define ROWS_OF_K(K, call) \
    do { \
        switch (K) { \
        case 8: { enum { K = 8 }; call; } break; \
        case 16: { enum { K = 16 }; call; } break; \
        case 32: { enum { K = 32 }; call; } break; \
        case 64: { enum { K = 64 }; call; } break; \
        default: call; break; \
        } \
    } while (0)

static inline __attribute__((always_inline)) void stats_sums(int K, double *restrict s, const float *restrict x, int64_t R,
                                                              int C) {
    for (int64_t r = 0; r < R; r++)
        for (int k = 0; k < K; k++) s[k] += x[r * C + k];
}

static inline __attribute__((always_inline)) void stats_squares(int K, double *restrict q, const float *restrict m,
                                                                 const float *restrict x, int64_t R, int C) {
    for (int64_t r = 0; r < R; r++)
        for (int k = 0; k < K; k++) {
            double d = (double)x[r * C + k] - m[k];
            q[k] += d * d;
        }
}

/* y and x may be the same buffer. */
static inline __attribute__((always_inline)) void forward_rows(int K, float *y, const float *x, const float *restrict m,
                                                                const float *restrict a, const float *restrict b, int64_t R,
                                                                int C) {
    for (int64_t r = 0; r < R; r++)
        for (int k = 0; k < K; k++) y[r * C + k] = (x[r * C + k] - m[k]) * a[k] + b[k];
}

static inline __attribute__((always_inline)) void backward_sums_rows(int K, double *restrict sdy, double *restrict sdyx,
                                                                      const float *restrict dy, const float *restrict x,
                                                                      const float *restrict m, int64_t R, int C) {
    for (int64_t r = 0; r < R; r++)
        for (int k = 0; k < K; k++) {
            sdy[k] += dy[r * C + k];
            sdyx[k] += (double)dy[r * C + k] * (x[r * C + k] - m[k]);
        }
}

/* dx and dy may be the same buffer. */
static inline __attribute__((always_inline)) void backward_rows(int K, float *dx, const float *dy, const float *restrict x,
                                                                 const float *restrict m, const float *restrict inv,
                                                                 const float *restrict a, const float *restrict mdy,
                                                                 const float *restrict mdyx, int64_t R, int C) {
    for (int64_t r = 0; r < R; r++)
        for (int k = 0; k < K; k++) {
            float xhat = (x[r * C + k] - m[k]) * inv[k];
            dx[r * C + k] = a[k] * (dy[r * C + k] - mdy[k] - xhat * mdyx[k]);
        }
}

void sinew_batchnorm_stats(float *restrict mean, float *restrict variance, const float *restrict x, int64_t R, int C) {
    for (int c0 = 0; c0 < C; c0 += CHUNK) {
        int K = block(C, c0);
        double s[CHUNK], q[CHUNK];
        float m[CHUNK];
        for (int k = 0; k < K; k++) s[k] = 0.0, q[k] = 0.0;
        ROWS_OF_K(K, stats_sums(K, s, x + c0, R, C));
        for (int k = 0; k < K; k++) m[k] = (float)(s[k] / (double)R);
        /* A second pass over (x - mean)^2, not sum x^2 - mean^2, which cancels catastrophically
         * when |mean| >> std; about the rounded mean, the one the forward pass subtracts. */
        ROWS_OF_K(K, stats_squares(K, q, m, x + c0, R, C));
        for (int k = 0; k < K; k++) {
            mean[c0 + k] = m[k];
            variance[c0 + k] = (float)(q[k] / (double)R);
        }
    }
}

/* y and x may be the same buffer: each value is read, then written. */
void sinew_batchnorm_forward(float *y, const float *x, const float *restrict mean, const float *restrict variance,
                             const float *restrict gamma, const float *restrict beta, int64_t R, int C, float eps) {
    for (int c0 = 0; c0 < C; c0 += CHUNK) {
        int K = block(C, c0);
        float m[CHUNK], a[CHUNK], b[CHUNK];
        for (int k = 0; k < K; k++) {
            int c = c0 + k;
            float inv = 1.0f / sqrtf(variance[c] + eps);
            m[k] = mean[c];
            a[k] = gamma ? inv * gamma[c] : inv;
            b[k] = beta ? beta[c] : 0.0f;
        }
        /* (x - mean) a + beta, not Keras's x a + (beta - mean a): the same maths, but the latter
         * cancels when |mean| >> std (and leaves a residue for x == mean once gcc fuses it). */
        ROWS_OF_K(K, forward_rows(K, y + c0, x + c0, m, a, b, R, C));
    }
}

void sinew_batchnorm_backward_sums(float *restrict dgamma, float *restrict dbeta, const float *restrict dy,
                                   const float *restrict x, const float *restrict mean, const float *restrict variance,
                                   int64_t R, int C, float eps) {
    for (int c0 = 0; c0 < C; c0 += CHUNK) {
        int K = block(C, c0);
        double sdy[CHUNK], sdyx[CHUNK];
        for (int k = 0; k < K; k++) sdy[k] = 0.0, sdyx[k] = 0.0;
        ROWS_OF_K(K, backward_sums_rows(K, sdy, sdyx, dy + c0, x + c0, mean + c0, R, C));
        /* sum dy * xhat = inv_std * sum dy * (x - mean): the scale once per channel. */
        for (int k = 0; k < K; k++) {
            int c = c0 + k;
            dbeta[c] = (float)sdy[k];
            dgamma[c] = (float)(sdyx[k] / sqrt((double)(variance[c] + eps)));
        }
    }
}

/* dx and dy may be the same buffer (no restrict on them). */
void sinew_batchnorm_backward(float *dx, const float *dy, const float *restrict x, const float *restrict mean,
                              const float *restrict variance, const float *restrict gamma, const float *restrict dgamma,
                              const float *restrict dbeta, int64_t R, int C, int64_t M, float eps) {
    for (int c0 = 0; c0 < C; c0 += CHUNK) {
        int K = block(C, c0);
        float m[CHUNK], inv[CHUNK], a[CHUNK], mdy[CHUNK], mdyx[CHUNK];
        for (int k = 0; k < K; k++) {
            int c = c0 + k;
            m[k] = mean[c];
            inv[k] = 1.0f / sqrtf(variance[c] + eps);
            a[k] = gamma ? gamma[c] * inv[k] : inv[k];
            /* The means over the batch of dy and dy * xhat: how each row's dx feels the batch
             * mean and variance moving with it. Zero when the statistics were constants. */
            mdy[k] = dbeta ? (float)(dbeta[c] / (double)M) : 0.0f;
            mdyx[k] = dgamma ? (float)(dgamma[c] / (double)M) : 0.0f;
        }
        ROWS_OF_K(K, backward_rows(K, dx + c0, dy + c0, x + c0, m, inv, a, mdy, mdyx, R, C));
    }
}

void sinew_layernorm_forward(float *restrict y, float *restrict mean, float *restrict inv_std, const float *restrict x,
                             const float *restrict gamma, const float *restrict beta, int64_t R, int C, float eps) {
    for (int64_t r = 0; r < R; r++) {
        const float *xr = x + r * C;
        float *yr = y + r * C;
        float m = (float)(row_sum(xr, C) / C);
        float inv = 1.0f / sqrtf((float)(row_sum_sq(xr, m, C) / C) + eps);
        mean[r] = m;
        inv_std[r] = inv;
        /* (x - mean) inv gamma + beta, as in batch normalisation (not x a + (beta - mean a)). */
        for (int c = 0; c < C; c++) {
            float a = gamma ? inv * gamma[c] : inv;
            yr[c] = (xr[c] - m) * a + (beta ? beta[c] : 0.0f);
        }
    }
}

/* One version of the backward pass with gamma (scaled = 1) and one without (scaled = 0, gamma
 * may be NULL): gcc specialises each call below, so that no test of gamma is left in the loops
 * (a test inside a loop stops it from vectorising). */
static inline void layernorm_backward_rows(float *dx, float *restrict dgamma, float *restrict dbeta, const float *dy,
                                           const float *restrict x, const float *restrict mean,
                                           const float *restrict inv_std, const float *restrict gamma, int64_t R, int C,
                                           int scaled) {
    if (dgamma) for (int c = 0; c < C; c++) dgamma[c] = 0.0f;
    if (dbeta) for (int c = 0; c < C; c++) dbeta[c] = 0.0f;
    for (int64_t r = 0; r < R; r++) {
        const float *xr = x + r * C, *dyr = dy + r * C;
        float *dxr = dx + r * C;
        float m = mean[r], inv = inv_std[r];
        /* g = dy * gamma is the gradient with respect to xhat; dx removes from it its mean and its
         * projection on xhat (the row's mean and variance move with every x of the row). */
        double sg[LANES] = {0}, sgx[LANES] = {0};
        int c = 0;
        for (; c + LANES <= C; c += LANES)
            for (int j = 0; j < LANES; j++) {
                float xhat = (xr[c + j] - m) * inv, g = scaled ? dyr[c + j] * gamma[c + j] : dyr[c + j];
                sg[j] += g;
                sgx[j] += (double)g * xhat;
            }
        for (; c < C; c++) {
            float xhat = (xr[c] - m) * inv, g = scaled ? dyr[c] * gamma[c] : dyr[c];
            sg[c % LANES] += g;
            sgx[c % LANES] += (double)g * xhat;
        }
        float mg = (float)(lanes_total(sg) / C), mgx = (float)(lanes_total(sgx) / C);
        if (dgamma)
            for (c = 0; c < C; c++) dgamma[c] += dyr[c] * ((xr[c] - m) * inv);
        if (dbeta)
            for (c = 0; c < C; c++) dbeta[c] += dyr[c];
        for (c = 0; c < C; c++) {
            float xhat = (xr[c] - m) * inv, g = scaled ? dyr[c] * gamma[c] : dyr[c];
            dxr[c] = inv * (g - mg - xhat * mgx); /* last: dx may be dy */
        }
    }
}

void sinew_layernorm_backward(float *dx, float *restrict dgamma, float *restrict dbeta, const float *dy,
                              const float *restrict x, const float *restrict mean, const float *restrict inv_std,
                              const float *restrict gamma, int64_t R, int C) {
    if (gamma) layernorm_backward_rows(dx, dgamma, dbeta, dy, x, mean, inv_std, gamma, R, C, 1);
    else layernorm_backward_rows(dx, dgamma, dbeta, dy, x, mean, inv_std, NULL, R, C, 0);
}
