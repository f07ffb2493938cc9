package dev.sinew.losses;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;

/**
 * {@code cosine_similarity} as a loss, with Keras's sign: per row -sum_c t^_c p^_c, where
 * x^ = x min(1/|x|, 1e7) is Keras's l2 normalisation, so the loss is -1 for predictions parallel
 * to the targets, +1 for opposite ones and 0 when either is zero; L = mean over rows.
 */
public final class CosineSimilarity implements Loss {
    @Override
    public String name() {
        return "cosine_similarity";
    }

    @Override
    public double compute(Backend backend, Tensor pred, Tensor target, int n, int c, Tensor grad, boolean fused) {
        return backend.cosineSimilarity(grad, pred, target, n, c, 1f / n) / n;
    }
}
