/* Dropout: a counter-based random mask, so native and Java draw identical masks. */
#include "sinew.h"

/* splitmix64's finaliser: a bijective mix whose output bits all depend on every input bit. */
static inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void sinew_dropout_forward(float *y, float *mask, const float *x, int64_t n, float rate, uint64_t seed) {
    /* Inverted dropout scales the kept values at training time, so inference is the identity. */
    const float scale = 1.0f / (1.0f - rate);
    for (int64_t i = 0; i < n; i++) {
        uint64_t h = mix64(seed + (uint64_t)i * 0x9E3779B97F4A7C15ULL);
        float u = (float)(h >> 40) * 0x1.0p-24f; /* 24 bits: exact in a float */
        mask[i] = u >= rate ? scale : 0.0f;
        y[i] = x[i] * mask[i];
    }
}

void sinew_mul(float *y, const float *a, const float *b, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = a[i] * b[i];
}

void sinew_add(float *y, const float *a, const float *b, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = a[i] + b[i];
}
