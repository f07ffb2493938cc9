package dev.sinew.layers;

import java.util.Map;

/**
 * Softmax over the last axis, as Keras's {@code Softmax(axis=-1)}:
 * {@code y_i = e^x_i / sum_j e^x_j} along the last axis of each sample. Input and output shapes
 * are equal; no weights. Only the last axis is supported. As the last layer with
 * categorical_crossentropy it fuses with the loss, as Dense(..., "softmax") does.
 */
public final class Softmax extends ActivationLayer {
    public Softmax() {
        this(-1);
    }

    /** {@code axis}: -1 (the last axis), the only one supported. */
    public Softmax(int axis) {
        super(dev.sinew.activations.Activation.SOFTMAX, 0f);
        if (axis != -1) {
            throw new IllegalArgumentException("Softmax supports only the last axis, axis=-1; got axis=" + axis);
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", -1L);
        return c;
    }
}
