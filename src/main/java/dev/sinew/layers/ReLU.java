package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.Map;

/**
 * Rectified linear unit, as Keras's {@code ReLU(max_value=None, negative_slope=0.0, threshold=0.0)}:
 * {@code y = x > threshold ? min(x, max_value) : negative_slope * (x - threshold)}, each argument
 * &gt;= 0 as Keras requires ({@code max_value} null: no ceiling). Input and output shapes are
 * equal; no weights. Backward, from the input x (kept by the previous layer until then):
 * {@code dx = dy * (x > threshold ? [x < max_value] : negative_slope)}.
 */
public final class ReLU extends Layer {
    private final Double maxValue;
    private final float negativeSlope, threshold;
    private int width;
    private Tensor x, y;

    public ReLU() {
        this(null, 0, 0);
    }

    public ReLU(Double maxValue, double negativeSlope, double threshold) {
        if (maxValue != null && !(maxValue >= 0)) {
            throw new IllegalArgumentException("ReLU max_value must be >= 0 or None, got max_value=" + maxValue);
        }
        if (!(negativeSlope >= 0 && Double.isFinite(negativeSlope))) {
            throw new IllegalArgumentException("ReLU negative_slope must be a finite number >= 0, got negative_slope="
                    + negativeSlope);
        }
        if (!(threshold >= 0 && Double.isFinite(threshold))) {
            throw new IllegalArgumentException("ReLU threshold must be a finite number >= 0, got threshold=" + threshold);
        }
        this.maxValue = maxValue;
        this.negativeSlope = (float) negativeSlope;
        this.threshold = (float) threshold;
    }

    /** The ceiling, or null for none (Keras's None). */
    public Double maxValue() {
        return maxValue;
    }

    public double negativeSlope() {
        return negativeSlope;
    }

    public double threshold() {
        return threshold;
    }

    private float ceiling() {
        return maxValue == null ? Float.POSITIVE_INFINITY : (float) (double) maxValue;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("max_value", maxValue == null ? null : Double.parseDouble(Float.toString(ceiling())));
        c.put("negative_slope", Double.parseDouble(Float.toString(negativeSlope)));
        c.put("threshold", Double.parseDouble(Float.toString(threshold)));
        return c;
    }

    @Override
    protected Shape computeOutputShape(Shape inputShape) {
        width = requireFits("input", inputShape, " per sample");
        return inputShape;
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, width);
    }

    @Override
    public Tensor forward(Tensor x, int n, boolean training) {
        this.x = x;
        backend.relu(y, x, (long) n * width, ceiling(), negativeSlope, threshold);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int n, boolean needInputGradient) {
        if (!needInputGradient) return null;
        backend.reluBackward(dy, x, dy, (long) n * width, ceiling(), negativeSlope, threshold);
        return dy;
    }
}
