package dev.sinew.losses;

import dev.sinew.backend.PointwiseLoss;

/**
 * {@code kl_divergence}: L = mean over rows of sum_c u log(u / q), with u = clip(target, 1e-7, 1)
 * and q = clip(pred, 1e-7, 1) (Keras alias {@code kld}). A sum over the columns, not a mean, as Keras.
 */
public final class KLDivergence extends PointwiseMeanLoss {
    public KLDivergence() {
        super(PointwiseLoss.KLD, true);
    }

    @Override
    public String name() {
        return "kl_divergence";
    }
}
