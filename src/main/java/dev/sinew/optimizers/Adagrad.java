package dev.sinew.optimizers;

import dev.sinew.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adagrad, as Keras's {@code Adagrad(learning_rate=0.001, initial_accumulator_value=0.1,
 * epsilon=1e-7)} (keras/src/optimizers/adagrad.py):
 * <pre>
 *   acc += g^2                            (acc starts at initial_accumulator_value)
 *   w -= lr * g / sqrt(acc + epsilon)
 * </pre>
 * Each weight's step shrinks with the sum of its squared gradients so far. Epsilon is inside the
 * square root (PyTorch adds its eps after it, and starts acc at 0). State: {@code accumulator}.
 * One fused C kernel over all trainable weights ({@code sinew_adagrad}).
 * <pre>{@code
 * new Adagrad(0.01)
 * Adagrad.builder().learningRate(0.1).initialAccumulatorValue(0.0).epsilon(1e-10).build()
 * }</pre>
 */
public final class Adagrad extends Optimizer {
    private final float initialAccumulatorValue, epsilon;

    /** Adagrad with Keras's defaults. */
    public Adagrad() {
        this(builder());
    }

    /** Adagrad with the given learning rate and Keras's other defaults. */
    public Adagrad(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private Adagrad(Builder b) {
        super(b);
        if (!(b.initialAccumulatorValue >= 0 && Double.isFinite(b.initialAccumulatorValue))) {
            throw new IllegalArgumentException("Adagrad: initial_accumulator_value must be >= 0 and finite."
                    + " Received: initial_accumulator_value=" + b.initialAccumulatorValue);
        }
        if (!(b.epsilon >= 0 && Double.isFinite(b.epsilon))) {
            throw new IllegalArgumentException("Adagrad: epsilon must be >= 0 and finite. Received: epsilon=" + b.epsilon);
        }
        this.initialAccumulatorValue = (float) b.initialAccumulatorValue;
        this.epsilon = (float) b.epsilon;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An Adagrad from {@link #getConfig()}'s map (Keras's names; missing ones take Keras's defaults). */
    public static Adagrad fromConfig(Map<String, Object> c) {
        return builder().config(c).build();
    }

    @Override
    public String name() {
        return "Adagrad";
    }

    public double initialAccumulatorValue() {
        return initialAccumulatorValue;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    protected List<String> stateNames() {
        return List.of("accumulator");
    }

    @Override
    protected float initialValue(String name) {
        return name.equals("accumulator") ? initialAccumulatorValue : 0f;
    }

    @Override
    protected void update(Tensor w, Tensor g, int from, long n, float lr, long t) {
        backend.adagrad(w, g, state("accumulator", from), n, lr, epsilon);
    }

    @Override
    protected Map<String, Object> ownConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_accumulator_value", asWritten(initialAccumulatorValue));
        c.put("epsilon", asWritten(epsilon));
        return c;
    }

    /** Keras's arguments: {@code initialAccumulatorValue} (0.1), {@code epsilon} (1e-7), and the shared ones. */
    public static final class Builder extends Optimizer.Builder<Builder, Adagrad> {
        double initialAccumulatorValue = 0.1, epsilon = 1e-7;

        Builder() {
            super(0.001, null);
        }

        public Builder initialAccumulatorValue(double v) {
            this.initialAccumulatorValue = v;
            return this;
        }

        public Builder epsilon(double v) {
            this.epsilon = v;
            return this;
        }

        @Override
        public Builder config(Map<String, Object> c) {
            super.config(c);
            Double v = number(c, "initial_accumulator_value");
            if (v != null) initialAccumulatorValue = v;
            if (number(c, "epsilon") != null) epsilon = number(c, "epsilon");
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        public Adagrad build() {
            return new Adagrad(this);
        }
    }
}
