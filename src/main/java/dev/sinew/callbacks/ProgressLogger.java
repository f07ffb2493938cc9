package dev.sinew.callbacks;

import java.io.PrintStream;
import java.util.Map;

/**
 * Keras-style progress output. At the end of every epoch one line:
 * {@code Epoch 3/30 - 450/450 - 1.2s - 2.6ms/step - loss: 0.4123 - accuracy: 0.8511 - val_loss: ...}.
 * With {@code live} (the default when the output is a terminal), a bar redrawn in place during
 * the epoch, at most ten times a second.
 */
public final class ProgressLogger implements Callback {
    private final PrintStream out;
    private final boolean live;
    private int epochs, steps, epoch;
    private long epochStart, lastDraw;

    /** Progress to standard output, with a live bar when it is a terminal. */
    public ProgressLogger() {
        this(System.out, System.console() != null && System.console().isTerminal());
    }

    public ProgressLogger(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    @Override
    public void onTrainBegin(int epochs, int stepsPerEpoch) {
        this.epochs = epochs;
        this.steps = stepsPerEpoch;
    }

    @Override
    public void onEpochBegin(int epoch) {
        this.epoch = epoch;
        epochStart = lastDraw = System.nanoTime();
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        if (!live) return;
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && batch + 1 < steps) return;
        lastDraw = now;
        int width = 30, done = (int) ((long) width * (batch + 1) / steps);
        String bar = "=".repeat(Math.max(0, done - 1)) + (done > 0 ? (done == width ? "=" : ">") : "") + ".".repeat(width - done);
        out.print("\rEpoch " + (epoch + 1) + "/" + epochs + " " + (batch + 1) + "/" + steps + " [" + bar + "]"
                + format(logs) + "\u001b[K");
        out.flush();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        String line = String.format("Epoch %d/%d - %d/%d - %.1fs - %.1fms/step%s", epoch + 1, epochs, steps, steps,
                seconds, 1000 * seconds / Math.max(steps, 1), format(logs));
        out.print(live ? "\r" + line + "\u001b[K\n" : line + "\n");
        out.flush();
    }

    private static String format(Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            sb.append(" - ").append(e.getKey()).append(": ").append(String.format("%.4f", e.getValue()));
        }
        return sb.toString();
    }
}
