package dev.sinew.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code fit} returns, as Keras's {@code History}: for each logged name ({@code "loss"},
 * {@code "accuracy"}, {@code "val_loss"}, {@code "val_accuracy"}, ...) its value per epoch.
 */
public final class History {
    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private int epochs;
    private String stopReason;

    void append(Map<String, Double> logs) {
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
        }
        epochs++;
    }

    void setStopReason(String reason) {
        this.stopReason = reason;
    }

    /** The values of {@code key} per epoch; an unknown key is an error listing the known ones. */
    public List<Double> get(String key) {
        List<Double> v = values.get(key);
        if (v == null) throw new IllegalArgumentException("History has no '" + key + "'; it has " + values.keySet());
        return Collections.unmodifiableList(v);
    }

    /** The last epoch's value of {@code key}. */
    public double last(String key) {
        List<Double> v = get(key);
        return v.getLast();
    }

    /** All values, keyed by name, in logging order. */
    public Map<String, List<Double>> asMap() {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    /**
     * Draws the history as a PNG at {@code png}: one panel per quantity (loss, then each metric),
     * training and validation per epoch, as the notebook's plot of {@code history.history}.
     */
    public void plot(Path png) throws IOException {
        plot(png, "");
    }

    /** {@link #plot(Path)} with {@code title} added to each panel's title (e.g. the data set's name). */
    public void plot(Path png, String title) throws IOException {
        if (png == null) throw new IllegalArgumentException("plot: the path is null");
        HistoryChart.write(this, png, title == null ? "" : title);
    }

    /** Epochs completed. */
    public int epochs() {
        return epochs;
    }

    /** Why training ended before its last epoch (a non-finite loss with {@code OnNaN.STOP}), or null. */
    public String stopReason() {
        return stopReason;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof History h && h.values.equals(values) && h.epochs == epochs;
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "History" + values;
    }
}
