/* Layers that move values without arithmetic (Keras's layers/reshaping): zero padding of NHWC
 * images and its adjoint, the crop; and the transpose behind Permute. */
#include <string.h>
#include "sinew.h"

/* Each padded image is (top + H + bottom) rows of (left + W + right) * C values: whole zero rows
 * above and below, and every input row copied between two zero runs. memset/memcpy per row: a
 * ResNet stem's (224 + 6)^2 x 3 image is 230 such rows. */
void sinew_zero_pad_forward(float *restrict y, const float *restrict x, int N, int H, int W, int C, int top,
                            int bottom, int left, int right) {
    const int64_t row = (int64_t)(left + W + right) * C, image = (int64_t)(top + H + bottom) * row;
    const size_t F = sizeof(float);
    for (int n = 0; n < N; n++) {
        const float *xn = x + (int64_t)n * H * W * C;
        float *yn = y + n * image;
        memset(yn, 0, F * (size_t)(top * row));
        for (int h = 0; h < H; h++) {
            float *yr = yn + (top + h) * row;
            memset(yr, 0, F * (size_t)left * C);
            memcpy(yr + (int64_t)left * C, xn + (int64_t)h * W * C, F * (size_t)W * C);
            memset(yr + (int64_t)(left + W) * C, 0, F * (size_t)right * C);
        }
        memset(yn + (top + H) * row, 0, F * (size_t)(bottom * row));
    }
}

/* The gradient of padding is the crop: dx[n][h][w][c] = dy[n][top + h][left + w][c]; the padding's
 * gradient is dropped. */
void sinew_zero_pad_backward(float *restrict dx, const float *restrict dy, int N, int H, int W, int C, int top,
                             int bottom, int left, int right) {
    const int64_t row = (int64_t)(left + W + right) * C, image = (int64_t)(top + H + bottom) * row;
    for (int n = 0; n < N; n++) {
        const float *dyn = dy + n * image;
        float *dxn = dx + (int64_t)n * H * W * C;
        for (int h = 0; h < H; h++) {
            memcpy(dxn + (int64_t)h * W * C, dyn + (top + h) * row + (int64_t)left * C, sizeof(float) * (size_t)W * C);
        }
    }
}

/* A strided gather: output element (i0, i1, i2, i3) of each image reads the input at
 * i0*S0 + i1*S1 + i2*S2 + i3*S3. With S the input's strides taken in the permuted order, that is
 * the transpose; with the inverse permutation, its gradient. When the last axis stays last
 * (S3 = 1, Permute((2, 1, 3)) on images) the inner loop is a contiguous copy. */
void sinew_transpose(float *restrict y, const float *restrict x, int N, int D0, int D1, int D2, int D3, int S0,
                     int S1, int S2, int S3) {
    const int64_t image = (int64_t)D0 * D1 * D2 * D3;
    for (int n = 0; n < N; n++) {
        const float *xn = x + n * image;
        float *yo = y + n * image;
        for (int i0 = 0; i0 < D0; i0++) {
            for (int i1 = 0; i1 < D1; i1++) {
                for (int i2 = 0; i2 < D2; i2++) {
                    const float *xs = xn + (int64_t)i0 * S0 + (int64_t)i1 * S1 + (int64_t)i2 * S2;
                    if (S3 == 1) {
                        memcpy(yo, xs, sizeof(float) * (size_t)D3);
                    } else {
                        for (int i3 = 0; i3 < D3; i3++) yo[i3] = xs[(int64_t)i3 * S3];
                    }
                    yo += D3;
                }
            }
        }
    }
}
