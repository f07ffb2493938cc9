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
 * validation at each epoch's end, callbacks, and the non-finite-loss check.
 */
final class Trainer {
    private Trainer() {}

    static History fit(Model model, float[][] x, float[][] y, FitOptions o) {
        Dataset all = model.checkData(x, y, "x", "y");
        Dataset train = all, validation = o.validationData();
        if (o.validationSplit() > 0) {
            // As Keras: the last fraction of the data, before any shuffling.
            int splitAt = (int) (all.size() * (1 - o.validationSplit()));
            if (splitAt < 1 || splitAt >= all.size()) {
                throw new IllegalArgumentException("validationSplit " + o.validationSplit() + " of " + all.size()
                        + " samples leaves " + (splitAt < 1 ? "no training" : "no validation") + " samples");
            }
            train = all.slice(0, splitAt);
            validation = all.slice(splitAt, all.size());
        }
        if (validation != null) model.checkData(validation.x(), validation.y(), "validation x", "validation y");

        List<Callback> callbacks = new ArrayList<>();
        if (o.verbose() == 1) callbacks.add(new ProgressLogger());
        if (o.verbose() == 2) callbacks.add(new ProgressLogger(System.out, false));
        callbacks.addAll(o.callbacks());

        int n = train.size();
        int steps = (n + o.batchSize() - 1) / o.batchSize();
        int[] index = new int[n];
        for (int i = 0; i < n; i++) index[i] = i;
        SplittableRandom rng = new SplittableRandom(o.seed() != null ? o.seed() : model.seed() ^ 0x5DEECE66DL);
        List<String> names = model.metricsNames();
        // Keras's stateful metrics: the loss is a batch-size-weighted mean, each metric its own state.
        MetricState[] states = model.newMetricStates();
        Map<String, Double> running = new LinkedHashMap<>();
        Map<String, Double> logs = new LinkedHashMap<>();
        History history = new History();

        // The names each epoch's logs will have, so that a callback monitoring a missing one fails now.
        List<String> logKeys = new ArrayList<>(names);
        if (validation != null) for (String k : names) logKeys.add("val_" + k);
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
            double lossSum = 0;
            int seen = 0;
            boolean diverged = false;
            for (int b = 0; b < steps; b++) {
                int from = b * o.batchSize(), to = Math.min(n, from + o.batchSize());
                float loss = model.trainRows(train.x(), train.y(), index, from, to, states);
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
                for (int k = 0; k < states.length; k++) running.put(names.get(k + 1), states[k].result());
                for (Callback c : callbacks) c.onBatchEnd(b, running);
            }
            if (diverged) break;
            logs = new LinkedHashMap<>(running);
            if (validation != null) {
                float[] v = model.evaluate(validation.x(), validation.y(), o.batchSize());
                for (int k = 0; k < v.length; k++) logs.put("val_" + names.get(k), (double) v[k]);
            }
            history.append(logs);
            model.setEpoch(epoch + 1);
            for (Callback c : callbacks) c.onEpochEnd(epoch, logs);
        }
        for (Callback c : callbacks) c.onTrainEnd(logs);
        return history;
    }
}
