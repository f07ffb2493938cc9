/* im2col / col2im: convolution as one GEMM over all patches of a batch (NHWC). */
#include <string.h>
#include "sinew.h"

void sinew_im2col(float *cols, const float *x, int N, int H, int W, int C, int KH, int KW, int SH,
                  int SW, int PT, int PL, int OH, int OW) {
    const int64_t K = (int64_t)KH * KW * C;
    for (int n = 0; n < N; n++) {
        const float *xn = x + (int64_t)n * H * W * C;
        for (int oh = 0; oh < OH; oh++) {
            for (int ow = 0; ow < OW; ow++) {
                float *row = cols + (((int64_t)n * OH + oh) * OW + ow) * K;
                int w0 = ow * SW - PL;
                for (int kh = 0; kh < KH; kh++) {
                    int h = oh * SH - PT + kh;
                    float *dst = row + (int64_t)kh * KW * C;
                    if (h < 0 || h >= H) {
                        for (int j = 0; j < KW * C; j++) dst[j] = 0.0f;
                    } else if (w0 >= 0 && w0 + KW <= W) {
                        /* The window's row lies inside the image: in NHWC its KW pixels of C
                         * channels are one contiguous run (the common case, no padding). */
                        const float *src = xn + ((int64_t)h * W + w0) * C;
                        for (int j = 0; j < KW * C; j++) dst[j] = src[j];
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

void sinew_col2im(float *dx, const float *dcols, int N, int H, int W, int C, int KH, int KW, int SH,
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
