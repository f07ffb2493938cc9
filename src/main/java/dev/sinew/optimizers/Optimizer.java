package dev.sinew.optimizers;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.ParameterTable;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Variable;
import dev.sinew.tensor.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every optimizer shares, after Keras's {@code keras/src/optimizers/base_optimizer.py}: an
 * {@link #iterations()} counter, a learning rate that is a number or a
 * {@link LearningRateSchedule} of the step, named state variables allocated off-heap beside the
 * weights, and the options every Keras optimizer takes. One {@link #step()} is, in Keras's order:
 * <ol>
 *   <li>clip the gradients: {@code clipnorm} (each weight's gradient to that L2 norm),
 *       {@code global_clipnorm} (all of them together) or {@code clipvalue} (each value);</li>
 *   <li>weight decay, {@code w -= w * weight_decay * lr}, on every trainable weight except biases
 *       and those named in {@link Builder#excludeFromWeightDecay};</li>
 *   <li>the optimizer's own update ({@link #update}), one fused pass over all trainable weights
 *       (they are contiguous in the model's {@link ParameterTable});</li>
 *   <li>with {@code use_ema}: {@code average = m * average + (1 - m) * w}, m = {@code ema_momentum}
 *       (0 on the first step), and every {@code ema_overwrite_frequency} steps w = average;</li>
 *   <li>{@code iterations += 1}.</li>
 * </ol>
 * An optimizer instance holds one model's state: compile each model with its own.
 */
public abstract class Optimizer {
    private double learningRate;
    private final LearningRateSchedule schedule;
    private final Double weightDecay, clipnorm, clipvalue, globalClipnorm;
    private final boolean useEma;
    private final double emaMomentum;
    private final Integer emaOverwriteFrequency;
    private final Set<String> excludedFromWeightDecay;

    private long iterations;
    protected Backend backend;
    private ParameterTable table;
    private final Map<String, Tensor> state = new LinkedHashMap<>();
    private Tensor average;
    // Views made once at build, so that a step allocates nothing: the values that get weight
    // decay, and each trainable weight's gradient (for clipnorm and global_clipnorm).
    private Tensor[] decayed = {}, gradients = {};

    protected Optimizer(Builder<?, ?> b) {
        if (b.schedule == null) checkLearningRate(b.learningRate);
        this.learningRate = b.learningRate;
        this.schedule = b.schedule;
        int clips = (b.clipnorm != null ? 1 : 0) + (b.clipvalue != null ? 1 : 0) + (b.globalClipnorm != null ? 1 : 0);
        if (clips > 1) {
            throw new IllegalArgumentException(name() + ": only one of clipnorm, clipvalue and global_clipnorm can be set."
                    + " Received: clipnorm=" + b.clipnorm + ", clipvalue=" + b.clipvalue + ", global_clipnorm="
                    + b.globalClipnorm);
        }
        positiveOrNull("clipnorm", b.clipnorm);
        positiveOrNull("clipvalue", b.clipvalue);
        positiveOrNull("global_clipnorm", b.globalClipnorm);
        if (b.weightDecay != null && !(b.weightDecay >= 0 && Double.isFinite(b.weightDecay))) {
            throw new IllegalArgumentException(name() + ": weight_decay must be >= 0 and finite. Received: weight_decay="
                    + b.weightDecay);
        }
        if (!(b.emaMomentum >= 0 && b.emaMomentum <= 1)) {
            throw new IllegalArgumentException(name() + ": ema_momentum must be in the range [0, 1]. Received: ema_momentum="
                    + b.emaMomentum);
        }
        if (b.emaOverwriteFrequency != null && b.emaOverwriteFrequency < 1) {
            throw new IllegalArgumentException(name() + ": ema_overwrite_frequency must be an integer >= 1 or null."
                    + " Received: ema_overwrite_frequency=" + b.emaOverwriteFrequency);
        }
        this.weightDecay = b.weightDecay;
        this.clipnorm = b.clipnorm;
        this.clipvalue = b.clipvalue;
        this.globalClipnorm = b.globalClipnorm;
        this.useEma = b.useEma;
        this.emaMomentum = b.emaMomentum;
        this.emaOverwriteFrequency = b.emaOverwriteFrequency;
        this.excludedFromWeightDecay = new LinkedHashSet<>(b.excluded);
    }

    private void positiveOrNull(String what, Double v) {
        if (v != null && !(v > 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException(name() + ": " + what + " must be positive and finite. Received: " + what + "=" + v);
        }
    }

    private void checkLearningRate(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(name() + " learning rate must be positive and finite, got " + lr);
        }
    }

    /** The Keras class name, e.g. {@code "Adam"}; also the name {@link Optimizers#get} knows it by. */
    public abstract String name();

    /** Names of the state variables kept for every trainable value, e.g. {@code ["momentum", "velocity"]}. */
    protected List<String> stateNames() {
        return List.of();
    }

    /**
     * The value state variable {@code name} starts at, as Keras's initializer for it: 0 unless an
     * optimizer says otherwise (Adagrad's accumulator starts at {@code initial_accumulator_value}).
     */
    protected float initialValue(String name) {
        return 0f;
    }

    /**
     * How many values state variable {@code name} holds when {@code n} weights are trainable: one per
     * weight, unless the optimizer keeps a single number for the whole model (Nadam's
     * {@code u_product}), which is then a state variable of size 1.
     */
    protected int stateSize(String name, int n) {
        return n;
    }

    /**
     * The optimizer's own update of {@code n} trainable values {@code w} with gradients {@code g}
     * (already clipped), learning rate {@code lr}, for step {@code t} = iterations + 1 (Keras's
     * {@code local_step}). The values are a part of the model's, from value {@code from} on: the
     * update runs in parts on the cores, so it must be elementwise, with its state from
     * {@link #state(String, int) state(name, from)}; what is done once per step goes in
     * {@link #beginStep}.
     */
    protected abstract void update(Tensor w, Tensor g, int from, long n, float lr, long t);

    /** What the optimizer does once per step, before the parts of {@link #update} (nothing by default). */
    protected void beginStep(long t) {}

    /** The optimizer's own arguments with Keras's names (the shared ones are added by {@link #getConfig()}). */
    protected abstract Map<String, Object> ownConfig();

    // ------------------------------------------------------------------ binding

    /**
     * Binds this optimizer to a model's weights: state variables are allocated from
     * {@code workspace}, one value per trainable value ({@link #stateSize}), each filled with its
     * {@link #initialValue}; {@code iterations} restarts at 0. Binding again (a second
     * {@code compile}) resets all state.
     */
    public final void build(Backend backend, ParameterTable table, Workspace workspace) {
        if (backend == null || table == null || workspace == null) throw new IllegalArgumentException("build: null argument");
        int n = (int) Math.max(table.trainableSize(), 1);
        Map<String, Tensor> fresh = new LinkedHashMap<>();
        for (String s : stateNames()) {
            int size = stateSize(s, n);
            Tensor t = workspace.allocate(Shape.of(size));
            float v0 = initialValue(s);
            if (v0 != 0f) for (int i = 0; i < size; i++) t.set(i, v0);
            fresh.put(s, t);
        }
        Tensor avg = null;
        if (useEma) {
            avg = workspace.allocate(Shape.of(n));
            avg.segment().copyFrom(table.values().segment().asSlice(0, n * Tensor.BYTES));
        }
        List<Tensor> dec = new ArrayList<>(), grads = new ArrayList<>();
        for (Variable v : table.trainable()) {
            if (weightDecay != null && usesWeightDecay(v)) dec.add(table.value(v));
            grads.add(table.gradient(v));
        }
        this.backend = backend;
        this.table = table;
        this.state.clear();
        this.state.putAll(fresh);
        this.average = avg;
        this.decayed = dec.toArray(Tensor[]::new);
        this.gradients = grads.toArray(Tensor[]::new);
        this.iterations = 0;
        this.stateCount = stateNames().size();
    }

    /** Biases and weights whose name or path contains an excluded fragment get no weight decay. */
    private boolean usesWeightDecay(Variable v) {
        if (v.name().equals("bias")) return false;
        for (String x : excludedFromWeightDecay) if (v.path().contains(x)) return false;
        return true;
    }

    /** State variable {@code name} from value {@code from} on: its part for an {@link #update} from there. */
    protected final Tensor state(String name, int from) {
        return state(name).fromRow(from, 1);
    }

    /** State variable {@code name} over the whole trainable block. */
    protected final Tensor state(String name) {
        Tensor t = state.get(name);
        if (t == null) throw new IllegalStateException(name() + " has no state variable '" + name + "'");
        return t;
    }

    /**
     * The state variables by name, for saving and tests: each as large as the trainable block,
     * except a scalar state (size 1, see {@link #stateSize}) such as Nadam's {@code u_product}.
     */
    public final Map<String, Tensor> stateVariables() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(state));
    }

    /**
     * How many values of state variable {@code name} are meaningful for the bound model (one per
     * trainable weight, or 1 for a scalar state): what a checkpoint saves and restores.
     */
    public final long stateLength(String name) {
        if (table == null) throw new IllegalStateException(name() + " is not bound to a model");
        state(name);
        return stateSize(name, (int) table.trainableSize());
    }

    /** The moving average of the weights ({@code use_ema}), or null. */
    public final Tensor average() {
        return average;
    }

    public final boolean isBuilt() {
        return table != null;
    }

    // ------------------------------------------------------------------ the step

    // The step being applied in parts (see step()).
    private final Backend.ShardTask updatePart = this::updatePart;
    private Tensor stepW, stepG;
    private float stepLr;
    private long stepT;
    private int stateCount;

    private void updatePart(int s, int from, int to) {
        update(stepW.fromRow(from, 1), stepG.fromRow(from, 1), from, to - from, stepLr, stepT);
    }

    /** One update of the bound model's trainable weights from their gradients (see the class comment). */
    public final void step() {
        if (table == null) {
            throw new IllegalStateException(name() + " is not bound to a model; compile a model with it first");
        }
        long n = table.trainableSize();
        if (n > 0) {
            float lr = (float) learningRate();
            Tensor w = table.values(), g = table.gradients();
            clipGradients();
            for (Tensor v : decayed) backend.weightDecay(v, v.size(), (float) (double) weightDecay, lr);
            long t = iterations + 1;
            beginStep(t);
            if (n <= Integer.MAX_VALUE) {
                // In parts on the cores: an elementwise pass over weights, gradients and each state
                // variable, the same arithmetic however it is split.
                stepW = w;
                stepG = g;
                stepLr = lr;
                stepT = t;
                try {
                    backend.forEachShard((int) n, Backend.memoryPass((int) n, 2 + 2L * stateCount), updatePart);
                } finally {
                    stepW = stepG = null;
                }
            } else {
                update(w, g, 0, n, lr, t);
            }
            if (useEma) {
                backend.movingAverage(average, w, n, iterations == 0 ? 0f : (float) emaMomentum);
                if (emaOverwriteFrequency != null && (iterations + 1) % emaOverwriteFrequency == 0) {
                    java.lang.foreign.MemorySegment.copy(average.segment(), 0, w.segment(), 0, n * Tensor.BYTES);
                }
            }
        }
        iterations++;
    }

    private void clipGradients() {
        if (clipnorm != null) {
            for (Tensor g : gradients) clipToNorm(g, g.size(), Math.sqrt(backend.sumSquares(g, g.size())), clipnorm);
        } else if (globalClipnorm != null) {
            double total = 0;
            for (Tensor g : gradients) total += backend.sumSquares(g, g.size());
            clipToNorm(table.gradients(), table.trainableSize(), Math.sqrt(total), globalClipnorm);
        } else if (clipvalue != null) {
            float c = (float) (double) clipvalue;
            backend.clip(table.gradients(), table.trainableSize(), -c, c);
        }
    }

    /** As Keras's {@code clip_by_norm}: g * c / max(norm, c), which leaves g alone when norm <= c. */
    private void clipToNorm(Tensor g, long n, double norm, double c) {
        if (norm > c) backend.scale(g, n, (float) (c / norm));
    }

    // ------------------------------------------------------------------ learning rate, iterations, config

    /** The learning rate of the next update: the number, or the schedule at {@link #iterations()}. */
    public double learningRate() {
        return schedule != null ? schedule.at(iterations) : learningRate;
    }

    /**
     * Changes the learning rate from the next step on (callbacks such as ReduceLROnPlateau). An
     * optimizer made with a schedule has none to set, as in Keras.
     */
    public void setLearningRate(double lr) {
        if (schedule != null) {
            throw new IllegalStateException(name() + " was made with a learning-rate schedule (" + schedule.name()
                    + "); its learning rate cannot be set. Make it with a number to set it.");
        }
        checkLearningRate(lr);
        this.learningRate = lr;
    }

    /** The schedule, or null when the learning rate is a number. */
    public LearningRateSchedule schedule() {
        return schedule;
    }

    /** How many updates have been applied. */
    public long iterations() {
        return iterations;
    }

    /** Sets the update count (a resumed training run continues its schedule and bias corrections). */
    public void setIterations(long iterations) {
        if (iterations < 0) throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
        this.iterations = iterations;
    }

    public Double weightDecay() {
        return weightDecay;
    }

    public Double clipnorm() {
        return clipnorm;
    }

    public Double clipvalue() {
        return clipvalue;
    }

    public Double globalClipnorm() {
        return globalClipnorm;
    }

    public boolean useEma() {
        return useEma;
    }

    /**
     * Keras's {@code get_config()}: the shared arguments ({@code learning_rate} as a number or a
     * schedule's {@code {"class_name", "config"}}, {@code weight_decay}, the clipping and EMA
     * options, null where unset), then the optimizer's own.
     */
    public final Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name().toLowerCase(java.util.Locale.ROOT));
        if (schedule != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("class_name", schedule.name());
            s.put("config", schedule.getConfig());
            c.put("learning_rate", s);
        } else {
            c.put("learning_rate", asWritten(learningRate));
        }
        c.put("weight_decay", weightDecay == null ? null : asWritten(weightDecay));
        c.put("clipnorm", clipnorm == null ? null : asWritten(clipnorm));
        c.put("global_clipnorm", globalClipnorm == null ? null : asWritten(globalClipnorm));
        c.put("clipvalue", clipvalue == null ? null : asWritten(clipvalue));
        c.put("use_ema", useEma);
        c.put("ema_momentum", asWritten(emaMomentum));
        c.put("ema_overwrite_frequency", emaOverwriteFrequency == null ? null : (long) emaOverwriteFrequency);
        if (!excludedFromWeightDecay.isEmpty()) c.put("exclude_from_weight_decay", List.copyOf(excludedFromWeightDecay));
        c.putAll(ownConfig());
        return c;
    }

    /** A float argument as the user wrote it (0.1, not 0.10000000149011612). */
    protected static double asWritten(double v) {
        return Double.parseDouble(Float.toString((float) v));
    }

    @Override
    public String toString() {
        return name() + getConfig();
    }

    // ------------------------------------------------------------------ builders

    /**
     * The options every optimizer takes, with Keras's names: {@code learningRate},
     * {@code weightDecay}, {@code clipnorm}, {@code clipvalue}, {@code globalClipnorm},
     * {@code useEma}, {@code emaMomentum}, {@code emaOverwriteFrequency},
     * {@code excludeFromWeightDecay}.
     */
    public abstract static class Builder<B extends Builder<B, O>, O extends Optimizer> {
        double learningRate;
        LearningRateSchedule schedule;
        Double weightDecay, clipnorm, clipvalue, globalClipnorm;
        boolean useEma;
        double emaMomentum = 0.99;
        Integer emaOverwriteFrequency;
        final List<String> excluded = new ArrayList<>();

        protected Builder(double defaultLearningRate, Double defaultWeightDecay) {
            this.learningRate = defaultLearningRate;
            this.weightDecay = defaultWeightDecay;
        }

        protected abstract B self();

        public abstract O build();

        public B learningRate(double lr) {
            this.learningRate = lr;
            this.schedule = null;
            return self();
        }

        public B learningRate(LearningRateSchedule s) {
            if (s == null) throw new IllegalArgumentException("learning rate schedule is null");
            this.schedule = s;
            return self();
        }

        public B weightDecay(Double v) {
            this.weightDecay = v;
            return self();
        }

        public B clipnorm(Double v) {
            this.clipnorm = v;
            return self();
        }

        public B clipvalue(Double v) {
            this.clipvalue = v;
            return self();
        }

        public B globalClipnorm(Double v) {
            this.globalClipnorm = v;
            return self();
        }

        public B useEma(boolean v) {
            this.useEma = v;
            return self();
        }

        public B emaMomentum(double v) {
            this.emaMomentum = v;
            return self();
        }

        public B emaOverwriteFrequency(Integer v) {
            this.emaOverwriteFrequency = v;
            return self();
        }

        /** Weights whose path ("dense_1/kernel") contains any of these get no weight decay (biases never do). */
        public B excludeFromWeightDecay(String... names) {
            for (String n : names) {
                if (n == null || n.isEmpty()) throw new IllegalArgumentException("excludeFromWeightDecay: empty name");
                excluded.add(n);
            }
            return self();
        }

        /** Takes the shared arguments from a Keras config map (unknown keys are the caller's). */
        @SuppressWarnings("unchecked")
        public B config(Map<String, Object> c) {
            Object lr = c.get("learning_rate");
            if (lr instanceof Number x) learningRate(x.doubleValue());
            else if (lr instanceof Map<?, ?> m) learningRate(Schedules.fromConfig((Map<String, Object>) m));
            else if (lr != null) throw new IllegalArgumentException("optimizer config: 'learning_rate' must be a number or a schedule, got " + lr);
            // absent keeps the optimizer's default (AdamW's is 0.004); an explicit null is "none"
            if (c.containsKey("weight_decay")) weightDecay = number(c, "weight_decay");
            clipnorm = number(c, "clipnorm");
            clipvalue = number(c, "clipvalue");
            globalClipnorm = number(c, "global_clipnorm");
            if (bool(c, "use_ema") != null) useEma = bool(c, "use_ema");
            if (number(c, "ema_momentum") != null) emaMomentum = number(c, "ema_momentum");
            Double f = number(c, "ema_overwrite_frequency");
            if (f != null) {
                if (f != Math.rint(f) || f < 1 || f > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("optimizer config: 'ema_overwrite_frequency' must be a whole number >= 1, got " + f);
                }
                emaOverwriteFrequency = (int) (double) f;
            }
            if (c.get("exclude_from_weight_decay") instanceof List<?> l) {
                for (Object o : l) excludeFromWeightDecay(String.valueOf(o));
            }
            return self();
        }

        /** A boolean argument, or null when absent; anything else is an error naming the key. */
        protected static Boolean bool(Map<String, Object> c, String key) {
            Object v = c.get(key);
            if (v == null || v instanceof Boolean) return (Boolean) v;
            throw new IllegalArgumentException("optimizer config: '" + key + "' must be true or false, got " + v);
        }

        /** A number argument, or null when absent; anything else is an error naming the key. */
        protected static Double number(Map<String, Object> c, String key) {
            Object v = c.get(key);
            if (v == null) return null;
            if (v instanceof Number x) return x.doubleValue();
            throw new IllegalArgumentException("optimizer config: '" + key + "' must be a number or null, got " + v);
        }
    }
}
