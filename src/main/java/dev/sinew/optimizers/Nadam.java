package dev.sinew.optimizers;

import dev.sinew.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nadam, Adam with Nesterov momentum, as Keras's {@code Nadam(learning_rate=0.001, beta_1=0.9,
 * beta_2=0.999, epsilon=1e-7)} (keras/src/optimizers/nadam.py, after Dozat 2015), for step
 * t = iterations + 1:
 * <pre>
 *   u_t = beta_1 * (1 - 0.5 * 0.96^t)           u_next = beta_1 * (1 - 0.5 * 0.96^(t+1))
 *   u_product = u_product * u_t                  (once per step; starts at 1)
 *   m += (g - m) * (1 - beta_1)
 *   v += (g^2 - v) * (1 - beta_2)
 *   m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)
 *   v_hat = v / (1 - beta_2^t)
 *   w -= m_hat * lr / (sqrt(v_hat) + epsilon)
 * </pre>
 * State: {@code momentum} and {@code velocity} (one value per weight) and {@code u_product}, the
 * running product of the momentum schedule: a single number for the whole model, kept as a state
 * variable of size 1 so that it is saved and restored with the others. PyTorch's {@code NAdam}
 * with {@code momentum_decay=1.0} is the same algorithm (its default 0.004 makes the schedule 250
 * times slower, and before PyTorch 2.0 its {@code mu_product_next} counted u_t twice). One fused C
 * kernel over all trainable weights ({@code sinew_nadam}); the scalars are computed here, in
 * float32 as Keras does.
 * <pre>{@code
 * new Nadam(0.002)
 * Nadam.builder().beta1(0.95).epsilon(1e-8).build()
 * }</pre>
 */
public final class Nadam extends Optimizer {
    /** Keras's momentum schedule decays as 0.96^t (Dozat's paper and PyTorch: 0.96^(0.004 t)). */
    private static final float DECAY = 0.96f;

    private final float beta1, beta2, epsilon;

    /** Nadam with Keras's defaults. */
    public Nadam() {
        this(builder());
    }

    /** Nadam with the given learning rate and Keras's other defaults. */
    public Nadam(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private Nadam(Builder b) {
        super(b);
        if (!(b.beta1 >= 0 && b.beta1 < 1)) throw new IllegalArgumentException("Nadam: beta_1 must be in [0, 1). Received: beta_1=" + b.beta1);
        if (!(b.beta2 >= 0 && b.beta2 < 1)) throw new IllegalArgumentException("Nadam: beta_2 must be in [0, 1). Received: beta_2=" + b.beta2);
        if (!(b.epsilon >= 0 && Double.isFinite(b.epsilon))) {
            throw new IllegalArgumentException("Nadam: epsilon must be >= 0 and finite. Received: epsilon=" + b.epsilon);
        }
        this.beta1 = (float) b.beta1;
        this.beta2 = (float) b.beta2;
        this.epsilon = (float) b.epsilon;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A Nadam from {@link #getConfig()}'s map (Keras's names; missing ones take Keras's defaults). */
    public static Nadam fromConfig(Map<String, Object> c) {
        return builder().config(c).build();
    }

    @Override
    public String name() {
        return "Nadam";
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
        return List.of("momentum", "velocity", "u_product");
    }

    @Override
    protected int stateSize(String name, int n) {
        return name.equals("u_product") ? 1 : n;
    }

    @Override
    protected float initialValue(String name) {
        return name.equals("u_product") ? 1f : 0f;
    }

    private float uProduct; // this step's u_product, for every part of the update

    @Override
    protected void beginStep(long t) {
        // Keras's _backend_update_step, once per step before the per-weight updates:
        // u_product = u_product * beta_1 * (1 - 0.5 * 0.96^t), multiplied left to right.
        Tensor product = state("u_product");
        uProduct = product.get(0) * beta1 * (1f - 0.5f * (float) Math.pow(DECAY, t));
        product.set(0, uProduct);
    }

    @Override
    protected void update(Tensor w, Tensor g, int from, long n, float lr, long t) {
        // Float32 throughout, in Keras's order of operations.
        float decayT = (float) Math.pow(DECAY, t), decayNext = (float) Math.pow(DECAY, t + 1);
        float uT = beta1 * (1f - 0.5f * decayT);
        float uNext = beta1 * (1f - 0.5f * decayNext);
        float beta2Power = (float) Math.pow(beta2, t);
        backend.nadam(w, g, state("momentum", from), state("velocity", from), n, lr, beta1, beta2, epsilon, uT, uNext, uProduct,
                beta2Power);
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
    public static final class Builder extends MomentsBuilder<Builder, Nadam> {
        Builder() {
            super(0.001, null);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        public Nadam build() {
            return new Nadam(this);
        }
    }
}
