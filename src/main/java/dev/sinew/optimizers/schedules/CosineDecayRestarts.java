package dev.sinew.optimizers.schedules;

import dev.sinew.optimizers.LearningRateSchedule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cosine decay with warm restarts, as Keras's {@code keras.optimizers.schedules.CosineDecayRestarts}
 * (Loshchilov and Hutter's SGDR). Period {@code i} (from 0) lasts
 * {@code first_decay_steps * t_mul^i} steps; within it the rate falls along a cosine from
 * {@code initial_learning_rate * m_mul^i}, then restarts:
 * <pre>
 *   f = step / first_decay_steps
 *   t_mul = 1:  i = floor(f);  f = f - i
 *   otherwise:  i = floor(log(1 - f * (1 - t_mul)) / log(t_mul));
 *               f = (f - (1 - t_mul^i) / (1 - t_mul)) / t_mul^i          (the fraction of period i done)
 *   lr(step) = initial_learning_rate * ((1 - alpha) * 0.5 * m_mul^i * (1 + cos(pi * f)) + alpha)
 * </pre>
 * Keras takes {@code i} from the floating-point logarithm above; Sinew corrects it by one where
 * rounding puts a step exactly at a restart into the period before (so a restart step always has
 * the period's full rate), which is the same function without the rounding. The step is the
 * optimizer's {@code iterations} (0 for the first update).
 * <pre>{@code
 * new CosineDecayRestarts(0.1, 1000)                    // periods of 1000, 2000, 4000, ... steps
 * CosineDecayRestarts.builder().initialLearningRate(0.1).firstDecaySteps(1000).tMul(1.0).mMul(0.5).build()
 * }</pre>
 *
 * @param initialLearningRate the rate at step 0, finite and >= 0
 * @param firstDecaySteps     length of the first period, > 0
 * @param tMul                each period is {@code tMul} times longer than the one before, >= 1 (default 2);
 *                            Keras also takes {@code t_mul < 1}, but then the periods add up to a finite
 *                            number of steps after which its formula is NaN
 * @param mMul                each period starts {@code mMul} times lower, finite and >= 0 (default 1)
 * @param alpha               the lowest rate as a fraction of {@code initialLearningRate}, in [0, 1] (default 0)
 */
public record CosineDecayRestarts(double initialLearningRate, long firstDecaySteps, double tMul, double mMul, double alpha)
        implements LearningRateSchedule {

    public CosineDecayRestarts {
        Args.nonNegative("CosineDecayRestarts", "initial_learning_rate", initialLearningRate);
        Args.positiveSteps("CosineDecayRestarts", "first_decay_steps", firstDecaySteps);
        if (!(tMul >= 1) || Double.isInfinite(tMul)) {
            throw new IllegalArgumentException("CosineDecayRestarts: argument `t_mul` must be a finite number >= 1 (with t_mul < 1"
                    + " the periods add up to first_decay_steps / (1 - t_mul) steps, after which the rate is NaN). Received: t_mul="
                    + tMul);
        }
        Args.nonNegative("CosineDecayRestarts", "m_mul", mMul);
        Args.fraction("CosineDecayRestarts", "alpha", alpha);
    }

    /** Periods doubling in length, each starting at {@code initialLearningRate}, decaying to 0 (Keras's defaults). */
    public CosineDecayRestarts(double initialLearningRate, long firstDecaySteps) {
        this(initialLearningRate, firstDecaySteps, 2.0, 1.0, 0.0);
    }

    @Override
    public double at(long step) {
        Args.step(name(), step);
        double f = (double) step / firstDecaySteps;
        double i;
        if (tMul == 1.0) {
            i = Math.floor(f);
            f -= i;
        } else {
            i = Math.floor(Math.log(1.0 - f * (1.0 - tMul)) / Math.log(tMul));
            // The logarithm's rounding can put a step that starts period i into period i - 1 (or
            // the reverse): correct i so that start(i) <= f < start(i + 1).
            if (start(i) > f) i--;
            else if (start(i + 1) <= f) i++;
            double sumR = start(i);
            f = (f - sumR) / Math.pow(tMul, i);
        }
        double cosine = 0.5 * Math.pow(mMul, i) * (1.0 + Math.cos(Math.PI * f));
        return initialLearningRate * ((1 - alpha) * cosine + alpha);
    }

    /** Where period i starts, in units of {@code firstDecaySteps}: 1 + t + ... + t^(i-1). */
    private double start(double i) {
        return (1.0 - Math.pow(tMul, i)) / (1.0 - tMul);
    }

    @Override
    public String name() {
        return "CosineDecayRestarts";
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initialLearningRate);
        c.put("first_decay_steps", firstDecaySteps);
        c.put("t_mul", tMul);
        c.put("m_mul", mMul);
        c.put("alpha", alpha);
        c.put("name", "SGDRDecay");
        return c;
    }

    /** From Keras's {@code get_config()} map; absent arguments take Keras's defaults. */
    public static CosineDecayRestarts fromConfig(Map<String, Object> config) {
        Args a = new Args("CosineDecayRestarts", config, "initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha");
        return new CosineDecayRestarts(a.number("initial_learning_rate"), a.whole("first_decay_steps"), a.number("t_mul", 2.0),
                a.number("m_mul", 1.0), a.number("alpha", 0.0));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Keras's arguments: {@code initialLearningRate}, {@code firstDecaySteps} (required),
     * {@code tMul} (2.0), {@code mMul} (1.0), {@code alpha} (0).
     */
    public static final class Builder {
        private Double initialLearningRate;
        private Long firstDecaySteps;
        private double tMul = 2.0, mMul = 1.0, alpha;

        private Builder() {}

        public Builder initialLearningRate(double v) {
            initialLearningRate = v;
            return this;
        }

        public Builder firstDecaySteps(long v) {
            firstDecaySteps = v;
            return this;
        }

        public Builder tMul(double v) {
            tMul = v;
            return this;
        }

        public Builder mMul(double v) {
            mMul = v;
            return this;
        }

        public Builder alpha(double v) {
            alpha = v;
            return this;
        }

        public CosineDecayRestarts build() {
            return new CosineDecayRestarts(Args.given("CosineDecayRestarts", "initialLearningRate", initialLearningRate),
                    Args.given("CosineDecayRestarts", "firstDecaySteps", firstDecaySteps), tMul, mMul, alpha);
        }
    }
}
