/* Affine image warp with bilinear sampling: rotation, zoom and translation augmentation. */
#include <math.h>
#include "sinew.h"

void sinew_affine_warp(float *y, const float *x, const float *transforms, int N, int H, int W, int C) {
    const float cy = 0.5f * (float)(H - 1), cx = 0.5f * (float)(W - 1);
    for (int n = 0; n < N; n++) {
        const float *t = transforms + 6 * (int64_t)n;
        const float *xn = x + (int64_t)n * H * W * C;
        float *yn = y + (int64_t)n * H * W * C;
        for (int h = 0; h < H; h++) {
            for (int w = 0; w < W; w++) {
                float dh = (float)h - cy, dw = (float)w - cx;
                float u = t[0] * dh + t[1] * dw + cy + t[4];
                float v = t[2] * dh + t[3] * dw + cx + t[5];
                float *out = yn + ((int64_t)h * W + w) * C;
                /* Far outside (or NaN): zeros, and no float-to-int conversion of a value that
                 * does not fit an int. */
                if (!(u > -1.0f && u < (float)H && v > -1.0f && v < (float)W)) {
                    for (int c = 0; c < C; c++) out[c] = 0.0f;
                    continue;
                }
                float u0f = floorf(u), v0f = floorf(v);
                int u0 = (int)u0f, v0 = (int)v0f;
                float fu = u - u0f, fv = v - v0f;
                for (int c = 0; c < C; c++) out[c] = 0.0f;
                /* The four neighbours, each weighted by its overlap; those outside add nothing. */
                for (int k = 0; k < 4; k++) {
                    int uu = u0 + (k >> 1), vv = v0 + (k & 1);
                    if (uu < 0 || uu >= H || vv < 0 || vv >= W) continue;
                    float wgt = ((k >> 1) ? fu : 1.0f - fu) * ((k & 1) ? fv : 1.0f - fv);
                    if (wgt == 0.0f) continue;
                    const float *in = xn + ((int64_t)uu * W + vv) * C;
                    for (int c = 0; c < C; c++) out[c] += wgt * in[c];
                }
            }
        }
    }
}
