package dev.sinew.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sinew} command: {@code train} (the main job), {@code spark-train} (the notebook's MLP
 * on Apache Spark), {@code evaluate}, {@code predict}, {@code regress} (the notebook's first
 * program) and {@code info}. Run through the launcher:
 * {@code ./sinew train --help}.
 */
@Command(name = "sinew", mixinStandardHelpOptions = true, version = "Sinew 0.1.0",
        description = "Keras-style neural networks for Java, on OpenBLAS through FFM.",
        subcommands = {TrainCommand.class, SparkTrainCommand.class, EvaluateCommand.class, PredictCommand.class, RegressCommand.class,
            InfoCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line; returns the exit code (0 success, 1 failure, 2 usage error). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        // Our own errors are written for people: print the message, not a stack trace.
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException || e instanceof IOException
                    || e instanceof UncheckedIOException) {
                cmd.getErr().println("sinew " + cmd.getCommandName() + ": " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl.execute(args);
    }
}
