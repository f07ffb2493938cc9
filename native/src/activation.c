/* Bias add fused with the activation, and the activation's backward pass. */
#include <math.h>
#include "sinew.h"

#define SELU_ALPHA 1.67326324f
#define SELU_SCALE 1.05070098f
#define SQRT_2_OVER_PI 0.7978845608f
#define INV_SQRT_2 0.7071067812f
#define INV_SQRT_2PI 0.3989422804f
#define GELU_C 0.044715f

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

/* Log-softmax of one row in place: z - max - log(sum e^(z - max)), with no overflow and no
 * log of an underflowed probability. */
static void log_softmax_row(float *y, int C) {
    float max = y[0];
    for (int c = 1; c < C; c++) max = y[c] > max ? y[c] : max;
    float sum = 0.0f;
    for (int c = 0; c < C; c++) sum += expf(y[c] - max);
    float shift = max + logf(sum);
    for (int c = 0; c < C; c++) y[c] -= shift;
}

/* log(1 + e^v) without overflow for large v nor loss of precision for very negative v. */
static inline float softplus(float v) {
    return (v > 0.0f ? v : 0.0f) + log1pf(expf(-fabsf(v)));
}

static inline float sigmoid(float v) {
    return 1.0f / (1.0f + expf(-v));
}

static inline float relu6(float v) {
    return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
}

/* One element of the elementwise activations (softmax excepted). */
static inline float act_forward(float v, int act, float alpha) {
    switch (act) {
    case SINEW_RELU: return v > 0.0f ? v : 0.0f;
    case SINEW_SIGMOID: return sigmoid(v);
    case SINEW_TANH: return tanhf(v);
    case SINEW_LEAKY_RELU: return v > 0.0f ? v : alpha * v;
    case SINEW_ELU: return v > 0.0f ? v : alpha * expm1f(v);
    case SINEW_SELU: return SELU_SCALE * (v > 0.0f ? v : SELU_ALPHA * expm1f(v));
    case SINEW_GELU: return 0.5f * v * (1.0f + erff(v * INV_SQRT_2));
    case SINEW_GELU_TANH: return 0.5f * v * (1.0f + tanhf(SQRT_2_OVER_PI * (v + GELU_C * v * v * v)));
    case SINEW_SILU: return v * sigmoid(v);
    case SINEW_SOFTPLUS: return softplus(v);
    case SINEW_SOFTSIGN: return v / (1.0f + fabsf(v));
    case SINEW_HARD_SIGMOID: return relu6(v + 3.0f) / 6.0f;
    case SINEW_HARD_SILU: return v * relu6(v + 3.0f) / 6.0f;
    case SINEW_RELU6: return relu6(v);
    case SINEW_EXPONENTIAL: return expf(v);
    case SINEW_MISH: return v * tanhf(softplus(v));
    default: return v; /* SINEW_LINEAR */
    }
}

/* act'(z) from the output y (or, for the input-based activations, from z). */
static inline float act_derivative(float z, float y, int act, float alpha) {
    switch (act) {
    case SINEW_RELU: return y > 0.0f ? 1.0f : 0.0f;
    case SINEW_SIGMOID: return y * (1.0f - y);
    case SINEW_TANH: return 1.0f - y * y;
    /* alpha >= 0, so y > 0 exactly when z > 0 */
    case SINEW_LEAKY_RELU: return y > 0.0f ? 1.0f : alpha;
    /* z <= 0: d/dz alpha (e^z - 1) = alpha e^z = y + alpha */
    case SINEW_ELU: return y > 0.0f ? 1.0f : y + alpha;
    case SINEW_SELU: return y > 0.0f ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA;
    /* Phi(z) + z phi(z) */
    case SINEW_GELU: return 0.5f * (1.0f + erff(z * INV_SQRT_2)) + z * INV_SQRT_2PI * expf(-0.5f * z * z);
    case SINEW_GELU_TANH: {
        float t = tanhf(SQRT_2_OVER_PI * (z + GELU_C * z * z * z));
        return 0.5f * (1.0f + t) + 0.5f * z * (1.0f - t * t) * SQRT_2_OVER_PI * (1.0f + 3.0f * GELU_C * z * z);
    }
    case SINEW_SILU: {
        float s = sigmoid(z);
        return s * (1.0f + z * (1.0f - s));
    }
    /* sigmoid(z) = 1 - e^-y */
    case SINEW_SOFTPLUS: return -expm1f(-y);
    /* 1 / (1 + |z|)^2 = (1 - |y|)^2 */
    case SINEW_SOFTSIGN: { float a = 1.0f - fabsf(y); return a * a; }
    case SINEW_HARD_SIGMOID: return y > 0.0f && y < 1.0f ? 1.0f / 6.0f : 0.0f;
    case SINEW_HARD_SILU: return z < -3.0f ? 0.0f : (z > 3.0f ? 1.0f : (2.0f * z + 3.0f) / 6.0f);
    case SINEW_RELU6: return y > 0.0f && y < 6.0f ? 1.0f : 0.0f;
    case SINEW_EXPONENTIAL: return y;
    /* tanh(sp) + z (1 - tanh^2(sp)) sigmoid(z), sp = softplus(z) */
    case SINEW_MISH: {
        float t = tanhf(softplus(z));
        return t + z * (1.0f - t * t) * sigmoid(z);
    }
    default: return 1.0f; /* SINEW_LINEAR */
    }
}

