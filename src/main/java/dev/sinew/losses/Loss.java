package dev.sinew.losses;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;
import java.util.Map;

/**
 * A loss: a number per batch that training makes small, and its gradient.
 *
 * <p>A loss may fuse with the model's last activation ({@link #fusesWith}): categorical
 * cross-entropy after softmax then yields the gradient with respect to the softmax's
 * <em>input</em>, {@code p - y}, which is both cheaper and numerically stable.
 */
public interface Loss {

    /** The Keras identifier, e.g. {@code "categorical_crossentropy"}. */
    String name();

    /**
     * Values per target row for a model with {@code outputWidth} outputs: the same (one-hot or
     * regression targets), or 1 for losses that take class indices (sparse_*).
     */
    default int targetWidth(int outputWidth) {
        return outputWidth;
    }

    /**
     * Checks a whole set of targets once, before training on it (fit), so that a bad one is
     * refused before any step: for class-index losses, every label a whole number in
     * [0, outputWidth). Nothing to check by default.
     */
    default void checkTargets(float[][] y, int outputWidth, String what) {}

    /** Whether {@link #compute} can take the gradient through {@code last} in one step. */
    default boolean fusesWith(Activation last) {
        return false;
    }

    /**
     * The mean loss over {@code n} rows of {@code c} columns of predictions {@code pred} and
     * targets {@code target}. Unless {@code grad} is null, writes the gradient of that mean into
     * it: with respect to the predictions, or, when {@code fused}, to the last activation's input.
     */
    double compute(Backend backend, Tensor pred, Tensor target, int n, int c, Tensor grad, boolean fused);

    /**
     * The options that distinguish this loss from {@code Losses.of(name())} with Keras's defaults,
     * by their Keras names ({@code from_logits}, {@code label_smoothing}, {@code delta}); empty when
     * there are none. What a model file needs to save beside {@link #name()}.
     */
    default Map<String, Object> getConfig() {
        return Map.of();
    }
}
