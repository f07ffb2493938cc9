/* Depthwise convolution over NHWC images: Keras's DepthwiseConv2D, and the first half of
 * SeparableConv2D. Each input channel c has its own M filters and output channel c*M + m sees
 * channel c only, so there is no sum over channels for a GEMM to do: per output value only KH*KW
 * multiply-adds, against KH*KW values read. im2col would only multiply the memory traffic by
 * KH*KW; a plain loop nest suits it.
 *
 * The loop order: per output row (n, oh), per kernel tap (kh, kw), one pass along the row over
 * the output columns whose pixel lies inside the image. The bounds are worked out once per tap,
 * not per pixel, and the output row (OW*C*M floats) stays in L1 while the taps add into it. Inside
 * the pass, two shapes:
 *   - C*M >= 8: pixel by pixel, a contiguous run of C*M channels that gcc vectorises;
 *   - C*M < 8 (a first layer on 1 or 3 channels): channel by channel, a long run along the row,
 *     instead of a loop of one to seven values set up anew for every pixel and tap.
 * M is a compile-time constant for 1, 2, 3 and 4 (see `switch (M)` below), so that the inner
 * c*M + m loops become plain unrolled code instead of loops of two or four iterations.
 * Each output sums its taps in (kh, kw) order in both shapes. */
#include <string.h>
#include "sinew.h"

/* The kernel rows [*lo, *hi) of a window starting at input row `start` (= oh * SH - PT) that fall
 * inside an image of `size` rows. */
static inline void rows_inside(int start, int K, int size, int *lo, int *hi) {
    *lo = start < 0 ? -start : 0;
    *hi = start + K > size ? size - start : K;
}

/* The output columns [*lo, *hi) whose tap kw reads a pixel inside the image: 0 <= ow*SW - PL + kw < W. */
static inline void cols_inside(int kw, int SW, int PL, int W, int OW, int *lo, int *hi) {
    int first = PL - kw, last = W - 1 + PL - kw; /* ow*SW must lie in [first, last] */
    *lo = first <= 0 ? 0 : (first + SW - 1) / SW;
    *hi = last < 0 ? 0 : last / SW + 1;
    if (*hi > OW) *hi = OW;
    if (*lo > *hi) *lo = *hi;
}

/* out[i, c*M+m] += x[i*SW, c] k[c*M+m] for i in [0, count): one tap along a run of one output row,
 * out and xr pointing at the run's first output and at the pixel the tap reads for it. */
static inline __attribute__((always_inline)) void tap_forward(float *restrict out, const float *restrict xr,
                                                              const float *restrict k, int count, int C, int M,
                                                              int SW) {
    const int CM = C * M;
    if (CM >= 8) {
        for (int i = 0; i < count; i++) {
            float *o = out + (int64_t)i * CM;
            const float *px = xr + (int64_t)i * SW * C;
            for (int c = 0; c < C; c++)
                for (int m = 0; m < M; m++) o[c * M + m] += px[c] * k[c * M + m];
        }
    } else {
        for (int c = 0; c < C; c++) {
            for (int m = 0; m < M; m++) {
                const float kv = k[c * M + m];
                for (int i = 0; i < count; i++) out[(int64_t)i * CM + c * M + m] += xr[(int64_t)i * SW * C + c] * kv;
            }
        }
    }
}

/* The same run's share of the gradients, given g = dL/dout of the run: dk[c*M+m] += sum_i
 * x[i*SW, c] g[i, c*M+m] and, unless dxr is NULL, dxr[i*SW, c] += sum_m k[c*M+m] g[i, c*M+m]. */
static inline __attribute__((always_inline)) void tap_backward(float *restrict dxr, float *restrict dk,
                                                               const float *restrict g, const float *restrict xr,
                                                               const float *restrict k, int count, int C, int M,
                                                               int SW) {
    const int CM = C * M;
    if (CM >= 8) {
        for (int i = 0; i < count; i++) {
            const float *gi = g + (int64_t)i * CM, *px = xr + (int64_t)i * SW * C;
            for (int c = 0; c < C; c++)
                for (int m = 0; m < M; m++) dk[c * M + m] += px[c] * gi[c * M + m];
            if (dxr) {
                float *pdx = dxr + (int64_t)i * SW * C;
                for (int c = 0; c < C; c++) {
                    float s = 0.0f;
                    for (int m = 0; m < M; m++) s += k[c * M + m] * gi[c * M + m];
                    pdx[c] += s;
                }
            }
        }
    } else {
        for (int c = 0; c < C; c++) {
            for (int m = 0; m < M; m++) {
                float s = 0.0f;
                for (int i = 0; i < count; i++) s += xr[(int64_t)i * SW * C + c] * g[(int64_t)i * CM + c * M + m];
                dk[c * M + m] += s;
            }
            if (dxr) {
                for (int i = 0; i < count; i++) {
                    float s = 0.0f;
                    for (int m = 0; m < M; m++) s += k[c * M + m] * g[(int64_t)i * CM + c * M + m];
                    dxr[(int64_t)i * SW * C + c] += s;
                }
            }
        }
    }
}

