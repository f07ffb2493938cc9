package dev.sinew.losses;

import dev.sinew.backend.PointwiseLoss;

/**
 * {@code squared_hinge}: L = mean over rows of mean_c max(1 - y pred, 0)^2, y as in {@link Hinge}.
 */
public final class SquaredHinge extends PointwiseMeanLoss {
    public SquaredHinge() {
        super(PointwiseLoss.SQUARED_HINGE, false);
    }

    @Override
    public String name() {
        return "squared_hinge";
    }
}
