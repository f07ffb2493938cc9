package dev.sinew.optimizers.schedules;

import dev.sinew.optimizers.LearningRateSchedule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exponential decay, as Keras's {@code keras.optimizers.schedules.ExponentialDecay}:
 * <pre>
 *   lr(step) = initial_learning_rate * decay_rate ^ (step / decay_steps)
 * </pre>
 * With {@code staircase}, {@code step / decay_steps} is rounded down, so the rate drops every
 * {@code decay_steps} steps. The step is the optimizer's {@code iterations} (0 for the first update).
 * <pre>{@code
 * SGD.builder().learningRate(new ExponentialDecay(0.1, 100_000, 0.96)).build()
 * ExponentialDecay.builder().initialLearningRate(0.1).decaySteps(1000).decayRate(0.5).staircase(true).build()
 * }</pre>
 *
 * @param initialLearningRate the rate at step 0, finite and >= 0
 * @param decaySteps          steps per factor of {@code decayRate}, > 0
 * @param decayRate           the factor, finite and >= 0
 * @param staircase           decay in whole steps of {@code decaySteps}
 */
public record ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase)
        implements LearningRateSchedule {

    public ExponentialDecay {
        Args.nonNegative("ExponentialDecay", "initial_learning_rate", initialLearningRate);
        Args.positiveSteps("ExponentialDecay", "decay_steps", decaySteps);
        Args.nonNegative("ExponentialDecay", "decay_rate", decayRate);
    }

    /** Continuous decay ({@code staircase = false}, Keras's default). */
    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate) {
        this(initialLearningRate, decaySteps, decayRate, false);
    }

    @Override
    public double at(long step) {
        Args.step(name(), step);
        double p = (double) step / decaySteps;
        if (staircase) p = Math.floor(p);
        return initialLearningRate * Math.pow(decayRate, p);
    }

    @Override
    public String name() {
        return "ExponentialDecay";
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initialLearningRate);
        c.put("decay_steps", decaySteps);
        c.put("decay_rate", decayRate);
        c.put("staircase", staircase);
        c.put("name", "ExponentialDecay");
        return c;
    }

    /** From Keras's {@code get_config()} map. */
    public static ExponentialDecay fromConfig(Map<String, Object> config) {
        Args a = new Args("ExponentialDecay", config, "initial_learning_rate", "decay_steps", "decay_rate", "staircase");
        return new ExponentialDecay(a.number("initial_learning_rate"), a.whole("decay_steps"), a.number("decay_rate"),
                a.bool("staircase", false));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Keras's arguments: {@code initialLearningRate}, {@code decaySteps}, {@code decayRate} (all required), {@code staircase} (false). */
    public static final class Builder {
        private Double initialLearningRate, decayRate;
        private Long decaySteps;
        private boolean staircase;

        private Builder() {}

        public Builder initialLearningRate(double v) {
            initialLearningRate = v;
            return this;
        }

        public Builder decaySteps(long v) {
            decaySteps = v;
            return this;
        }

        public Builder decayRate(double v) {
            decayRate = v;
            return this;
        }

        public Builder staircase(boolean v) {
            staircase = v;
            return this;
        }

        public ExponentialDecay build() {
            return new ExponentialDecay(Args.given("ExponentialDecay", "initialLearningRate", initialLearningRate),
                    Args.given("ExponentialDecay", "decaySteps", decaySteps),
                    Args.given("ExponentialDecay", "decayRate", decayRate), staircase);
        }
    }
}
