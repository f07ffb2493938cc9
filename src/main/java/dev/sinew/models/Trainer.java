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
 */
final class Trainer {
    private Trainer() {}

    static History fit(Model model, float[][][] xs, float[][][] ys, FitOptions o) {
        int all = model.checkData(xs, ys, "x", "y");
        float[][][] trainX = xs, trainY = ys, valX = null, valY = null;
        if (o.validationData() != null) {
            valX = new float[][][] {o.validationData().x()};
            valY = new float[][][] {o.validationData().y()};
        }
        if (o.validationArrays() != null) {
            valX = lists(o.validationArrays().x(), xs.length, "validation x", "input");
            valY = lists(o.validationArrays().y(), ys.length, "validation y", "output");
        }
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
        }
        if (valX != null) model.checkData(valX, valY, "validation x", "validation y");

        List<Callback> callbacks = new ArrayList<>();
        if (o.verbose() == 1) callbacks.add(new ProgressLogger());
        if (o.verbose() == 2) callbacks.add(new ProgressLogger(System.out, false));
        callbacks.addAll(o.callbacks());

        int n = trainX[0].length;
        int steps = (n + o.batchSize() - 1) / o.batchSize();
        int[] index = new int[n];
        for (int i = 0; i < n; i++) index[i] = i;
        SplittableRandom rng = new SplittableRandom(o.seed() != null ? o.seed() : model.seed() ^ 0x5DEECE66DL);
        List<String> names = model.metricsNames();
        int lossSlots = model.lossSlots(), outputs = lossSlots - 1; // outputs: per-output losses logged (0 for one output)
        // Keras's stateful metrics: each loss is a batch-size-weighted mean, each metric its own state.
        MetricState[] states = model.newMetricStates();
        double[] outputSums = new double[outputs];
        Map<String, Double> running = new LinkedHashMap<>();
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
                float loss = model.trainRows(trainX, trainY, index, from, to, states);
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
                int nb = to - from;
                seen += nb;
                lossSum += (double) loss * nb; // weighted by batch size: the last batch may be short
                running.clear();
                running.put(names.get(0), lossSum / seen);
                for (int j = 0; j < outputs; j++) {
                    outputSums[j] += (double) (float) model.lastOutputLoss(j) * nb;
                    running.put(names.get(1 + j), outputSums[j] / seen);
                }
                for (int k = 0; k < states.length; k++) running.put(names.get(lossSlots + k), states[k].result());
                for (Callback c : callbacks) c.onBatchEnd(b, running);
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
