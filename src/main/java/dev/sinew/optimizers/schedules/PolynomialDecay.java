package dev.sinew.optimizers.schedules;

import dev.sinew.optimizers.LearningRateSchedule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Polynomial decay, as Keras's {@code keras.optimizers.schedules.PolynomialDecay}: from
 * {@code initial_learning_rate} to {@code end_learning_rate} in {@code decay_steps} steps,
 * <pre>
 *   step = min(step, decay_steps)
 *   lr(step) = (initial_learning_rate - end_learning_rate) * (1 - step / decay_steps) ^ power + end_learning_rate
 * </pre>
 * and {@code end_learning_rate} after. With {@code cycle}, instead of stopping, the decay starts
 * again from a lower height: {@code decay_steps} becomes its first multiple that is >= step
 * ({@code decay_steps * ceil(step / decay_steps)}, and {@code decay_steps} itself at step 0).
 * The step is the optimizer's {@code iterations} (0 for the first update).
 * <pre>{@code
 * new PolynomialDecay(0.1, 10_000)                // linearly to 0.0001
 * PolynomialDecay.builder().initialLearningRate(0.1).decaySteps(10_000).endLearningRate(0.01).power(0.5).build()
 * }</pre>
 *
 * @param initialLearningRate the rate at step 0, finite and >= 0
 * @param decaySteps          > 0
 * @param endLearningRate     the rate after {@code decaySteps}, finite and >= 0 (Keras's default 0.0001)
 * @param power               of the polynomial, finite and >= 0 (default 1: linear)
 * @param cycle               restart the decay every {@code decaySteps} (default false)
 */
public record PolynomialDecay(double initialLearningRate, long decaySteps, double endLearningRate, double power, boolean cycle)
        implements LearningRateSchedule {

    public PolynomialDecay {
        Args.nonNegative("PolynomialDecay", "initial_learning_rate", initialLearningRate);
        Args.positiveSteps("PolynomialDecay", "decay_steps", decaySteps);
        Args.nonNegative("PolynomialDecay", "end_learning_rate", endLearningRate);
        Args.nonNegative("PolynomialDecay", "power", power);
    }

    /** Linear decay to 0.0001, no cycle (Keras's defaults). */
    public PolynomialDecay(double initialLearningRate, long decaySteps) {
        this(initialLearningRate, decaySteps, 0.0001, 1.0, false);
    }

    @Override
    public double at(long step) {
        Args.step(name(), step);
        double s = step, d = decaySteps;
        if (cycle) {
            // The first multiple of decay_steps that is >= step; at step 0, decay_steps itself.
            d *= step == 0 ? 1 : Math.ceil(s / d);
        } else {
            s = Math.min(s, d);
        }
        double p = s / d;
        return (initialLearningRate - endLearningRate) * Math.pow(1 - p, power) + endLearningRate;
    }

    @Override
    public String name() {
        return "PolynomialDecay";
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initialLearningRate);
        c.put("decay_steps", decaySteps);
        c.put("end_learning_rate", endLearningRate);
        c.put("power", power);
        c.put("cycle", cycle);
        c.put("name", "PolynomialDecay");
        return c;
    }

    /** From Keras's {@code get_config()} map; absent arguments take Keras's defaults. */
    public static PolynomialDecay fromConfig(Map<String, Object> config) {
        Args a = new Args("PolynomialDecay", config, "initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle");
        return new PolynomialDecay(a.number("initial_learning_rate"), a.whole("decay_steps"), a.number("end_learning_rate", 0.0001),
                a.number("power", 1.0), a.bool("cycle", false));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Keras's arguments: {@code initialLearningRate}, {@code decaySteps} (required),
     * {@code endLearningRate} (0.0001), {@code power} (1.0), {@code cycle} (false).
     */
    public static final class Builder {
        private Double initialLearningRate;
        private Long decaySteps;
        private double endLearningRate = 0.0001, power = 1.0;
        private boolean cycle;

        private Builder() {}

        public Builder initialLearningRate(double v) {
            initialLearningRate = v;
            return this;
        }

        public Builder decaySteps(long v) {
            decaySteps = v;
            return this;
        }

        public Builder endLearningRate(double v) {
            endLearningRate = v;
            return this;
        }

        public Builder power(double v) {
            power = v;
            return this;
        }

        public Builder cycle(boolean v) {
            cycle = v;
            return this;
        }

        public PolynomialDecay build() {
            return new PolynomialDecay(Args.given("PolynomialDecay", "initialLearningRate", initialLearningRate),
                    Args.given("PolynomialDecay", "decaySteps", decaySteps), endLearningRate, power, cycle);
        }
    }
}
