package dev.sinew.benchmarks;

import dev.sinew.backend.NativeBackend;
import dev.sinew.examples.Networks;
import dev.sinew.examples.Regression;
import dev.sinew.models.Sequential;
import dev.sinew.tensor.Workspace;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Issue 9, B4: does a long run hold its memory flat, and what does concurrent inference give?
 * <ol>
 *   <li>W4's regression network (2-150-150-100-1, batch 20): {@code regressSteps} training steps
 *       (default 1,000,000);</li>
 *   <li>the notebook MLP (784-150-150-100-10, batch 100, random data): {@code mlpSteps} steps
 *       (default 100,000);</li>
 *   <li>predictOnBatch of 100 images on one model from 1 and then 2 threads, images per second,
 *       every result compared bit for bit with the single-threaded one.</li>
 * </ol>
 * Along the way it samples the process's resident set (VmRSS), the JVM's Native Memory Tracking
 * "Other" (where arenas are malloc'ed; run with -XX:NativeMemoryTracking=summary), Sinew's own
 * count of live off-heap bytes and the heap in use. Arguments: [regressSteps] [mlpSteps] [seconds
 * per inference run].
 */
public final class Soak {
    public static void main(String[] args) throws Exception {
        long regressSteps = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long mlpSteps = args.length > 1 ? Long.parseLong(args[1]) : 100_000;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 10;
        NativeBackend.get();
        System.out.printf(Locale.ROOT, "threads %d; start: %s%n", NativeBackend.threads(), sample());

        try (Sequential net = Networks.regression(1)) {
            Regression gen = new Regression(1);
            float[][][][] batches = new float[1000][][][];
            for (int i = 0; i < batches.length; i++) batches[i] = gen.makeBatch();
            long t = System.nanoTime();
            for (long s = 1; s <= regressSteps; s++) {
                float[][][] b = batches[(int) (s % batches.length)];
                net.trainOnBatch(b[0], b[1]);
                if (s % (regressSteps / 10) == 0) {
                    System.out.printf(Locale.ROOT, "regression step %,d (%.1f us/step): %s%n", s,
                            (System.nanoTime() - t) / 1e3 / s, sample());
                }
            }
        }

        try (Sequential mlp = Networks.notebookMlp(1)) {
            SplittableRandom rng = new SplittableRandom(2);
            float[][] x = new float[6000][784];
            float[][] y = new float[6000][10];
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < 784; j++) x[i][j] = (float) rng.nextDouble();
                y[i][rng.nextInt(10)] = 1;
            }
            float[][][] xb = new float[60][][], yb = new float[60][][];
            for (int b = 0; b < 60; b++) {
                xb[b] = Arrays.copyOfRange(x, b * 100, b * 100 + 100);
                yb[b] = Arrays.copyOfRange(y, b * 100, b * 100 + 100);
            }
            long t = System.nanoTime();
            for (long s = 1; s <= mlpSteps; s++) {
                mlp.trainOnBatch(xb[(int) (s % 60)], yb[(int) (s % 60)]);
                if (s % (mlpSteps / 10) == 0) {
                    System.out.printf(Locale.ROOT, "MLP step %,d (%.0f us/step): %s%n", s,
                            (System.nanoTime() - t) / 1e3 / s, sample());
                }
            }

            float[][] q = xb[0];
            float[][] expected = mlp.predictOnBatch(q);
            for (int threads : new int[] {1, 2}) {
                AtomicLong images = new AtomicLong(), mismatches = new AtomicLong();
                long end = System.nanoTime() + (long) (seconds * 1e9);
                List<Thread> ts = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int k = 0; k < threads; k++) {
                    Thread th = new Thread(() -> {
                        for (int i = 0; i < 200; i++) mlp.predictOnBatch(q); // warm-up
                        while (System.nanoTime() < end) {
                            if (!Arrays.deepEquals(expected, mlp.predictOnBatch(q))) mismatches.incrementAndGet();
                            images.addAndGet(q.length);
                        }
                    });
                    ts.add(th);
                    th.start();
                }
                for (Thread th : ts) th.join();
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "predictOnBatch(100) on %d thread(s): %,.0f images/s, %d of %,d results"
                        + " differ from the single-threaded one; %s%n", threads, images.get() / s, mismatches.get(),
                        images.get() / 100, sample());
            }
        }
        System.out.printf(Locale.ROOT, "end (models closed): %s%n", sample());
    }

    static String sample() throws Exception {
        long rss = -1;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D", ""));
        }
        Runtime r = Runtime.getRuntime();
        return String.format(Locale.ROOT, "RSS %,d KB, NMT Other %s KB, Sinew off-heap %,d B, heap used %,d KB", rss,
                nmtOtherKb(), Workspace.liveBytes(), (r.totalMemory() - r.freeMemory()) >> 10);
    }

    static String nmtOtherKb() {
        try {
            String out = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            Matcher m = Pattern.compile("-\\s+Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)").matcher(out);
            return m.find() ? String.format(Locale.ROOT, "%,d", Long.parseLong(m.group(2))) : "n/a";
        } catch (Exception e) {
            return "n/a";
        }
    }
}
