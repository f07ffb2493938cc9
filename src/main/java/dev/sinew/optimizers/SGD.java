package dev.sinew.optimizers;

import dev.sinew.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent, as Keras's {@code SGD(learning_rate=0.01, momentum=0.0,
 * nesterov=False)}:
 * <pre>
 *   momentum = 0:  w = w - lr * g
 *   otherwise:     m = momentum * m - lr * g;  w = w + m            (nesterov: w = w + momentum * m - lr * g)
 * </pre>
 * Plain SGD is one {@code saxpy} over all of the model's trainable weights.
 * <pre>{@code
 * new SGD(0.1)
 * SGD.builder().learningRate(0.05).momentum(0.9).nesterov(true).clipnorm(1.0).build()
 * }</pre>
 */
public final class SGD extends Optimizer {
    private final float momentum;
    private final boolean nesterov;

    /** Plain SGD with the given learning rate (Keras's default is 0.01). */
    public SGD(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    public SGD(double learningRate, double momentum, boolean nesterov) {
        this(builder().learningRate(learningRate).momentum(momentum).nesterov(nesterov));
    }

    private SGD(Builder b) {
        super(b);
        if (!(b.momentum >= 0 && b.momentum < 1)) {
            throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + b.momentum);
        }
        if (b.nesterov && b.momentum == 0) {
            throw new IllegalArgumentException("SGD with nesterov=true needs a momentum > 0");
        }
        this.momentum = (float) b.momentum;
        this.nesterov = b.nesterov;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An SGD from {@link #getConfig()}'s map (Keras's names; missing ones take Keras's defaults). */
    public static SGD fromConfig(Map<String, Object> c) {
        return builder().config(c).build();
    }

    @Override
    public String name() {
        return "SGD";
    }

    public double momentum() {
        return momentum;
    }

    public boolean nesterov() {
        return nesterov;
    }

    @Override
    protected List<String> stateNames() {
        return momentum == 0 ? List.of() : List.of("momentum");
    }

    @Override
    protected void update(Tensor w, Tensor g, int from, long n, float lr, long t) {
        if (momentum == 0) {
            backend.axpy(n, -lr, g, w);
        } else {
            backend.sgdMomentum(w, state("momentum", from), g, n, lr, momentum, nesterov);
        }
    }

    @Override
    protected Map<String, Object> ownConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("momentum", asWritten(momentum));
        c.put("nesterov", nesterov);
        return c;
    }

    /** Keras's arguments: {@code learningRate} (0.01), {@code momentum} (0), {@code nesterov} (false), and the shared ones. */
    public static final class Builder extends Optimizer.Builder<Builder, SGD> {
        double momentum;
        boolean nesterov;

        Builder() {
            super(0.01, null);
        }

        public Builder momentum(double v) {
            this.momentum = v;
            return this;
        }

        public Builder nesterov(boolean v) {
            this.nesterov = v;
            return this;
        }

        @Override
        public Builder config(Map<String, Object> c) {
            super.config(c);
            if (number(c, "momentum") != null) momentum = number(c, "momentum");
            if (bool(c, "nesterov") != null) nesterov = bool(c, "nesterov");
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        public SGD build() {
            return new SGD(this);
        }
    }
}
