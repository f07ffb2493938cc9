package dev.sinew.layers;

import java.util.Map;

/**
 * Applies an activation function, as Keras's {@code keras.layers.Activation("relu")}:
 * {@code output = activation(input)}, with any of the Keras names
 * {@link dev.sinew.activations.Activation} knows (and their Keras defaults: leaky_relu's
 * negative_slope 0.2, elu's alpha 1). Input and output shapes are equal; no weights. Softmax acts
 * on the last axis.
 */
public final class Activation extends ActivationLayer {
    public Activation(String activation) {
        this(dev.sinew.activations.Activation.of(activation));
    }

    public Activation(dev.sinew.activations.Activation activation) {
        super(activation, activation.defaultAlpha());
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("activation", activation().kerasName());
        return c;
    }
}
