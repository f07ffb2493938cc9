/* Max and average pooling, NHWC, forward and backward. */
#include <string.h>
#include "sinew.h"

/* restrict: y, argmax and x never overlap (separate buffers on the Java side); without it gcc
 * must assume a store to best[] can change xp[] and keeps the channel loop scalar. */
void sinew_maxpool_forward(float *restrict y, int32_t *restrict argmax, const float *restrict x, int N, int H, int W, int C,
                           int KH, int KW, int SH, int SW, int PT, int PL, int OH, int OW) {
    for (int n = 0; n < N; n++) {
        const float *xn = x + (int64_t)n * H * W * C;
        for (int oh = 0; oh < OH; oh++) {
            for (int ow = 0; ow < OW; ow++) {
                int64_t o = (((int64_t)n * OH + oh) * OW + ow) * C;
                float *best = y + o;
                int32_t *at = argmax + o;
                int h0 = oh * SH - PT, w0 = ow * SW - PL;
                if (KH == 2 && KW == 2 && h0 >= 0 && w0 >= 0 && h0 + 2 <= H && w0 + 2 <= W) {
                    /* The common 2x2 window inside the image: its four pixels in one pass over the
                     * channels (a quarter of the loads and stores of the general loop below);
                     * the same order and strict >, so the same argmax. */
                    int32_t b0 = (int32_t)(((int64_t)h0 * W + w0) * C), b1 = b0 + C;
                    int32_t b2 = b0 + W * C, b3 = b2 + C;
                    for (int c = 0; c < C; c++) {
                        float m = xn[b0 + c];
                        int32_t a = b0 + c;
                        if (xn[b1 + c] > m) { m = xn[b1 + c]; a = b1 + c; }
                        if (xn[b2 + c] > m) { m = xn[b2 + c]; a = b2 + c; }
                        if (xn[b3 + c] > m) { m = xn[b3 + c]; a = b3 + c; }
                        best[c] = m;
                        at[c] = a;
                    }
                    continue;
                }
                int first = 1;
                /* Pixel by pixel, all channels at once: the inner loop runs over contiguous
                 * channels and vectorises; strict > keeps the first maximum, as numpy's argmax. */
                for (int kh = 0; kh < KH; kh++) {
                    int h = oh * SH - PT + kh;
                    if (h < 0 || h >= H) continue;
                    for (int kw = 0; kw < KW; kw++) {
                        int w = ow * SW - PL + kw;
                        if (w < 0 || w >= W) continue;
                        int32_t base = (int32_t)(((int64_t)h * W + w) * C);
                        const float *xp = xn + base;
                        if (first) {
                            for (int c = 0; c < C; c++) {
                                best[c] = xp[c];
                                at[c] = base + c;
                            }
                            first = 0;
                        } else {
                            for (int c = 0; c < C; c++) {
                                int better = xp[c] > best[c];
                                best[c] = better ? xp[c] : best[c];
                                at[c] = better ? base + c : at[c];
                            }
                        }
                    }
                }
            }
        }
    }
}

/* The 2x2, stride-2 windows of the notebook CNN's pooling tile the image (all but an odd last row
 * and column): each window's four pixels are written at once, dy at the argmax and 0 elsewhere,
 * channels in vectors, instead of zeroing dx and then scattering dy one value at a time. 2.2-2.5x
 * faster on the CNN's 26x26x32 and 11x11x64 (measured alone, per 32 images). v + 0 makes a -0
 * gradient +0, as the general loop's 0 + v does: the same bits either way. */
static void maxpool_backward_2x2(float *restrict dx, const float *restrict dy, const int32_t *restrict argmax, int N,
                                 int H, int W, int C, int OH, int OW) {
    const int64_t per = (int64_t)OH * OW * C, image = (int64_t)H * W * C;
    const size_t rest = sizeof(float) * (size_t)C * (W - 2 * OW); /* the odd last column, if any */
    for (int n = 0; n < N; n++) {
        float *dxn = dx + n * image;
        for (int oh = 0; oh < OH; oh++) {
            for (int ow = 0; ow < OW; ow++) {
                const int64_t o = n * per + ((int64_t)oh * OW + ow) * C;
                const float *g = dy + o;
                const int32_t *at = argmax + o;
                const int32_t b0 = (int32_t)(((int64_t)2 * oh * W + 2 * ow) * C), b1 = b0 + C, b2 = b0 + W * C, b3 = b2 + C;
                float *d0 = dxn + b0, *d1 = dxn + b1, *d2 = dxn + b2, *d3 = dxn + b3;
                for (int c = 0; c < C; c++) {
                    const int32_t a = at[c];
                    const float v = g[c] + 0.0f;
                    d0[c] = a == b0 + c ? v : 0.0f;
                    d1[c] = a == b1 + c ? v : 0.0f;
                    d2[c] = a == b2 + c ? v : 0.0f;
                    d3[c] = a == b3 + c ? v : 0.0f;
                }
            }
            if (rest) {
                memset(dxn + ((int64_t)2 * oh * W + 2 * OW) * C, 0, rest);
                memset(dxn + ((int64_t)(2 * oh + 1) * W + 2 * OW) * C, 0, rest);
            }
        }
        if (H > 2 * OH) memset(dxn + (int64_t)2 * OH * W * C, 0, sizeof(float) * (size_t)(H - 2 * OH) * W * C);
    }
}

