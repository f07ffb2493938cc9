package dev.sinew.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sinew spark-train}: the notebook's MLP on Fashion-MNIST, trained through Apache Spark.
 * Spark is an optional dependency: the launcher puts its jars on the class path for this command
 * only, so this class names no Spark type (picocli reflects on it for every command); the work is
 * in {@link SparkTraining}.
 */
@Command(name = "spark-train", mixinStandardHelpOptions = true,
        description = "Train the notebook's MLP (784-150-150-100-10, SGD 0.1) on Fashion-MNIST over Apache Spark and report"
                + " accuracy and time per epoch.")
final class SparkTrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master URL (default: ${DEFAULT-VALUE})")
    String master;

    @Option(names = "--mode", defaultValue = "exact",
            description = "exact (gradients summed every step: equals single-process fit) or averaging (parameter averaging"
                    + " every --k local steps) (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--k", defaultValue = "10", description = "averaging: local steps between averagings (default: ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--partitions", description = "Partitions of the training data (default: Spark's default parallelism)")
    Integer partitions;

    @Option(names = "--epochs", defaultValue = "30", description = "Epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "100", description = "Global batch size (averaging: each of P partitions trains on a P-th of it per local step) (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Mixin
    SplitOptions split;

    @Option(names = "--compare", description = "Also train the same network with single-process fit and report both")
    boolean compare;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for weights, split and shuffling (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--verbose", defaultValue = "2", description = "0 quiet, 1 progress bar, 2 a line per epoch (default: ${DEFAULT-VALUE})")
    int verbose;

    @Override
    public Integer call() throws Exception {
        if (!mode.equals("exact") && !mode.equals("averaging")) {
            throw new IllegalArgumentException("unknown --mode '" + mode + "'; known: exact, averaging");
        }
        try {
            Class.forName("org.apache.spark.api.java.JavaSparkContext");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Apache Spark is not on the class path; run this command through the launcher,"
                    + " ./sinew spark-train, which adds it (Spark is an optional, provided dependency of Sinew)");
        }
        return SparkTraining.run(this);
    }
}
