package dev.sinew.cli;

import dev.sinew.backend.NativeBackend;
import dev.sinew.examples.Regression;
import dev.sinew.nativ.NativeLibraries;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sinew regress}: the notebook's first program (see {@link Regression}). */
@Command(name = "regress", mixinStandardHelpOptions = true,
        description = "Train 2-150-150-100-1 (relu, MSE, SGD 0.1, batch 20) on a smooth function of two inputs.")
final class RegressCommand implements Callable<Integer> {
    @Option(names = "--batches", defaultValue = "200", description = "Training batches (default: ${DEFAULT-VALUE})")
    int batches;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "threads to compute on (default: one per core)")
    Integer threads;

    @Override
    public Integer call() {
        NativeBackend.get();
        if (threads != null) NativeBackend.setThreads(threads);
        System.out.println("OpenBLAS: " + NativeLibraries.openblasSource() + "; " + NativeBackend.threads() + " thread(s)");
        Regression.report(Regression.run(batches, seed, 10, System.out), System.out);
        return 0;
    }
}
