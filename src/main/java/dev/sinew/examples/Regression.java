package dev.sinew.examples;

import dev.sinew.models.Sequential;
import java.io.PrintStream;
import java.util.SplittableRandom;

/**
 * The notebook's first program: a network 2 -> 150 -> 150 -> 100 -> 1 (relu everywhere) learns a
 * smooth function of two inputs from random batches, with mean squared error and SGD(0.1).
 *
 * <p>The target is a bump, {@code f(x0, x1) = exp(-2 (x0^2 + x1^2)) * (1 + 0.5 sin(3 x0))}, sampled
 * on [-1, 1]^2. Run it with {@code ./sinew regress}.
 */
public final class Regression {
    public static final int BATCH_SIZE = 20;

    private final SplittableRandom rng;

    public Regression(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    /** The function the network learns. */
    public static float target(float x0, float x1) {
        return (float) (Math.exp(-2 * (x0 * x0 + x1 * x1)) * (1 + 0.5 * Math.sin(3 * x0)));
    }

    /** One batch: inputs uniform in [-1, 1]^2, targets {@link #target}. Returns {x, y}. */
    public float[][][] makeBatch() {
        float[][] x = new float[BATCH_SIZE][2];
        float[][] y = new float[BATCH_SIZE][1];
        for (int i = 0; i < BATCH_SIZE; i++) {
            x[i][0] = (float) rng.nextDouble(-1, 1);
            x[i][1] = (float) rng.nextDouble(-1, 1);
            y[i][0] = target(x[i][0], x[i][1]);
        }
        return new float[][][] {x, y};
    }

    /** The result of a run: the cost of every batch, and the last batch's predictions. */
    public record Result(float[] costs, float[][] lastInputs, float[][] lastTargets, float[][] lastPredictions) {
        public float first() {
            return costs[0];
        }

        public float last() {
            return costs[costs.length - 1];
        }
    }

    /** Trains for {@code batches} steps, printing every {@code every}-th cost to {@code out} (may be null). */
    public static Result run(int batches, long seed, int every, PrintStream out) {
        if (batches < 1) throw new IllegalArgumentException("batches must be at least 1, got " + batches);
        Regression data = new Regression(seed);
        try (Sequential net = Networks.regression(seed)) {
            if (out != null) out.print(net.summary());
            float[] costs = new float[batches];
            float[][][] batch = null;
            for (int k = 0; k < batches; k++) {
                batch = data.makeBatch();
                costs[k] = net.trainOnBatch(batch[0], batch[1])[0];
                if (out != null && (k % every == 0 || k == batches - 1)) {
                    out.printf("batch %4d  cost %.6f%n", k + 1, costs[k]);
                }
            }
            float[][] pred = net.predictOnBatch(batch[0]);
            return new Result(costs, batch[0], batch[1], pred);
        }
    }

    public static void main(String[] args) {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        report(run(batches, 1, 10, System.out), System.out);
    }

    /** Prints the last batch's predictions next to the targets, and first vs last cost. */
    public static void report(Result r, PrintStream out) {
        out.println();
        out.println("predictOnBatch on the last batch:");
        out.println("      x0       x1    target  predicted");
        for (int i = 0; i < r.lastInputs().length; i++) {
            out.printf("%8.3f %8.3f %9.4f %10.4f%n", r.lastInputs()[i][0], r.lastInputs()[i][1],
                    r.lastTargets()[i][0], r.lastPredictions()[i][0]);
        }
        out.printf("%nfirst cost %.6f, last cost %.6f (ratio %.3f)%n", r.first(), r.last(), r.last() / r.first());
    }
}
