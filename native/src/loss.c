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
