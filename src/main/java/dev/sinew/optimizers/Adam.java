package dev.sinew.optimizers;

import dev.sinew.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam, as Keras's {@code Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
 * amsgrad=False)} (keras/src/optimizers/adam.py), for step t = iterations + 1:
 * <pre>
 *   alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
 *   m += (g - m) * (1 - beta_1)
 *   v += (g^2 - v) * (1 - beta_2)          amsgrad: v_hat = max(v_hat, v), used in place of v
 *   w -= m * alpha / (sqrt(v) + epsilon)
 * </pre>
 * Epsilon is Keras's "epsilon hat": added to sqrt(v) after the bias correction folded into alpha,
 * which is why Keras's default 1e-7 and PyTorch's 1e-8 differ. One fused C kernel over all
 * trainable weights ({@code sinew_adam}).
 */
public class Adam extends Optimizer {
    private final float beta1, beta2, epsilon;
    private final boolean amsgrad;

    /** Adam with Keras's defaults. */
    public Adam() {
        this(builder());
    }

    /** Adam with the given learning rate and Keras's other defaults. */
    public Adam(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    protected Adam(Builder<?, ?> b) {
        super(b);
        if (!(b.beta1 >= 0 && b.beta1 < 1)) throw new IllegalArgumentException(name() + ": beta_1 must be in [0, 1), got " + b.beta1);
        if (!(b.beta2 >= 0 && b.beta2 < 1)) throw new IllegalArgumentException(name() + ": beta_2 must be in [0, 1), got " + b.beta2);
        if (!(b.epsilon >= 0 && Double.isFinite(b.epsilon))) {
            throw new IllegalArgumentException(name() + ": epsilon must be >= 0 and finite, got " + b.epsilon);
        }
        this.beta1 = (float) b.beta1;
        this.beta2 = (float) b.beta2;
        this.epsilon = (float) b.epsilon;
        this.amsgrad = b.amsgrad;
    }

    /**
     * A builder with Keras's defaults. Its static type is the generic {@link Builder} so that
     * {@link AdamW#builder()}, whose builder extends it, can hide this method.
     */
    public static Builder<?, ? extends Adam> builder() {
        return new AdamBuilder();
    }

    /** An Adam from {@link #getConfig()}'s map (Keras's names; missing ones take Keras's defaults). */
    public static Adam fromConfig(Map<String, Object> c) {
        return builder().config(c).build();
    }

    @Override
    public String name() {
        return "Adam";
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double epsilon() {
        return epsilon;
    }

    public boolean amsgrad() {
        return amsgrad;
    }

    @Override
    protected List<String> stateNames() {
        return amsgrad ? List.of("momentum", "velocity", "velocity_hat") : List.of("momentum", "velocity");
    }

    @Override
    protected void update(Tensor w, Tensor g, int from, long n, float lr, long t) {
        // In float32, as Keras computes it: powers of the betas, then alpha.
        float b1t = (float) Math.pow(beta1, t), b2t = (float) Math.pow(beta2, t);
        float alpha = lr * (float) Math.sqrt(1f - b2t) / (1f - b1t);
        backend.adam(w, g, state("momentum", from), state("velocity", from), amsgrad ? state("velocity_hat", from) : null, n, alpha,
                beta1, beta2, epsilon);
    }

    @Override
    protected Map<String, Object> ownConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("beta_1", asWritten(beta1));
        c.put("beta_2", asWritten(beta2));
        c.put("epsilon", asWritten(epsilon));
        c.put("amsgrad", amsgrad);
        return c;
    }

    /** Keras's Adam arguments plus the shared ones; AdamW's builder extends it. */
    public abstract static class Builder<B extends Builder<B, O>, O extends Adam> extends MomentsBuilder<B, O> {
        boolean amsgrad;

        protected Builder(double defaultLearningRate, Double defaultWeightDecay) {
            super(defaultLearningRate, defaultWeightDecay);
        }

        public B amsgrad(boolean v) {
            this.amsgrad = v;
            return self();
        }

        @Override
        public B config(Map<String, Object> c) {
            super.config(c);
            if (bool(c, "amsgrad") != null) amsgrad = bool(c, "amsgrad");
            return self();
        }
    }

    /** {@code Adam.builder().learningRate(3e-4).beta2(0.98).amsgrad(true).build()}. */
    public static final class AdamBuilder extends Builder<AdamBuilder, Adam> {
        AdamBuilder() {
            super(0.001, null);
        }

        @Override
        protected AdamBuilder self() {
            return this;
        }

        @Override
        public Adam build() {
            return new Adam(this);
        }
    }
}
