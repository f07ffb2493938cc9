package dev.sinew.losses;

import dev.sinew.backend.PointwiseLoss;

/**
 * {@code hinge}: L = mean over rows of mean_c max(1 - y pred, 0), where y = target, or
 * 2 target - 1 when every target of the batch is 0 or 1 (Keras converts binary labels the same way).
 */
public final class Hinge extends PointwiseMeanLoss {
    public Hinge() {
        super(PointwiseLoss.HINGE, false);
    }

    @Override
    public String name() {
        return "hinge";
    }
}
