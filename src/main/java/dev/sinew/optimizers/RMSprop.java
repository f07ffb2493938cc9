package dev.sinew.optimizers;

import dev.sinew.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RMSprop, as Keras's {@code RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
 * centered=False)} (keras/src/optimizers/rmsprop.py):
 * <pre>
 *   v = rho * v + (1 - rho) * g^2
 *   d = v + epsilon                      centered: a = rho * a + (1 - rho) * g;  d = v - a^2 + epsilon
 *   inc = lr * g / sqrt(d)
 *   w -= inc                             momentum > 0: mom = momentum * mom + inc;  w -= mom
 * </pre>
 * Epsilon is inside the square root (PyTorch adds its eps after it). The momentum is plain, not
 * Nesterov, and holds steps already scaled by the learning rate. State: {@code velocity}, plus
 * {@code momentum} when momentum &gt; 0 and {@code average_gradient} when centered. One fused C
 * kernel over all trainable weights ({@code sinew_rmsprop}).
 * <pre>{@code
 * new RMSprop(0.001)
 * RMSprop.builder().rho(0.95).momentum(0.9).centered(true).build()
 * }</pre>
 */
public final class RMSprop extends Optimizer {
    private final float rho, momentum, epsilon;
    /** 1 - rho rounded from double, as Keras's {@code (1 - rho) * g**2} (not 1 - (float) rho). */
    private final float oneMinusRho;
    private final boolean centered;

    /** RMSprop with Keras's defaults. */
    public RMSprop() {
        this(builder());
    }

    /** RMSprop with the given learning rate and Keras's other defaults. */
    public RMSprop(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private RMSprop(Builder b) {
        super(b);
        if (!(b.rho >= 0 && b.rho < 1)) throw new IllegalArgumentException("RMSprop: rho must be in [0, 1). Received: rho=" + b.rho);
        if (!(b.momentum >= 0 && b.momentum < 1)) {
            throw new IllegalArgumentException("RMSprop: momentum must be in [0, 1). Received: momentum=" + b.momentum);
        }
        if (!(b.epsilon >= 0 && Double.isFinite(b.epsilon))) {
            throw new IllegalArgumentException("RMSprop: epsilon must be >= 0 and finite. Received: epsilon=" + b.epsilon);
        }
        this.rho = (float) b.rho;
        this.oneMinusRho = (float) (1 - b.rho);
        this.momentum = (float) b.momentum;
        this.epsilon = (float) b.epsilon;
        this.centered = b.centered;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An RMSprop from {@link #getConfig()}'s map (Keras's names; missing ones take Keras's defaults). */
    public static RMSprop fromConfig(Map<String, Object> c) {
        return builder().config(c).build();
    }

    @Override
    public String name() {
        return "RMSprop";
    }

    public double rho() {
        return rho;
    }

    public double momentum() {
        return momentum;
    }

    public double epsilon() {
        return epsilon;
    }

    public boolean centered() {
        return centered;
    }

    @Override
    protected List<String> stateNames() {
        List<String> s = new ArrayList<>(List.of("velocity"));
        if (momentum > 0) s.add("momentum");
        if (centered) s.add("average_gradient");
        return s;
    }

    @Override
    protected void update(Tensor w, Tensor g, int from, long n, float lr, long t) {
        backend.rmsprop(w, g, state("velocity", from), centered ? state("average_gradient", from) : null,
                momentum > 0 ? state("momentum", from) : null, n, lr, rho, oneMinusRho, momentum, epsilon);
    }

    @Override
    protected Map<String, Object> ownConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("rho", asWritten(rho));
        c.put("momentum", asWritten(momentum));
        c.put("epsilon", asWritten(epsilon));
        c.put("centered", centered);
        return c;
    }

    /** Keras's arguments: {@code rho} (0.9), {@code momentum} (0), {@code epsilon} (1e-7), {@code centered} (false), and the shared ones. */
    public static final class Builder extends Optimizer.Builder<Builder, RMSprop> {
        double rho = 0.9, momentum = 0, epsilon = 1e-7;
        boolean centered;

        Builder() {
            super(0.001, null);
        }

        public Builder rho(double v) {
            this.rho = v;
            return this;
        }

        public Builder momentum(double v) {
            this.momentum = v;
            return this;
        }

        public Builder epsilon(double v) {
            this.epsilon = v;
            return this;
        }

        public Builder centered(boolean v) {
            this.centered = v;
            return this;
        }

        @Override
        public Builder config(Map<String, Object> c) {
            super.config(c);
            if (number(c, "rho") != null) rho = number(c, "rho");
            if (number(c, "momentum") != null) momentum = number(c, "momentum");
            if (number(c, "epsilon") != null) epsilon = number(c, "epsilon");
            if (bool(c, "centered") != null) centered = bool(c, "centered");
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        public RMSprop build() {
            return new RMSprop(this);
        }
    }
}
