package dev.sinew.losses;

import dev.sinew.backend.PointwiseLoss;

/**
 * {@code poisson}: L = mean over rows of mean_c (pred - target log(pred + 1e-7)).
 */
public final class Poisson extends PointwiseMeanLoss {
    public Poisson() {
        super(PointwiseLoss.POISSON, false);
    }

    @Override
    public String name() {
        return "poisson";
    }
}
