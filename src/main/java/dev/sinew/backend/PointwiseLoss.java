package dev.sinew.backend;

/**
 * The losses computed one element at a time by {@link Backend#pointwiseLoss}, with the codes of
 * {@code enum sinew_pointwise_loss} in {@code native/include/sinew.h}, where each formula and its
 * gradient are listed. {@code param} is Huber's delta or binary cross-entropy's label smoothing.
 */
public enum PointwiseLoss {
    MAE(0), MAPE(1), MSLE(2), HUBER(3), LOG_COSH(4), BCE(5), BCE_SIGMOID(6), BCE_LOGITS(7), POISSON(8),
    KLD(9), HINGE(10), SQUARED_HINGE(11);

    private final int code;

    PointwiseLoss(int code) {
        this.code = code;
    }

    /** The C enum value. */
    public int code() {
        return code;
    }
}
