package dev.sinew.optimizers.schedules;

import dev.sinew.optimizers.LearningRateSchedule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cosine decay with an optional linear warmup, as Keras 3's
 * {@code keras.optimizers.schedules.CosineDecay} (Loshchilov and Hutter's SGDR without restarts;
 * the warmup after Goyal et al.). Without {@code warmup_target}:
 * <pre>
 *   step = min(step, decay_steps)
 *   lr(step) = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha)
 * </pre>
 * With {@code warmup_target}: for {@code step < warmup_steps} the rate rises linearly,
 * {@code initial_learning_rate + (warmup_target - initial_learning_rate) * step / warmup_steps};
 * from then on it is the cosine above with {@code warmup_target} in place of
 * {@code initial_learning_rate} and {@code step - warmup_steps} in place of {@code step}, ending at
 * {@code warmup_target * alpha} after {@code warmup_steps + decay_steps} steps. Without
 * {@code warmup_target}, {@code warmup_steps} is ignored (as in Keras). The step is the optimizer's
 * {@code iterations} (0 for the first update).
 * <pre>{@code
 * new CosineDecay(0.1, 1000)
 * CosineDecay.builder().initialLearningRate(0).decaySteps(1000).warmupTarget(0.1).warmupSteps(100).build()
 * }</pre>
 *
 * @param initialLearningRate the rate at step 0, finite and >= 0
 * @param decaySteps          steps of the cosine, > 0
 * @param alpha               the final rate as a fraction of the decay's start, in [0, 1] (default 0)
 * @param warmupTarget        the rate the warmup reaches, finite and >= 0, or null for no warmup (default)
 * @param warmupSteps         steps of the warmup, >= 0 (default 0)
 */
public record CosineDecay(double initialLearningRate, long decaySteps, double alpha, Double warmupTarget, long warmupSteps)
        implements LearningRateSchedule {

    public CosineDecay {
        Args.nonNegative("CosineDecay", "initial_learning_rate", initialLearningRate);
        Args.positiveSteps("CosineDecay", "decay_steps", decaySteps);
        Args.fraction("CosineDecay", "alpha", alpha);
        if (warmupTarget != null) Args.nonNegative("CosineDecay", "warmup_target", warmupTarget);
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("CosineDecay: argument `warmup_steps` must be >= 0. Received: warmup_steps=" + warmupSteps);
        }
    }

    /** Cosine decay to 0 over {@code decaySteps}, no warmup (Keras's defaults). */
    public CosineDecay(double initialLearningRate, long decaySteps) {
        this(initialLearningRate, decaySteps, 0.0, null, 0);
    }

    @Override
    public double at(long step) {
        Args.step(name(), step);
        double s = step, d = decaySteps;
        if (warmupTarget == null) return decayed(Math.min(s, d), initialLearningRate);
        double w = warmupSteps;
        s = Math.min(s, d + w);
        if (s < w) return (warmupTarget - initialLearningRate) * (s / w) + initialLearningRate;
        return decayed(s - w, warmupTarget);
    }

    private double decayed(double s, double from) {
        double cosine = 0.5 * (1.0 + Math.cos(Math.PI * (s / decaySteps)));
        return from * ((1 - alpha) * cosine + alpha);
    }

    @Override
    public String name() {
        return "CosineDecay";
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initialLearningRate);
        c.put("decay_steps", decaySteps);
        c.put("alpha", alpha);
        c.put("name", "CosineDecay");
        c.put("warmup_target", warmupTarget);
        c.put("warmup_steps", warmupSteps);
        return c;
    }

    /** From Keras's {@code get_config()} map; absent arguments take Keras's defaults. */
    public static CosineDecay fromConfig(Map<String, Object> config) {
        Args a = new Args("CosineDecay", config, "initial_learning_rate", "decay_steps", "alpha", "warmup_target", "warmup_steps");
        return new CosineDecay(a.number("initial_learning_rate"), a.whole("decay_steps"), a.number("alpha", 0.0),
                a.numberOrNull("warmup_target"), a.whole("warmup_steps", 0));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Keras's arguments: {@code initialLearningRate}, {@code decaySteps} (required), {@code alpha}
     * (0), {@code warmupTarget} (none), {@code warmupSteps} (0).
     */
    public static final class Builder {
        private Double initialLearningRate, warmupTarget;
        private Long decaySteps;
        private double alpha;
        private long warmupSteps;

        private Builder() {}

        public Builder initialLearningRate(double v) {
            initialLearningRate = v;
            return this;
        }

        public Builder decaySteps(long v) {
            decaySteps = v;
            return this;
        }

        public Builder alpha(double v) {
            alpha = v;
            return this;
        }

        /** The rate the warmup rises to; null for no warmup. */
        public Builder warmupTarget(Double v) {
            warmupTarget = v;
            return this;
        }

        public Builder warmupSteps(long v) {
            warmupSteps = v;
            return this;
        }

        public CosineDecay build() {
            return new CosineDecay(Args.given("CosineDecay", "initialLearningRate", initialLearningRate),
                    Args.given("CosineDecay", "decaySteps", decaySteps), alpha, warmupTarget, warmupSteps);
        }
    }
}
