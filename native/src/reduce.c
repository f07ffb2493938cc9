/* Reductions: bias gradients, accuracy counts, finiteness checks. */
#include <math.h>
#include "sinew.h"

void sinew_col_sum(float *out, const float *x, int N, int C) {
    for (int c = 0; c < C; c++) out[c] = 0.0f;
    /* Row by row so the inner loop walks memory contiguously (and vectorises). */
    for (int n = 0; n < N; n++) {
        const float *xr = x + (int64_t)n * C;
        for (int c = 0; c < C; c++) out[c] += xr[c];
    }
}

static int argmax_row(const float *r, int C) {
    int best = 0;
    for (int c = 1; c < C; c++)
        if (r[c] > r[best]) best = c;
    return best;
}

int sinew_count_argmax_match(const float *p, const float *t, int N, int C) {
    int hits = 0;
    for (int n = 0; n < N; n++)
        hits += argmax_row(p + (int64_t)n * C, C) == argmax_row(t + (int64_t)n * C, C);
    return hits;
}

int64_t sinew_count_threshold_match(const float *p, const float *t, int64_t n, float threshold) {
    int64_t hits = 0;
    for (int64_t i = 0; i < n; i++) hits += (p[i] > threshold ? 1.0f : 0.0f) == t[i];
    return hits;
}

int64_t sinew_count_nonfinite(const float *x, int64_t n) {
    int64_t bad = 0;
    for (int64_t i = 0; i < n; i++) bad += !isfinite(x[i]);
    return bad;
}

int sinew_count_sparse_match(const float *p, const float *label, int N, int C) {
    int hits = 0;
    for (int n = 0; n < N; n++) {
        const float *pn = p + (int64_t)n * C;
        int best = 0;
        for (int c = 1; c < C; c++) if (pn[c] > pn[best]) best = c;
        hits += best == (int)label[n];
    }
    return hits;
}
