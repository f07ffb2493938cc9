package dev.sinew.optimizers.schedules;

import dev.sinew.optimizers.LearningRateSchedule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A piecewise constant rate, as Keras's {@code keras.optimizers.schedules.PiecewiseConstantDecay}:
 * <pre>
 *   lr(step) = values[0]      when step <= boundaries[0]
 *              values[i]      when boundaries[i-1] < step <= boundaries[i]
 *              values[n]      when step > boundaries[n-1]
 * </pre>
 * so there is one more value than boundaries, and a boundary step still has the rate before it.
 * The step is the optimizer's {@code iterations} (0 for the first update).
 * <pre>{@code
 * new PiecewiseConstantDecay(new long[] {100_000, 110_000}, new double[] {1.0, 0.5, 0.1})
 * }</pre>
 *
 * @param boundaries strictly increasing steps, at least one
 * @param values     one more than {@code boundaries}, each finite and >= 0
 */
public record PiecewiseConstantDecay(List<Long> boundaries, List<Double> values) implements LearningRateSchedule {

    public PiecewiseConstantDecay {
        if (boundaries == null || values == null) {
            throw new IllegalArgumentException("PiecewiseConstantDecay: boundaries and values must be lists. Received: boundaries="
                    + boundaries + ", values=" + values);
        }
        if (boundaries.stream().anyMatch(b -> b == null) || values.stream().anyMatch(v -> v == null)) {
            throw new IllegalArgumentException("PiecewiseConstantDecay: boundaries and values must not hold null. Received: boundaries="
                    + boundaries + ", values=" + values);
        }
        if (boundaries.size() != values.size() - 1) {
            throw new IllegalArgumentException("PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of"
                    + " values. Received: boundaries=" + boundaries + " of length " + boundaries.size() + ", and values="
                    + values + " of length " + values.size() + ".");
        }
        if (boundaries.isEmpty()) {
            throw new IllegalArgumentException("PiecewiseConstantDecay: boundaries must not be empty. Received: boundaries=[]"
                    + " (for a constant rate give the optimizer a number)");
        }
        for (int i = 1; i < boundaries.size(); i++) {
            if (boundaries.get(i) <= boundaries.get(i - 1)) {
                throw new IllegalArgumentException("PiecewiseConstantDecay: boundaries must be strictly increasing. Received: boundaries="
                        + boundaries);
            }
        }
        for (Double v : values) Args.nonNegative("PiecewiseConstantDecay", "values", v);
        boundaries = List.copyOf(boundaries);
        values = List.copyOf(values);
    }

    public PiecewiseConstantDecay(long[] boundaries, double[] values) {
        this(boxed(boundaries), boxed(values));
    }

    private static List<Long> boxed(long[] a) {
        if (a == null) return null;
        List<Long> l = new ArrayList<>(a.length);
        for (long x : a) l.add(x);
        return l;
    }

    private static List<Double> boxed(double[] a) {
        if (a == null) return null;
        List<Double> l = new ArrayList<>(a.length);
        for (double x : a) l.add(x);
        return l;
    }

    @Override
    public double at(long step) {
        Args.step(name(), step);
        int i = 0;
        while (i < boundaries.size() && step > boundaries.get(i)) i++;
        return values.get(i);
    }

    @Override
    public String name() {
        return "PiecewiseConstantDecay";
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("boundaries", boundaries);
        c.put("values", values);
        c.put("name", "PiecewiseConstant");
        return c;
    }

    /** From Keras's {@code get_config()} map. */
    public static PiecewiseConstantDecay fromConfig(Map<String, Object> config) {
        Args a = new Args("PiecewiseConstantDecay", config, "boundaries", "values");
        return new PiecewiseConstantDecay(a.wholes("boundaries"), a.numbers("values"));
    }
}
