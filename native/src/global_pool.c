/* Global average and max pooling, NHWC: each image's (H, W, C) reduced over its H*W pixels to C
 * values, forward and backward. HW = H*W; a pixel p of image n holds its channels at
 * x[n][p][0..C). Every inner loop runs over contiguous channels, so gcc vectorises it. */
#include <string.h>
#include "sinew.h"

/* restrict: y, argmax and x are separate buffers on the Java side (see maxpool in pool.c). */
void sinew_global_avgpool_forward(float *restrict y, const float *restrict x, int N, int HW, int C) {
    for (int n = 0; n < N; n++) {
        const float *xn = x + (int64_t)n * HW * C;
        float *yn = y + (int64_t)n * C;
        for (int c = 0; c < C; c++) yn[c] = 0.0f;
        for (int p = 0; p < HW; p++) {
            const float *xp = xn + (int64_t)p * C;
            for (int c = 0; c < C; c++) yn[c] += xp[c];
        }
        /* A division, not a multiplication by 1/HW: the mean of the float sum as Keras's ops.mean
         * gives it, and exact where the sum is (hand-computed tests compare with 0 tolerance). */
        for (int c = 0; c < C; c++) yn[c] /= (float)HW;
    }
}

/* Every pixel took part in the mean with weight 1/HW. */
void sinew_global_avgpool_backward(float *restrict dx, const float *restrict dy, int N, int HW, int C) {
    for (int n = 0; n < N; n++) {
        const float *g = dy + (int64_t)n * C;
        float *dxn = dx + (int64_t)n * HW * C;
        for (int p = 0; p < HW; p++) {
            float *d = dxn + (int64_t)p * C;
            for (int c = 0; c < C; c++) d[c] = g[c] / (float)HW;
        }
    }
}

void sinew_global_maxpool_forward(float *restrict y, int32_t *restrict argmax, const float *restrict x, int N, int HW,
                                  int C) {
    for (int n = 0; n < N; n++) {
        const float *xn = x + (int64_t)n * HW * C;
        float *best = y + (int64_t)n * C;
        int32_t *at = argmax + (int64_t)n * C;
        for (int c = 0; c < C; c++) {
            best[c] = xn[c];
            at[c] = c;
        }
        /* Strict >: the first maximum wins, as numpy's argmax and as MaxPooling2D, so the
         * gradient of a tie goes to one pixel, the same one on both backends. */
        for (int p = 1; p < HW; p++) {
            const float *xp = xn + (int64_t)p * C;
            int32_t base = p * C;
            for (int c = 0; c < C; c++) {
                int better = xp[c] > best[c];
                best[c] = better ? xp[c] : best[c];
                at[c] = better ? base + c : at[c];
            }
        }
    }
}

void sinew_global_maxpool_backward(float *restrict dx, const float *restrict dy, const int32_t *restrict argmax, int N,
                                   int HW, int C) {
    const int64_t image = (int64_t)HW * C;
    memset(dx, 0, sizeof(float) * (size_t)(N * image));
    for (int n = 0; n < N; n++) {
        float *dxn = dx + n * image;
        for (int c = 0; c < C; c++) {
            int32_t at = argmax[(int64_t)n * C + c];
            /* Indices come from global_maxpool_forward; a foreign buffer must still not write out of bounds. */
            if (at >= 0 && at < image) dxn[at] += dy[(int64_t)n * C + c];
        }
    }
}
