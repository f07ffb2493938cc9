package dev.sinew.optimizers;

import dev.sinew.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adadelta, as Keras's {@code Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-7)}
 * (keras/src/optimizers/adadelta.py), with rms(x) = sqrt(x + epsilon):
 * <pre>
 *   acc_grad = rho * acc_grad + (1 - rho) * g^2
 *   delta = -rms(acc_delta) * g / rms(acc_grad)
 *   acc_delta = rho * acc_delta + (1 - rho) * delta^2
 *   w += lr * delta
 * </pre>
 * The step is the ratio of the RMS of past steps to the RMS of gradients; Zeiler's paper has no
 * learning rate, which is {@code learningRate(1.0)} here (Keras's default 0.001 learns slowly).
 * State: {@code accumulated_grad}, {@code accumulated_delta_var}. One fused C kernel over all
 * trainable weights ({@code sinew_adadelta}).
 * <pre>{@code
 * new Adadelta(1.0)
 * Adadelta.builder().learningRate(1.0).rho(0.9).epsilon(1e-6).build()
 * }</pre>
 */
public final class Adadelta extends Optimizer {
    private final float rho, epsilon;
    /** 1 - rho rounded from double, as Keras's {@code (1 - rho) * g**2} (not 1 - (float) rho). */
    private final float oneMinusRho;

    /** Adadelta with Keras's defaults. */
    public Adadelta() {
        this(builder());
    }

    /** Adadelta with the given learning rate and Keras's other defaults. */
    public Adadelta(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private Adadelta(Builder b) {
        super(b);
        if (!(b.rho >= 0 && b.rho < 1)) throw new IllegalArgumentException("Adadelta: rho must be in [0, 1). Received: rho=" + b.rho);
        if (!(b.epsilon >= 0 && Double.isFinite(b.epsilon))) {
            throw new IllegalArgumentException("Adadelta: epsilon must be >= 0 and finite. Received: epsilon=" + b.epsilon);
        }
        this.rho = (float) b.rho;
        this.oneMinusRho = (float) (1 - b.rho);
        this.epsilon = (float) b.epsilon;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An Adadelta from {@link #getConfig()}'s map (Keras's names; missing ones take Keras's defaults). */
    public static Adadelta fromConfig(Map<String, Object> c) {
        return builder().config(c).build();
    }

    @Override
    public String name() {
        return "Adadelta";
    }

    public double rho() {
        return rho;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    protected List<String> stateNames() {
        return List.of("accumulated_grad", "accumulated_delta_var");
    }

    @Override
    protected void update(Tensor w, Tensor g, int from, long n, float lr, long t) {
        backend.adadelta(w, g, state("accumulated_grad", from), state("accumulated_delta_var", from), n, lr, rho, oneMinusRho,
                epsilon);
    }

    @Override
    protected Map<String, Object> ownConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("rho", asWritten(rho));
        c.put("epsilon", asWritten(epsilon));
        return c;
    }

    /** Keras's arguments: {@code rho} (0.95), {@code epsilon} (1e-7), and the shared ones. */
    public static final class Builder extends Optimizer.Builder<Builder, Adadelta> {
        double rho = 0.95, epsilon = 1e-7;

        Builder() {
            super(0.001, null);
        }

        public Builder rho(double v) {
            this.rho = v;
            return this;
        }

        public Builder epsilon(double v) {
            this.epsilon = v;
            return this;
        }

        @Override
        public Builder config(Map<String, Object> c) {
            super.config(c);
            if (number(c, "rho") != null) rho = number(c, "rho");
            if (number(c, "epsilon") != null) epsilon = number(c, "epsilon");
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        public Adadelta build() {
            return new Adadelta(this);
        }
    }
}
