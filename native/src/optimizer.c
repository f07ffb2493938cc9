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

void sinew_rmsprop(float *restrict w, const float *restrict g, float *restrict v, float *restrict a,
                   float *restrict mom, int64_t n, float lr, float rho, float one_minus_rho, float momentum,
                   float epsilon) {
    for (int64_t i = 0; i < n; i++) {
        v[i] = rho * v[i] + one_minus_rho * (g[i] * g[i]);
        float d;
        if (a) { /* centered: divide by the estimated variance, not the second moment */
            a[i] = rho * a[i] + one_minus_rho * g[i];
            d = v[i] - a[i] * a[i] + epsilon;
        } else {
            d = v[i] + epsilon;
        }
        float inc = (lr * g[i]) / sqrtf(d);
        if (mom) {
            mom[i] = momentum * mom[i] + inc;
            w[i] -= mom[i];
        } else {
            w[i] -= inc;
        }
    }
}

void sinew_adagrad(float *restrict w, const float *restrict g, float *restrict acc, int64_t n, float lr,
                   float epsilon) {
    for (int64_t i = 0; i < n; i++) {
        acc[i] += g[i] * g[i];
        w[i] -= (lr * g[i]) / sqrtf(acc[i] + epsilon);
    }
}

void sinew_adadelta(float *restrict w, const float *restrict g, float *restrict acc_grad,
                    float *restrict acc_delta, int64_t n, float lr, float rho, float one_minus_rho,
                    float epsilon) {
    for (int64_t i = 0; i < n; i++) {
        acc_grad[i] = rho * acc_grad[i] + one_minus_rho * (g[i] * g[i]);
        /* the step is in the units of w: rms of past steps over rms of gradients */
        float delta = -((sqrtf(acc_delta[i] + epsilon) * g[i]) / sqrtf(acc_grad[i] + epsilon));
        acc_delta[i] = rho * acc_delta[i] + one_minus_rho * (delta * delta);
        w[i] += lr * delta;
    }
}

void sinew_adamax(float *restrict w, const float *restrict g, float *restrict m, float *restrict u,
                  int64_t n, float lr, float one_minus_beta1, float beta2, float epsilon,
                  float beta1_power) {
    const float correction = 1 - beta1_power;
    for (int64_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * one_minus_beta1;
        float decayed = beta2 * u[i], ag = fabsf(g[i]);
        u[i] = decayed > ag ? decayed : ag;
        w[i] -= (lr * m[i]) / (correction * (u[i] + epsilon));
    }
}

void sinew_nadam(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                 int64_t n, float lr, float beta1, float beta2, float epsilon, float u_t, float u_next,
                 float u_product, float beta2_power) {
    /* the per-step scalars, in float as Keras computes them */
    const float u_product_next = u_product * u_next;
    const float one_minus_u_t = 1 - u_t, den_next = 1 - u_product_next, den = 1 - u_product;
    const float correction2 = 1 - beta2_power;
    for (int64_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * (1 - beta1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - beta2);
        /* Nesterov: next step's momentum plus this gradient, each with its own bias correction */
        float m_hat = (u_next * m[i]) / den_next + (one_minus_u_t * g[i]) / den;
        float v_hat = v[i] / correction2;
        w[i] -= (m_hat * lr) / (sqrtf(v_hat) + epsilon);
    }
}

void sinew_lion(float *restrict w, const float *restrict g, float *restrict m, int64_t n, float lr,
                float beta1, float beta2) {
    for (int64_t i = 0; i < n; i++) {
        float c = m[i] * beta1 + g[i] * (1 - beta1);
        float s = c > 0 ? 1.0f : (c < 0 ? -1.0f : c); /* ops.sign: 0 at 0, NaN stays NaN */
        w[i] -= lr * s;
        m[i] = m[i] * beta2 + g[i] * (1 - beta2);
    }
}
