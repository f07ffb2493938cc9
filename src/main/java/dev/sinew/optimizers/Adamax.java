package dev.sinew.optimizers;

import dev.sinew.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adamax, as Keras's {@code Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)}
 * (keras/src/optimizers/adamax.py), for step t = iterations + 1:
 * <pre>
 *   m += (g - m) * (1 - beta_1)
 *   u = max(beta_2 * u, |g|)
 *   w -= lr * m / ((1 - beta_1^t) * (u + epsilon))
 * </pre>
 * Adam with the infinity norm in place of the second moment, so {@code u} needs no bias
 * correction. Epsilon is added to u (PyTorch adds its eps to |g| inside the max). State:
 * {@code momentum}, {@code norm}. One fused C kernel over all trainable weights
 * ({@code sinew_adamax}).
 * <pre>{@code
 * new Adamax(0.002)
 * Adamax.builder().beta1(0.8).beta2(0.99).build()
 * }</pre>
 */
public final class Adamax extends Optimizer {
    private final float beta1, beta2, epsilon;
    /** 1 - beta_1 rounded from double, as Keras's {@code (g - m) * (1 - self.beta_1)} (not 1 - (float) beta_1). */
    private final float oneMinusBeta1;

    /** Adamax with Keras's defaults. */
    public Adamax() {
        this(builder());
    }

    /** Adamax with the given learning rate and Keras's other defaults. */
    public Adamax(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private Adamax(Builder b) {
        super(b);
        if (!(b.beta1 >= 0 && b.beta1 < 1)) throw new IllegalArgumentException("Adamax: beta_1 must be in [0, 1). Received: beta_1=" + b.beta1);
        if (!(b.beta2 >= 0 && b.beta2 < 1)) throw new IllegalArgumentException("Adamax: beta_2 must be in [0, 1). Received: beta_2=" + b.beta2);
        if (!(b.epsilon >= 0 && Double.isFinite(b.epsilon))) {
            throw new IllegalArgumentException("Adamax: epsilon must be >= 0 and finite. Received: epsilon=" + b.epsilon);
        }
        this.beta1 = (float) b.beta1;
        this.oneMinusBeta1 = (float) (1 - b.beta1);
        this.beta2 = (float) b.beta2;
        this.epsilon = (float) b.epsilon;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An Adamax from {@link #getConfig()}'s map (Keras's names; missing ones take Keras's defaults). */
    public static Adamax fromConfig(Map<String, Object> c) {
        return builder().config(c).build();
    }

    @Override
    public String name() {
        return "Adamax";
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

    @Override
    protected List<String> stateNames() {
        return List.of("momentum", "norm");
    }

    @Override
    protected void update(Tensor w, Tensor g, int from, long n, float lr, long t) {
        float beta1Power = (float) Math.pow(beta1, t); // in float32, as Keras's ops.power
        backend.adamax(w, g, state("momentum", from), state("norm", from), n, lr, oneMinusBeta1, beta2, epsilon, beta1Power);
    }

    @Override
    protected Map<String, Object> ownConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("beta_1", asWritten(beta1));
        c.put("beta_2", asWritten(beta2));
        c.put("epsilon", asWritten(epsilon));
        return c;
    }

    /** Keras's arguments: {@code beta1} (0.9), {@code beta2} (0.999), {@code epsilon} (1e-7), and the shared ones. */
    public static final class Builder extends MomentsBuilder<Builder, Adamax> {
        Builder() {
            super(0.001, null);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        public Adamax build() {
            return new Adamax(this);
        }
    }
}
