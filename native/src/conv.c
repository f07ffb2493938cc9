/* im2col / col2im: convolution as one GEMM over all patches of a batch (NHWC). */
#include <string.h>
#include "sinew.h"

/* Copies a run of n floats. Short runs (a 3-wide window of one channel: 3 floats) get a loop of
 * fixed length that gcc unrolls: the vectorised loop it makes for an unknown n costs ten times
 * more than such a copy in its set-up. */
static inline void copy_run(float *restrict d, const float *restrict s, int n) {
    if (n <= 8) {
        for (int j = 0; j < 8; j++)
            if (j < n) d[j] = s[j];
        return;
    }
    for (int j = 0; j < n; j++) d[j] = s[j];
}

/* restrict (here and in col2im): the patch matrix and the image are separate buffers. */
void sinew_im2col(float *restrict cols, const float *restrict x, int N, int H, int W, int C, int KH, int KW, int SH,
                  int SW, int PT, int PL, int OH, int OW) {
    const int64_t K = (int64_t)KH * KW * C;
    const int run = KW * C;
    if (PT == 0 && PL == 0 && (OH - 1) * SH + KH <= H && (OW - 1) * SW + KW <= W) {
        /* No window touches padding ("valid"): straight copies of KH runs per patch, with none of
         * the bounds tests below (they cost more than the copies for a 3x3 patch of one channel). */
        for (int n = 0; n < N; n++) {
            const float *xn = x + (int64_t)n * H * W * C;
            float *row = cols + (int64_t)n * OH * OW * K;
            for (int oh = 0; oh < OH; oh++) {
                for (int ow = 0; ow < OW; ow++, row += K) {
                    const float *src = xn + ((int64_t)oh * SH * W + (int64_t)ow * SW) * C;
                    for (int kh = 0; kh < KH; kh++) {
                        copy_run(row + kh * run, src + (int64_t)kh * W * C, run);
                    }
                }
            }
        }
        return;
    }
    for (int n = 0; n < N; n++) {
        const float *xn = x + (int64_t)n * H * W * C;
        for (int oh = 0; oh < OH; oh++) {
            float *rows = cols + ((int64_t)n * OH + oh) * OW * K;
            for (int kh = 0; kh < KH; kh++) {
                int h = oh * SH - PT + kh;
                for (int ow = 0; ow < OW; ow++) {
                    float *dst = rows + ow * K + kh * run;
                    int w0 = ow * SW - PL;
                    if (h < 0 || h >= H) {
                        for (int j = 0; j < run; j++) dst[j] = 0.0f;
                    } else if (w0 >= 0 && w0 + KW <= W) {
                        /* The window's row lies inside the image: in NHWC its KW pixels of C
                         * channels are one contiguous run (the common case, no padding). */
                        copy_run(dst, xn + ((int64_t)h * W + w0) * C, run);
                    } else {
                        for (int kw = 0; kw < KW; kw++) {
                            int w = w0 + kw;
                            float *d = dst + kw * C;
                            if (w < 0 || w >= W) {
                                for (int c = 0; c < C; c++) d[c] = 0.0f;
                            } else {
                                const float *src = xn + ((int64_t)h * W + w) * C;
                                for (int c = 0; c < C; c++) d[c] = src[c];
                            }
                        }
                    }
                }
            }
        }
    }
}

void sinew_col2im(float *restrict dx, const float *restrict dcols, int N, int H, int W, int C, int KH, int KW, int SH,
                  int SW, int PT, int PL, int OH, int OW) {
    const int64_t K = (int64_t)KH * KW * C;
    memset(dx, 0, sizeof(float) * (size_t)N * H * W * C);
    for (int n = 0; n < N; n++) {
        float *dxn = dx + (int64_t)n * H * W * C;
        for (int oh = 0; oh < OH; oh++) {
            for (int ow = 0; ow < OW; ow++) {
                const float *row = dcols + (((int64_t)n * OH + oh) * OW + ow) * K;
                for (int kh = 0; kh < KH; kh++) {
                    int h = oh * SH - PT + kh;
                    if (h < 0 || h >= H) continue;
                    for (int kw = 0; kw < KW; kw++) {
                        int w = ow * SW - PL + kw;
                        if (w < 0 || w >= W) continue;
                        const float *src = row + ((int64_t)kh * KW + kw) * C;
                        float *dst = dxn + ((int64_t)h * W + w) * C;
                        for (int c = 0; c < C; c++) dst[c] += src[c];
                    }
                }
            }
        }
    }
}