void sinew_maxpool_backward(float *restrict dx, const float *restrict dy, const int32_t *restrict argmax, int N, int H, int W,
                            int C, int KH, int KW, int SH, int SW, int PT, int PL, int OH, int OW) {
    if (KH == 2 && KW == 2 && SH == 2 && SW == 2 && PT == 0 && PL == 0 && 2 * OH <= H && 2 * OW <= W) {
        maxpool_backward_2x2(dx, dy, argmax, N, H, W, C, OH, OW);
        return;
    }
    memset(dx, 0, sizeof(float) * (size_t)N * H * W * C);
    const int64_t per = (int64_t)OH * OW * C, image = (int64_t)H * W * C;
    for (int n = 0; n < N; n++) {
        float *dxn = dx + n * image;
        for (int64_t o = 0; o < per; o++) {
            int32_t at = argmax[n * per + o];
            /* Indices come from maxpool_forward; a foreign buffer must still not write out of bounds. */
            if (at >= 0 && at < image) dxn[at] += dy[n * per + o];
        }
    }
}

/* Pixels of the window of output (oh, ow) that lie inside the image. */
static int window_count(int oh, int ow, int H, int W, int KH, int KW, int SH, int SW, int PT, int PL) {
    int h0 = oh * SH - PT, w0 = ow * SW - PL;
    int h1 = h0 + KH, w1 = w0 + KW;
    if (h0 < 0) h0 = 0;
    if (w0 < 0) w0 = 0;
    if (h1 > H) h1 = H;
    if (w1 > W) w1 = W;
    return (h1 - h0) * (w1 - w0);
}

void sinew_avgpool_forward(float *y, const float *x, int N, int H, int W, int C, int KH, int KW,
                           int SH, int SW, int PT, int PL, int OH, int OW) {
    for (int n = 0; n < N; n++) {
        const float *xn = x + (int64_t)n * H * W * C;
        for (int oh = 0; oh < OH; oh++) {
            for (int ow = 0; ow < OW; ow++) {
                float *yo = y + (((int64_t)n * OH + oh) * OW + ow) * C;
                float inv = 1.0f / (float)window_count(oh, ow, H, W, KH, KW, SH, SW, PT, PL);
                for (int c = 0; c < C; c++) yo[c] = 0.0f;
                for (int kh = 0; kh < KH; kh++) {
                    int h = oh * SH - PT + kh;
                    if (h < 0 || h >= H) continue;
                    for (int kw = 0; kw < KW; kw++) {
                        int w = ow * SW - PL + kw;
                        if (w < 0 || w >= W) continue;
                        const float *xp = xn + ((int64_t)h * W + w) * C;
                        for (int c = 0; c < C; c++) yo[c] += xp[c];
                    }
                }
                for (int c = 0; c < C; c++) yo[c] *= inv;
            }
        }
    }
}

void sinew_avgpool_backward(float *dx, const float *dy, int N, int H, int W, int C, int KH, int KW,
                            int SH, int SW, int PT, int PL, int OH, int OW) {
    memset(dx, 0, sizeof(float) * (size_t)N * H * W * C);
    for (int n = 0; n < N; n++) {
        float *dxn = dx + (int64_t)n * H * W * C;
        for (int oh = 0; oh < OH; oh++) {
            for (int ow = 0; ow < OW; ow++) {
                const float *g = dy + (((int64_t)n * OH + oh) * OW + ow) * C;
                float inv = 1.0f / (float)window_count(oh, ow, H, W, KH, KW, SH, SW, PT, PL);
                for (int kh = 0; kh < KH; kh++) {
                    int h = oh * SH - PT + kh;
                    if (h < 0 || h >= H) continue;
                    for (int kw = 0; kw < KW; kw++) {
                        int w = ow * SW - PL + kw;
                        if (w < 0 || w >= W) continue;
                        float *d = dxn + ((int64_t)h * W + w) * C;
                        for (int c = 0; c < C; c++) d[c] += g[c] * inv;
                    }
                }
            }
        }
    }
}
