package dev.sinew.backend;

/**
 * What {@link Backend#crossEntropySmoothed} receives as predictions, with the {@code mode} codes
 * of {@code sinew_xent_smooth_backward}: probabilities (gradient w.r.t. them), softmax outputs
 * with the gradient taken through the softmax (fused), or logits.
 */
public enum CrossEntropyInput {
    PROBABILITIES(0), SOFTMAX_FUSED(1), LOGITS(2);

    private final int code;

    CrossEntropyInput(int code) {
        this.code = code;
    }

    /** The C mode value. */
    public int code() {
        return code;
    }
}