void sinew_bias_act_forward(float *y, const float *z, const float *b, int N, int C, int act, float alpha) {
    for (int n = 0; n < N; n++) {
        const float *zr = z + (int64_t)n * C;
        float *yr = y + (int64_t)n * C;
        /* One pass for bias + elementwise activation: the row is read once while it is hot.
         * The common cases get their own loops so gcc vectorises them. */
        switch (act) {
        case SINEW_LINEAR:
            for (int c = 0; c < C; c++) yr[c] = zr[c] + (b ? b[c] : 0.0f);
            break;
        case SINEW_RELU:
            for (int c = 0; c < C; c++) {
                float v = zr[c] + (b ? b[c] : 0.0f);
                yr[c] = v > 0.0f ? v : 0.0f;
            }
            break;
        case SINEW_SOFTMAX:
            for (int c = 0; c < C; c++) yr[c] = zr[c] + (b ? b[c] : 0.0f);
            softmax_row(yr, C);
            break;
        case SINEW_LOG_SOFTMAX:
            for (int c = 0; c < C; c++) yr[c] = zr[c] + (b ? b[c] : 0.0f);
            log_softmax_row(yr, C);
            break;
        default:
            for (int c = 0; c < C; c++) yr[c] = act_forward(zr[c] + (b ? b[c] : 0.0f), act, alpha);
            break;
        }
    }
}

void sinew_act_backward(float *dz, const float *z, const float *y, const float *dy, int N, int C,
                        int act, float alpha) {
    int64_t total = (int64_t)N * C;
    switch (act) {
    case SINEW_LINEAR:
        for (int64_t i = 0; i < total; i++) dz[i] = dy[i];
        break;
    case SINEW_RELU:
        for (int64_t i = 0; i < total; i++) dz[i] = y[i] > 0.0f ? dy[i] : 0.0f;
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
    case SINEW_LOG_SOFTMAX:
        for (int n = 0; n < N; n++) {
            const float *yr = y + (int64_t)n * C, *dyr = dy + (int64_t)n * C;
            float *dzr = dz + (int64_t)n * C;
            float sum = 0.0f;
            for (int c = 0; c < C; c++) sum += dyr[c];
            for (int c = 0; c < C; c++) dzr[c] = dyr[c] - expf(yr[c]) * sum;
        }
        break;
    default:
        for (int64_t i = 0; i < total; i++)
            dz[i] = dy[i] * act_derivative(z ? z[i] : 0.0f, y[i], act, alpha);
        break;
    }
}

void sinew_relu_forward(float *y, const float *x, int64_t n, float max_value, float negative_slope, float threshold) {
    for (int64_t i = 0; i < n; i++) {
        float v = x[i];
        y[i] = v > threshold ? (v < max_value ? v : max_value) : negative_slope * (v - threshold);
    }
}

void sinew_relu_backward(float *dx, const float *x, const float *dy, int64_t n, float max_value,
                         float negative_slope, float threshold) {
    for (int64_t i = 0; i < n; i++) {
        float v = x[i];
        dx[i] = dy[i] * (v > threshold ? (v < max_value ? 1.0f : 0.0f) : negative_slope);
    }
}
