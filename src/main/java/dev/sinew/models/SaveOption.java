package dev.sinew.models;

/** Options for {@link Model#save(java.nio.file.Path, SaveOption...)}. */
public enum SaveOption {
    /**
     * Save even if some weights are NaN or infinite (a model whose training diverged), for
     * inspecting it later; {@link Model#load} reads such a file back bit for bit. Without this
     * option {@code save} refuses such a model and leaves any file already at the path untouched.
     */
    ALLOW_NON_FINITE,

    /**
     * Save the layers and weights only, without the compile settings and training state (Keras's
     * {@code save_weights}; {@link Model#saveWeights}); {@link Model#loadWeights} reads it
     * into a model of the same layers, and {@link Model#load} into an uncompiled one.
     */
    WEIGHTS_ONLY
}
