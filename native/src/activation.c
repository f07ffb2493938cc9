/* Bias add fused with the activation, and the activation's backward pass. */
#include <math.h>
#include "sinew.h"

/* Softmax of one row in place. Subtracting the row maximum changes nothing mathematically and
 * keeps expf from overflowing for large logits. */
static void softmax_row(float *y, int C) {
    float max = y[0];
    for (int c = 1; c < C; c++) max = y[c] > max ? y[c] : max;
    float sum = 0.0f;
    for (int c = 0; c < C; c++) {
        y[c] = expf(y[c] - max);
        sum += y[c];
    }
    float inv = 1.0f / sum;
    for (int c = 0; c < C; c++) y[c] *= inv;
}

void sinew_bias_act_forward(float *y, const float *z, const float *b, int N, int C, int act) {
    for (int n = 0; n < N; n++) {
        const float *zr = z + (int64_t)n * C;
        float *yr = y + (int64_t)n * C;
        /* One pass for bias + elementwise activation: the row is read once while it is hot. */
        switch (act) {
        case SINEW_RELU:
            for (int c = 0; c < C; c++) {
                float v = zr[c] + (b ? b[c] : 0.0f);
                yr[c] = v > 0.0f ? v : 0.0f;
            }
            break;
        case SINEW_SIGMOID:
            for (int c = 0; c < C; c++) yr[c] = 1.0f / (1.0f + expf(-(zr[c] + (b ? b[c] : 0.0f))));
            break;
        case SINEW_TANH:
            for (int c = 0; c < C; c++) yr[c] = tanhf(zr[c] + (b ? b[c] : 0.0f));
            break;
        case SINEW_SOFTMAX:
            for (int c = 0; c < C; c++) yr[c] = zr[c] + (b ? b[c] : 0.0f);
            softmax_row(yr, C);
            break;
        default: /* SINEW_LINEAR */
            for (int c = 0; c < C; c++) yr[c] = zr[c] + (b ? b[c] : 0.0f);
            break;
        }
    }
}

void sinew_act_backward(float *dz, const float *y, const float *dy, int N, int C, int act) {
    int64_t total = (int64_t)N * C;
    switch (act) {
    case SINEW_RELU:
        for (int64_t i = 0; i < total; i++) dz[i] = y[i] > 0.0f ? dy[i] : 0.0f;
        break;
    case SINEW_SIGMOID:
        for (int64_t i = 0; i < total; i++) dz[i] = dy[i] * y[i] * (1.0f - y[i]);
        break;
    case SINEW_TANH:
        for (int64_t i = 0; i < total; i++) dz[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case SINEW_SOFTMAX:
        for (int n = 0; n < N; n++) {
            const float *yr = y + (int64_t)n * C, *dyr = dy + (int64_t)n * C;
            float *dzr = dz + (int64_t)n * C;
            float dot = 0.0f;
            for (int c = 0; c < C; c++) dot += dyr[c] * yr[c];
            for (int c = 0; c < C; c++) dzr[c] = yr[c] * (dyr[c] - dot);
        }
        break;
    default: /* SINEW_LINEAR */
        for (int64_t i = 0; i < total; i++) dz[i] = dy[i];
        break;
    }
}
