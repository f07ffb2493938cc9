/* Loss values and their gradients, one pass over predictions and targets. */
#include <math.h>
#include "sinew.h"

/* Keras clips probabilities to [eps, 1 - eps] before the log; we clip below only, since
 * log(p) for p near 1 is already finite and the gradient p - t needs no clip at all. */
#define XENT_EPS 1e-7f

double sinew_softmax_xent_backward(float *dz, const float *p, const float *t, int N, int C,
                                   float scale) {
    double loss = 0.0;
    int64_t total = (int64_t)N * C;
    for (int64_t i = 0; i < total; i++) {
        /* log only where the target weighs in: a zero target times log(0) must stay 0. */
        /* Written so that a NaN p stays NaN (NaN < eps is false): a diverged model must show a NaN
         * loss, not a clipped, finite one. */
        if (t[i] != 0.0f) loss -= (double)t[i] * log(p[i] < XENT_EPS ? XENT_EPS : p[i]);
        if (dz) dz[i] = scale * (p[i] - t[i]); /* d(CE(softmax(z)))/dz: no division by p */
    }
    return loss;
}

double sinew_xent_backward(float *dp, const float *p, const float *t, int N, int C, float scale) {
    double loss = 0.0;
    int64_t total = (int64_t)N * C;
    for (int64_t i = 0; i < total; i++) {
        float pc = p[i] < XENT_EPS ? XENT_EPS : p[i]; /* NaN-preserving, as above */
        if (t[i] != 0.0f) loss -= (double)t[i] * log(pc);
        /* Below the clip the loss is flat in p, so its gradient is zero there. */
        if (dp) dp[i] = p[i] < XENT_EPS ? 0.0f : -scale * t[i] / pc;
    }
    return loss;
}

double sinew_mse_backward(float *dp, const float *p, const float *t, int N, int C, float scale) {
    double loss = 0.0;
    int64_t total = (int64_t)N * C;
    for (int64_t i = 0; i < total; i++) {
        float d = p[i] - t[i];
        loss += (double)d * d;
        if (dp) dp[i] = 2.0f * scale * d;
    }
    return loss;
}

/* Sparse targets: label[n] is the class index of row n (stored as a float; checked in Java to be
 * a whole number in [0, C) before we get here, since it indexes p). */
double sinew_sparse_softmax_xent_backward(float *dz, const float *p, const float *label, int N, int C,
                                          float scale) {
    double loss = 0.0;
    for (int n = 0; n < N; n++) {
        const float *pn = p + (int64_t)n * C;
        int k = (int)label[n];
        loss -= log(pn[k] < XENT_EPS ? XENT_EPS : pn[k]);
        if (dz) {
            float *dzn = dz + (int64_t)n * C;
            for (int c = 0; c < C; c++) dzn[c] = scale * (pn[c] - (c == k ? 1.0f : 0.0f));
        }
    }
    return loss;
}

double sinew_sparse_xent_backward(float *dp, const float *p, const float *label, int N, int C, float scale) {
    double loss = 0.0;
    for (int n = 0; n < N; n++) {
        const float *pn = p + (int64_t)n * C;
        int k = (int)label[n];
        float pc = pn[k] < XENT_EPS ? XENT_EPS : pn[k];
        loss -= log(pc);
        if (dp) {
            float *dpn = dp + (int64_t)n * C;
            for (int c = 0; c < C; c++) dpn[c] = 0.0f;
            dpn[k] = pn[k] < XENT_EPS ? 0.0f : -scale / pc;
        }
    }
    return loss;
}