/* M as a compile-time constant for the common multipliers (see the top of this file). */
#define BY_M(M, call_with_m)                                                                                      \
    switch (M) {                                                                                                  \
    case 1: call_with_m(1); break;                                                                                \
    case 2: call_with_m(2); break;                                                                                \
    case 3: call_with_m(3); break;                                                                                \
    case 4: call_with_m(4); break;                                                                                \
    default: call_with_m(M); break;                                                                               \
    }

void sinew_depthwise_forward(float *restrict y, const float *restrict x, const float *restrict k, int N, int H,
                             int W, int C, int M, int KH, int KW, int SH, int SW, int PT, int PL, int OH, int OW) {
    const int CM = C * M;
    for (int n = 0; n < N; n++) {
        for (int oh = 0; oh < OH; oh++) {
            int h0 = oh * SH - PT, kh_lo, kh_hi;
            rows_inside(h0, KH, H, &kh_lo, &kh_hi);
            float *out = y + ((int64_t)n * OH + oh) * OW * CM;
            memset(out, 0, sizeof(float) * (size_t)OW * CM);
            for (int kh = kh_lo; kh < kh_hi; kh++) {
                for (int kw = 0; kw < KW; kw++) {
                    int lo, hi;
                    cols_inside(kw, SW, PL, W, OW, &lo, &hi);
                    if (lo == hi) continue;
                    /* the run's first output, and the pixel its tap reads (inside the image) */
                    float *o = out + (int64_t)lo * CM;
                    const float *xr = x + ((int64_t)n * H * W + (int64_t)(h0 + kh) * W + (lo * SW - PL + kw)) * C;
                    const float *pk = k + ((int64_t)kh * KW + kw) * CM;
#define FORWARD(m) tap_forward(o, xr, pk, hi - lo, C, m, SW)
                    BY_M(M, FORWARD)
#undef FORWARD
                }
            }
        }
    }
}

void sinew_depthwise_backward(float *restrict dx, float *restrict dk, float *restrict db, const float *restrict dy,
                              const float *restrict x, const float *restrict k, int N, int H, int W, int C, int M,
                              int KH, int KW, int SH, int SW, int PT, int PL, int OH, int OW) {
    const int CM = C * M;
    memset(dk, 0, sizeof(float) * (size_t)KH * KW * CM);
    if (db) {
        memset(db, 0, sizeof(float) * (size_t)CM);
        for (int64_t o = 0; o < (int64_t)N * OH * OW; o++)
            for (int j = 0; j < CM; j++) db[j] += dy[o * CM + j];
    }
    if (dx) memset(dx, 0, sizeof(float) * (size_t)N * H * W * C);
    for (int n = 0; n < N; n++) {
        for (int oh = 0; oh < OH; oh++) {
            int h0 = oh * SH - PT, kh_lo, kh_hi;
            rows_inside(h0, KH, H, &kh_lo, &kh_hi);
            const float *g = dy + ((int64_t)n * OH + oh) * OW * CM;
            for (int kh = kh_lo; kh < kh_hi; kh++) {
                for (int kw = 0; kw < KW; kw++) {
                    int lo, hi;
                    cols_inside(kw, SW, PL, W, OW, &lo, &hi);
                    if (lo == hi) continue;
                    int64_t pixel = ((int64_t)n * H * W + (int64_t)(h0 + kh) * W + (lo * SW - PL + kw)) * C;
                    const float *gr = g + (int64_t)lo * CM, *xr = x + pixel, *pk = k + ((int64_t)kh * KW + kw) * CM;
                    float *dxr = dx ? dx + pixel : NULL, *pdk = dk + ((int64_t)kh * KW + kw) * CM;
#define BACKWARD(m) tap_backward(dxr, pdk, gr, xr, pk, hi - lo, C, m, SW)
                    BY_M(M, BACKWARD)
#undef BACKWARD
                }
            }
        }
    }
}
