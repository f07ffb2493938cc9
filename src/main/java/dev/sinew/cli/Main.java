package dev.sinew.cli;

import dev.sinew.backend.NativeBackend;
import dev.sinew.examples.Regression;
import dev.sinew.nativ.NativeLibraries;
import dev.sinew.tensor.Tensor;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code sinew} command. Subcommands:
 * <ul>
 *   <li>{@code regress [--batches N] [--seed S] [--threads T]}: the notebook's first program;</li>
 *   <li>{@code info}: which native libraries were loaded, and from where.</li>
 * </ul>
 */
public final class Main {
    private static final String USAGE = """
            usage: sinew <command> [options]
              regress [--batches N] [--seed S] [--threads T]   train 2-150-150-100-1 on a smooth function
              info                                             show the native libraries in use
            """;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the process exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            return switch (args[0]) {
                case "regress" -> regress(rest, out);
                case "info" -> info(out);
                default -> {
                    err.print("sinew: unknown command '" + args[0] + "'\n" + USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("sinew: " + e.getMessage());
            return 1;
        }
    }

    private static int regress(String[] args, PrintStream out) {
        int batches = 200;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--batches" -> batches = parseInt("--batches", value);
                case "--seed" -> seed = parseInt("--seed", value);
                case "--threads" -> { NativeBackend.get(); NativeBackend.setThreads(parseInt("--threads", value)); }
                default -> throw new IllegalArgumentException("regress: unknown option '" + args[i] + "'");
            }
            i++;
        }
        NativeBackend.get();
        out.println("OpenBLAS: " + NativeLibraries.openblasSource() + ", " + NativeBackend.threads() + " thread(s)");
        Regression.Result r = Regression.run(batches, seed, 10, out);
        Regression.report(r, out);
        return 0;
    }

    private static int info(PrintStream out) {
        NativeBackend.get();
        out.println("platform:  " + NativeLibraries.platform());
        out.println("OpenBLAS:  " + NativeLibraries.openblasSource());
        out.println("           " + NativeBackend.openblasConfig() + ", " + NativeBackend.threads() + " thread(s)");
        out.println("libsinew:  " + NativeLibraries.sinewSource());
        out.println("sgemm self-check: " + sgemmSelfCheck());
        out.println("java:      " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
        return 0;
    }

    /** [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]] through the loaded OpenBLAS. */
    private static String sgemmSelfCheck() {
        try (Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
                Tensor b = Tensor.of(new float[] {5, 6, 7, 8}, 2, 2);
                Tensor c = Tensor.zeros(2, 2)) {
            NativeBackend.get().gemm(false, false, 2, 2, 2, 1f, a, b, 0f, c);
            float[] got = c.toArray();
            return Arrays.equals(got, new float[] {19, 22, 43, 50}) ? "ok" : "WRONG " + Arrays.toString(got);
        }
    }

    private static int parseInt(String option, String value) {
        if (value == null) throw new IllegalArgumentException(option + " needs a value");
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects a whole number, got '" + value + "'");
        }
    }
}
