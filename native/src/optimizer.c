/* Optimizer updates over one flat parameter array (a model keeps all parameters contiguous, so
 * one call updates the whole model). */
#include "sinew.h"

#include <math.h>

void sinew_sgd_momentum(float *restrict w, float *restrict v, const float *restrict g, int64_t n,
                        float lr, float momentum, int nesterov) {
    if (nesterov) {
        for (int64_t i = 0; i < n; i++) {
            v[i] = momentum * v[i] - lr * g[i];
            w[i] += momentum * v[i] - lr * g[i];
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            v[i] = momentum * v[i] - lr * g[i];
            w[i] += v[i];
        }
    }
}

/* ---- What every optimizer shares (see Optimizer.java): clipping, weight decay, EMA. ---- */

double sinew_sum_squares(const float *restrict x, int64_t n) {
    double s = 0; /* double: a norm over a million values must not lose the small ones */
    for (int64_t i = 0; i < n; i++) s += (double) x[i] * x[i];
    return s;
}

void sinew_scale(float *restrict x, int64_t n, float a) {
    for (int64_t i = 0; i < n; i++) x[i] *= a;
}

void sinew_clip(float *restrict x, int64_t n, float lo, float hi) {
    for (int64_t i = 0; i < n; i++) x[i] = x[i] < lo ? lo : (x[i] > hi ? hi : x[i]);
}

void sinew_weight_decay(float *restrict w, int64_t n, float wd, float lr) {
    for (int64_t i = 0; i < n; i++) w[i] = w[i] - w[i] * wd * lr; /* Keras's order of operations */
}

void sinew_moving_average(float *restrict avg, const float *restrict w, int64_t n, float momentum) {
    for (int64_t i = 0; i < n; i++) avg[i] = momentum * avg[i] + (1 - momentum) * w[i];
}

/* ---- Optimizers. Each is Keras's update_step (keras/src/optimizers/<name>.py), one pass. ---- */

void sinew_adam(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                float *restrict vhat, int64_t n, float alpha, float beta1, float beta2, float epsilon) {
    for (int64_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * (1 - beta1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - beta2);
        float vv = v[i];
        if (vhat) { /* amsgrad: the largest second moment so far */
            vhat[i] = vhat[i] > vv ? vhat[i] : vv;
            vv = vhat[i];
        }
        w[i] -= (m[i] * alpha) / (sqrtf(vv) + epsilon);
    }
}
