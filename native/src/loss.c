/* Loss values and their gradients, one pass over predictions and targets. */
#include <math.h>
#include <stddef.h>
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

#define KERAS_EPS 1e-7

/* max and min that keep a NaN in a (fmax/fmin drop it): a diverged model must show a NaN loss,
 * as Java's Math.max does in the twin. */
static inline double maxd(double a, double b) { return a < b ? b : a; }
static inline double mind(double a, double b) { return a > b ? b : a; }

/* One element of a pointwise loss: returns its value and writes d(value)/dp to *g. Double
 * throughout, as the Java twin, so the two agree to float rounding. */
static inline double pointwise(int loss, double p, double t, double param, double *g) {
    double e = p - t, ae = fabs(e), sg = (e > 0) - (e < 0);
    switch (loss) {
    case SINEW_LOSS_MAE:
        *g = sg;
        return ae;
    case SINEW_LOSS_MAPE: {
        double d = maxd(fabs(t), KERAS_EPS);
        *g = 100.0 * sg / d;
        return 100.0 * ae / d;
    }
    case SINEW_LOSS_MSLE: {
        double diff = log(maxd(p, KERAS_EPS) + 1.0) - log(maxd(t, KERAS_EPS) + 1.0);
        *g = p > KERAS_EPS ? 2.0 * diff / (p + 1.0) : 0.0;
        return diff * diff;
    }
    case SINEW_LOSS_HUBER:
        *g = ae <= param ? e : param * sg;
        return ae <= param ? 0.5 * e * e : param * ae - 0.5 * param * param;
    case SINEW_LOSS_LOG_COSH: {
        double y = -2.0 * e; /* softplus(y) = max(y, 0) + log1p(exp(-|y|)): no overflow */
        *g = tanh(e);
        return e + maxd(y, 0.0) + log1p(exp(-fabs(y))) - log(2.0);
    }
    case SINEW_LOSS_BCE:
    case SINEW_LOSS_BCE_SIGMOID: {
        double s = t * (1.0 - param) + 0.5 * param;
        double q = p < KERAS_EPS ? KERAS_EPS : p > 1.0 - KERAS_EPS ? 1.0 - KERAS_EPS : p;
        if (loss == SINEW_LOSS_BCE_SIGMOID) *g = p - s;
        else *g = (p < KERAS_EPS || p > 1.0 - KERAS_EPS) ? 0.0 : (q - s) / (q * (1.0 - q));
        return -(s * log(q) + (1.0 - s) * log(1.0 - q));
    }
    case SINEW_LOSS_BCE_LOGITS: {
        double s = t * (1.0 - param) + 0.5 * param;
        *g = 1.0 / (1.0 + exp(-p)) - s;
        return maxd(p, 0.0) - p * s + log1p(exp(-fabs(p)));
    }
    case SINEW_LOSS_POISSON:
        *g = 1.0 - t / (p + KERAS_EPS);
        return p - t * log(p + KERAS_EPS);
    case SINEW_LOSS_KLD: {
        double u = mind(maxd(t, KERAS_EPS), 1.0), q = mind(maxd(p, KERAS_EPS), 1.0);
        *g = (p < KERAS_EPS || p > 1.0) ? 0.0 : -u / q;
        return u * log(u / q);
    }
    case SINEW_LOSS_HINGE:
    case SINEW_LOSS_SQUARED_HINGE: {
        double m = maxd(1.0 - t * p, 0.0); /* t here is already the -1/1 label */
        if (loss == SINEW_LOSS_HINGE) {
            *g = m > 0.0 ? -t : 0.0;
            return m;
        }
        *g = -2.0 * t * m;
        return m * m;
    }
    default:
        *g = NAN;
        return NAN;
    }
}

double sinew_pointwise_loss_backward(float *dp, const float *p, const float *t, int N, int C,
                                     float scale, int loss, float param) {
    int64_t total = (int64_t)N * C;
    int hinge = loss == SINEW_LOSS_HINGE || loss == SINEW_LOSS_SQUARED_HINGE;
    /* Keras's convert_binary_labels_to_hinge: 0/1 labels become -1/1, but only when the whole
     * batch is binary. */
    int binary = 1;
    if (hinge)
        for (int64_t i = 0; i < total && binary; i++) binary = t[i] == 0.0f || t[i] == 1.0f;
    double sum = 0.0;
    for (int64_t i = 0; i < total; i++) {
        double ti = hinge && binary ? 2.0 * t[i] - 1.0 : t[i], g;
        sum += pointwise(loss, p[i], ti, param, &g);
        if (dp) dp[i] = (float)(scale * g);
    }
    return sum;
}

