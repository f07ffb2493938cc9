package dev.sinew.losses;

import dev.sinew.backend.PointwiseLoss;
import java.util.Map;

/**
 * {@code huber}: with e = pred - target, each element is e^2 / 2 where |e| &lt;= delta and
 * delta |e| - delta^2 / 2 beyond; L = mean over rows of the mean over columns. Quadratic near
 * zero, linear for outliers. Keras's default delta is 1.0.
 */
public final class Huber extends PointwiseMeanLoss {
    private final float delta;

    /** Huber loss with Keras's default {@code delta = 1.0}. */
    public Huber() {
        this(1.0f);
    }

    public Huber(float delta) {
        super(PointwiseLoss.HUBER, false);
        if (!(delta > 0) || Float.isInfinite(delta))
            throw new IllegalArgumentException("Huber: delta must be a positive finite number. Received: delta=" + delta);
        this.delta = delta;
    }

    public float delta() {
        return delta;
    }

    @Override
    float param() {
        return delta;
    }

    @Override
    public String name() {
        return "huber";
    }

    @Override
    public Map<String, Object> getConfig() {
        return Map.of("delta", (double) delta);
    }
}
