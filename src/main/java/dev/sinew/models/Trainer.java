package dev.sinew.models;

import dev.sinew.callbacks.Callback;
import dev.sinew.callbacks.ProgressLogger;
import dev.sinew.callbacks.TerminateOnNaN;
import dev.sinew.data.Dataset;
import dev.sinew.metrics.MetricState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The loop behind {@link Model#fit}: epochs of shuffled mini-batches gathered by index (the
 * data set is never copied whole), running means of loss and metrics as Keras reports them,
 * validation at each epoch's end, callbacks, and the non-finite-loss check. Data comes as one
 * array per model input ({@code xs}) and one per output ({@code ys}): a model of one input and
 * one output has one of each.
 * <p>
 * The same loop drives training whose steps run elsewhere ({@code dev.sinew.spark}): through
 * {@link #fit(Model, int, FitOptions, Steps)} it shuffles, logs, validates and calls back exactly
 * as {@code fit} does, and only the step itself is the caller's.
 */
public final class Trainer {
    private Trainer() {}

    /** What trains one step of an epoch; {@code fit}'s is {@code Model.trainRows} on arrays in memory. */
    public interface Steps {
        /** Steps in an epoch of {@code samples} in batches of {@code batchSize}: fit's ceil(samples / batchSize). */
        default int perEpoch(int samples, int batchSize) {
            return (samples + batchSize - 1) / batchSize;
        }

        /**
         * Trains step {@code step} of {@code epoch}, whose samples are {@code order[from..to)} of
         * this epoch's shuffle (the same order {@code fit} would use with the same seed); adds the
         * predictions it trained on (before the update) to {@code states}, one per metric, and
         * returns the mean loss over the samples it trained.
         */
        float train(int epoch, int step, int[] order, int from, int to, MetricState[] states);

        /** How many samples the last {@link #train} call trained: what its loss weighs in the epoch's mean. */
        default int trained(int from, int to) {
            return to - from;
        }
    }

    /**
     * Trains a model of one output whose {@code samples} live elsewhere: the
     * epochs, shuffles, running logs, validation on {@code options}' validation data (evaluated
     * here, on {@code model}), callbacks and NaN handling of {@code fit}, each step given to
     * {@code steps}. {@code validationSplit} needs the data in memory and is refused.
     */
    public static History fit(Model model, int samples, FitOptions o, Steps steps) {
        if (model == null || o == null || steps == null) throw new IllegalArgumentException("fit: null argument");
        if (samples < 1) throw new IllegalArgumentException("fit: there are no samples to train on, got " + samples);
        if (model.outputCount() != 1) { // the logs' per-output losses come from the model's own steps
            throw new IllegalArgumentException("fit with steps of its own takes a model of one output; model \"" + model.name()
                    + "\" has " + model.outputCount());
        }
        if (o.validationSplit() > 0) {
            throw new IllegalArgumentException("validationSplit takes the last samples of arrays in memory; give validationData instead");
        }
        float[][][][] val = givenValidation(model, o);
        return loop(model, samples, val[0], val[1], o, steps);
    }

    /** The seed of fit's epoch shuffles: the options', or one derived from the model's. */
    public static long shuffleSeed(Model model, FitOptions o) {
        return o.seed() != null ? o.seed() : model.seed() ^ 0x5DEECE66DL;
    }

    /** The validation data given in {@code o} as arrays or lists, checked against the model: {valX, valY}, or nulls. */
    private static float[][][][] givenValidation(Model model, FitOptions o) {
        float[][][] valX = null, valY = null;
        if (o.validationData() != null) {
            valX = new float[][][] {o.validationData().x()};
            valY = new float[][][] {o.validationData().y()};
        }
        if (o.validationArrays() != null) {
            valX = lists(o.validationArrays().x(), model.inputCount(), "validation x", "input");
            valY = lists(o.validationArrays().y(), model.outputCount(), "validation y", "output");
        }
        if (valX != null) model.checkData(valX, valY, "validation x", "validation y");
        return new float[][][][] {valX, valY};
    }

    static History fit(Model model, float[][][] xs, float[][][] ys, FitOptions o) {
        int all = model.checkData(xs, ys, "x", "y");
        float[][][] trainX = xs, trainY = ys;
        float[][][][] given = givenValidation(model, o); // (checkData made xs and ys one per input and output)
        float[][][] valX = given[0], valY = given[1];
        if (o.validationSplit() > 0) {
            // As Keras: the last fraction of the data, before any shuffling.
            int splitAt = (int) (all * (1 - o.validationSplit()));
            if (splitAt < 1 || splitAt >= all) {
                throw new IllegalArgumentException("validationSplit " + o.validationSplit() + " of " + all
                        + " samples leaves " + (splitAt < 1 ? "no training" : "no validation") + " samples");
            }
            trainX = slice(xs, 0, splitAt);
            trainY = slice(ys, 0, splitAt);
            valX = slice(xs, splitAt, all);
            valY = slice(ys, splitAt, all);
            model.checkData(valX, valY, "validation x", "validation y");
        }
        float[][][] tx = trainX, ty = trainY;
        return loop(model, trainX[0].length, valX, valY, o,
                (epoch, step, order, from, to, states) -> model.trainRows(tx, ty, order, from, to, states));
    }

    /** The epochs of n samples, each step trained by {@code train}; validation data (checked) may be null. */
    private static History loop(Model model, int n, float[][][] valX, float[][][] valY, FitOptions o, Steps train) {
        List<Callback> callbacks = new ArrayList<>();
        if (o.verbose() == 1) callbacks.add(new ProgressLogger());
        if (o.verbose() == 2) callbacks.add(new ProgressLogger(System.out, false));
        callbacks.addAll(o.callbacks());

        int steps = train.perEpoch(n, o.batchSize());
        int[] index = new int[n];
        for (int i = 0; i < n; i++) index[i] = i;
        SplittableRandom rng = new SplittableRandom(shuffleSeed(model, o));
        List<String> names = model.metricsNames();
        int lossSlots = model.lossSlots(), outputs = lossSlots - 1; // outputs: per-output losses logged (0 for one output)
        // Keras's stateful metrics: each loss is a batch-size-weighted mean, each metric its own state.
        MetricState[] states = model.newMetricStates();
        double[] outputSums = new double[outputs];
        BatchLogs running = new BatchLogs(names.toArray(String[]::new));
        Map<String, Double> logs = new LinkedHashMap<>();
        History history = new History();

        // The names each epoch's logs will have, so that a callback monitoring a missing one fails now.
        List<String> logKeys = new ArrayList<>(names);
        if (valX != null) for (String k : names) logKeys.add("val_" + k);
        for (Callback c : callbacks) c.checkLogKeys(List.copyOf(logKeys));

        model.setStopTraining(false);
        for (Callback c : callbacks) c.setModel(model);
        for (Callback c : callbacks) c.onTrainBegin(o.epochs(), steps);
        int start = o.initialEpoch();
        for (Callback c : callbacks) start = Math.max(start, c.resumeEpoch());
        // Resuming at epoch k: the shuffles of epochs 0 .. k-1 are replayed (no training), so epoch k
        // sees the order an uninterrupted run would have given it.
        for (int epoch = 0; epoch < start && o.shuffle(); epoch++) Dataset.shuffle(index, rng);
        for (int epoch = start; epoch < o.epochs() && !model.isStopTrainingRequested(); epoch++) {
            if (o.shuffle()) Dataset.shuffle(index, rng);
            for (Callback c : callbacks) c.onEpochBegin(epoch);
            for (MetricState s : states) s.reset();
            java.util.Arrays.fill(outputSums, 0);
            double lossSum = 0;
            int seen = 0;
            boolean diverged = false;
            for (int b = 0; b < steps; b++) {
                int from = b * o.batchSize(), to = Math.min(n, from + o.batchSize());
                float loss = step(train, epoch, b, index, from, to, states);
                if (!Float.isFinite(loss)) {
                    String msg = "loss became " + loss + " at epoch " + (epoch + 1) + "/" + o.epochs() + ", batch "
                            + (b + 1) + "/" + steps + "; training stopped. Try a smaller learning rate, or check the"
                            + " data for extreme values";
                    boolean stop = o.onNaN() == FitOptions.OnNaN.STOP;
                    for (Callback c : callbacks) {
                        if (c instanceof TerminateOnNaN t) {
                            t.onBatchEnd(b, Map.of("loss", (double) loss)); // Keras's message, and the stop
                            stop = true;
                        }
                    }
                    if (!stop) throw new NonFiniteLossException(msg, epoch + 1, b + 1);
                    history.setStopReason(msg);
                    model.setStopTraining(true);
                    diverged = true;
                    break;
                }
                int nb = train.trained(from, to);
                seen += nb;
                lossSum += (double) loss * nb; // weighted by batch size: the last batch may be short
                running.set(0, lossSum / seen);
                for (int j = 0; j < outputs; j++) {
                    outputSums[j] += (double) (float) model.lastOutputLoss(j) * nb;
                    running.set(1 + j, outputSums[j] / seen);
                }
                for (int k = 0; k < states.length; k++) running.set(lossSlots + k, states[k].result());
                for (int c = 0; c < callbacks.size(); c++) callbacks.get(c).onBatchEnd(b, running); // (no iterator per step)
            }
            if (diverged) break;
            logs = new LinkedHashMap<>(running);
            if (valX != null) {
                float[] v = model.evaluate(List.of(valX), List.of(valY), o.batchSize());
                for (int k = 0; k < v.length; k++) logs.put("val_" + names.get(k), (double) v[k]);
            }
            history.append(logs);
            model.setEpoch(epoch + 1);
            for (Callback c : callbacks) c.onEpochEnd(epoch, logs);
        }
        for (Callback c : callbacks) c.onTrainEnd(logs);
        return history;
    }

    /**
     * Calls {@code steps.train} through a method handle that HotSpot's C2 cannot see through, so
     * that compiling this loop does not compile the whole training step into it once more. The
     * step is compiled on its own anyway; inlined here it was compiled twice again (the loop's
     * on-stack-replacement version, then its normal one: 500 inlined methods, 0.6-0.7 s each
     * while the shards kept both cores busy), and W1's epochs in that window ran 0.5-0.7 s
     * instead of 0.33. A call through the handle costs a few nanoseconds a step.
     */
    private static float step(Steps steps, int epoch, int step, int[] order, int from, int to, MetricState[] states) {
        try {
            return (float) STEP.invokeExact(steps, epoch, step, order, from, to, states);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    // Not final: a constant handle would be inlined like the call it replaces.
    private static java.lang.invoke.MethodHandle STEP = stepHandle();

    private static java.lang.invoke.MethodHandle stepHandle() {
        try {
            return java.lang.invoke.MethodHandles.lookup().findVirtual(Steps.class, "train", java.lang.invoke.MethodType.methodType(
                    float.class, int.class, int.class, int[].class, int.class, int.class, MetricState[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Validation arrays given as lists: one per input (or output) of the model. */
    private static float[][][] lists(List<float[][]> arrays, int expected, String what, String per) {
        if (arrays.size() != expected) {
            throw new IllegalArgumentException("the model has " + expected + " " + per + (expected == 1 ? "" : "s") + ", so " + what
                    + " must hold " + expected + " array" + (expected == 1 ? "" : "s") + ", got " + arrays.size());
        }
        return arrays.toArray(float[][][]::new);
    }

    /** Samples [from, to) of every array, sharing rows. */
    private static float[][][] slice(float[][][] arrays, int from, int to) {
        float[][][] out = new float[arrays.length][][];
        for (int k = 0; k < arrays.length; k++) out[k] = java.util.Arrays.copyOfRange(arrays[k], from, to);
        return out;
    }
}