double sinew_xent_smooth_backward(float *dp, const float *p, const float *t, int N, int C,
                                  float scale, int mode, float ls) {
    double loss = 0.0;
    for (int n = 0; n < N; n++) {
        const float *pr = p + (int64_t)n * C, *tr = t + (int64_t)n * C;
        float *dr = dp ? dp + (int64_t)n * C : NULL;
        double ssum = 0.0, zmax = -INFINITY, lse = 0.0;
        for (int c = 0; c < C; c++) ssum += tr[c] * (1.0 - ls) + ls / C;
        if (mode == 2) { /* subtract the max only for numerical stability */
            for (int c = 0; c < C; c++) zmax = maxd(zmax, pr[c]);
            for (int c = 0; c < C; c++) lse += exp(pr[c] - zmax);
            lse = zmax + log(lse);
        }
        for (int c = 0; c < C; c++) {
            double s = tr[c] * (1.0 - ls) + ls / C, g;
            if (mode == 2) {
                loss += s * (lse - pr[c]);
                g = exp(pr[c] - lse) * ssum - s;
            } else {
                double q = pr[c] < XENT_EPS ? XENT_EPS : pr[c];
                if (s != 0.0) loss -= s * log(q);
                g = mode == 1 ? pr[c] * ssum - s : (pr[c] < XENT_EPS ? 0.0 : -s / q);
            }
            if (dr) dr[c] = (float)(scale * g);
        }
    }
    return loss;
}

double sinew_categorical_hinge_backward(float *dp, const float *p, const float *t, int N, int C,
                                        float scale) {
    double loss = 0.0;
    for (int n = 0; n < N; n++) {
        const float *pr = p + (int64_t)n * C, *tr = t + (int64_t)n * C;
        double pos = 0.0, neg = -INFINITY;
        int arg = 0;
        for (int c = 0; c < C; c++) {
            double v = (1.0 - tr[c]) * pr[c];
            pos += (double)tr[c] * pr[c];
            if (v > neg) { neg = v; arg = c; }
        }
        double l = neg - pos + 1.0;
        loss += l < 0.0 ? 0.0 : l; /* NaN stays NaN */
        if (dp)
            for (int c = 0; c < C; c++) {
                double g = l > 0.0 ? -tr[c] + (c == arg ? 1.0 - tr[c] : 0.0) : 0.0;
                dp[(int64_t)n * C + c] = (float)(scale * g);
            }
    }
    return loss;
}

double sinew_cosine_similarity_backward(float *dp, const float *p, const float *t, int N, int C,
                                        float scale) {
    double loss = 0.0;
    for (int n = 0; n < N; n++) {
        const float *pr = p + (int64_t)n * C, *tr = t + (int64_t)n * C;
        double pp = 0.0, tt = 0.0, pt = 0.0;
        for (int c = 0; c < C; c++) {
            pp += (double)pr[c] * pr[c];
            tt += (double)tr[c] * tr[c];
            pt += (double)pr[c] * tr[c];
        }
        /* Keras's normalize: x * min(1/|x|, 1/eps); below |x| = eps the scale is a constant. */
        double ip = mind(1.0 / sqrt(pp), 1.0 / KERAS_EPS), it = mind(1.0 / sqrt(tt), 1.0 / KERAS_EPS);
        int pclamped = 1.0 / sqrt(pp) >= 1.0 / KERAS_EPS;
        double cos = pt * ip * it;
        loss -= cos;
        if (dp)
            for (int c = 0; c < C; c++) {
                /* d(-t^ . p^)/dp = -ip (t^ - (t^ . p^) p^), or -ip t^ where the norm is clamped */
                double g = -ip * (tr[c] * it - (pclamped ? 0.0 : cos * pr[c] * ip));
                dp[(int64_t)n * C + c] = (float)(scale * g);
            }
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
