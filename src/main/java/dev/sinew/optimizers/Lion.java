package dev.sinew.optimizers;

import dev.sinew.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lion, as Keras's {@code Lion(learning_rate=0.001, beta_1=0.9, beta_2=0.99)}
 * (keras/src/optimizers/lion.py, after Chen et al. 2023):
 * <pre>
 *   w -= lr * sign(beta_1 * m + (1 - beta_1) * g)
 *   m = beta_2 * m + (1 - beta_2) * g
 * </pre>
 * Every weight moves by exactly lr (or 0 where the mix is 0), so Lion wants a learning rate 3-10x
 * smaller than AdamW's and a weight decay 3-10x larger. beta_1 must be in (0, 1]: at 0 Lion is
 * sign SGD. State: {@code momentum}. One fused C kernel over all trainable weights
 * ({@code sinew_lion}).
 * <pre>{@code
 * new Lion(1e-4)
 * Lion.builder().learningRate(1e-4).beta1(0.95).beta2(0.98).weightDecay(0.1).build()
 * }</pre>
 */
public final class Lion extends Optimizer {
    private final float beta1, beta2;

    /** Lion with Keras's defaults. */
    public Lion() {
        this(builder());
    }

    /** Lion with the given learning rate and Keras's other defaults. */
    public Lion(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private Lion(Builder b) {
        super(b);
        if (!(b.beta1 > 0 && b.beta1 <= 1)) {
            throw new IllegalArgumentException("Lion: beta_1 must be in (0, 1]; otherwise the optimizer degenerates to"
                    + " SignSGD. Received: beta_1=" + b.beta1);
        }
        if (!(b.beta2 >= 0 && b.beta2 <= 1)) throw new IllegalArgumentException("Lion: beta_2 must be in [0, 1]. Received: beta_2=" + b.beta2);
        this.beta1 = (float) b.beta1;
        this.beta2 = (float) b.beta2;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A Lion from {@link #getConfig()}'s map (Keras's names; missing ones take Keras's defaults). */
    public static Lion fromConfig(Map<String, Object> c) {
        return builder().config(c).build();
    }

    @Override
    public String name() {
        return "Lion";
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    @Override
    protected List<String> stateNames() {
        return List.of("momentum");
    }

    @Override
    protected void update(Tensor w, Tensor g, int from, long n, float lr, long t) {
        backend.lion(w, g, state("momentum", from), n, lr, beta1, beta2);
    }

    @Override
    protected Map<String, Object> ownConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("beta_1", asWritten(beta1));
        c.put("beta_2", asWritten(beta2));
        return c;
    }

    /** Keras's arguments: {@code beta1} (0.9), {@code beta2} (0.99), and the shared ones. */
    public static final class Builder extends Optimizer.Builder<Builder, Lion> {
        double beta1 = 0.9, beta2 = 0.99;

        Builder() {
            super(0.001, null);
        }

        public Builder beta1(double v) {
            this.beta1 = v;
            return this;
        }

        public Builder beta2(double v) {
            this.beta2 = v;
            return this;
        }

        @Override
        public Builder config(Map<String, Object> c) {
            super.config(c);
            if (number(c, "beta_1") != null) beta1 = number(c, "beta_1");
            if (number(c, "beta_2") != null) beta2 = number(c, "beta_2");
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        public Lion build() {
            return new Lion(this);
        }
    }
}
