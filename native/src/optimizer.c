/* Optimizer updates over one flat parameter array (a model keeps all parameters contiguous, so
 * one call updates the whole model). */
#include "sinew.h"

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
