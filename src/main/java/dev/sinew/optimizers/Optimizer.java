package dev.sinew.optimizers;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;

/**
 * Updates a model's parameters from their gradients. A model keeps all its parameters in one
 * flat tensor and all gradients in another of the same size, so one call updates everything.
 */
public interface Optimizer {

    /** The Keras class name, e.g. {@code "SGD"}. */
    String name();

    /**
     * Binds this optimizer to a model's {@code params} and {@code grads} ({@code count} values
     * each); state such as momentum is allocated from {@code state} and starts at zero. Binding
     * again (a second {@code compile}) resets the state.
     */
    void build(Backend backend, Tensor params, Tensor grads, long count, Workspace state);

    /** Hyper-parameters with Keras's names (e.g. {@code learning_rate}), for saved models. */
    java.util.Map<String, Object> getConfig();

    /** One update step: params -= f(grads). */
    void step();
}
