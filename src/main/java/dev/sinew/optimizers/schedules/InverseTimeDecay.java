package dev.sinew.optimizers.schedules;

import dev.sinew.optimizers.LearningRateSchedule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Inverse time decay, as Keras's {@code keras.optimizers.schedules.InverseTimeDecay}:
 * <pre>
 *   lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps)
 * </pre>
 * With {@code staircase}, {@code step / decay_steps} is rounded down. The step is the optimizer's
 * {@code iterations} (0 for the first update).
 * <pre>{@code
 * new InverseTimeDecay(0.1, 1, 0.5)               // 0.1, 0.0667, 0.05, 0.04, ...
 * }</pre>
 *
 * @param initialLearningRate the rate at step 0, finite and >= 0
 * @param decaySteps          > 0
 * @param decayRate           finite and >= 0
 * @param staircase           decay in whole steps of {@code decaySteps}
 */
public record InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase)
        implements LearningRateSchedule {

    public InverseTimeDecay {
        Args.nonNegative("InverseTimeDecay", "initial_learning_rate", initialLearningRate);
        Args.positiveSteps("InverseTimeDecay", "decay_steps", decaySteps);
        Args.nonNegative("InverseTimeDecay", "decay_rate", decayRate);
    }

    /** Continuous decay ({@code staircase = false}, Keras's default). */
    public InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate) {
        this(initialLearningRate, decaySteps, decayRate, false);
    }

    @Override
    public double at(long step) {
        Args.step(name(), step);
        double p = (double) step / decaySteps;
        if (staircase) p = Math.floor(p);
        return initialLearningRate / (1 + decayRate * p);
    }

    @Override
    public String name() {
        return "InverseTimeDecay";
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initialLearningRate);
        c.put("decay_steps", decaySteps);
        c.put("decay_rate", decayRate);
        c.put("staircase", staircase);
        c.put("name", "InverseTimeDecay");
        return c;
    }

    /** From Keras's {@code get_config()} map. */
    public static InverseTimeDecay fromConfig(Map<String, Object> config) {
        Args a = new Args("InverseTimeDecay", config, "initial_learning_rate", "decay_steps", "decay_rate", "staircase");
        return new InverseTimeDecay(a.number("initial_learning_rate"), a.whole("decay_steps"), a.number("decay_rate"),
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

        public InverseTimeDecay build() {
            return new InverseTimeDecay(Args.given("InverseTimeDecay", "initialLearningRate", initialLearningRate),
                    Args.given("InverseTimeDecay", "decaySteps", decaySteps),
                    Args.given("InverseTimeDecay", "decayRate", decayRate), staircase);
        }
    }
}
