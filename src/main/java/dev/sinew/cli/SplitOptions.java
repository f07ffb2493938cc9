package dev.sinew.cli;

import dev.sinew.data.Splits;
import dev.sinew.data.TrainTest;
import picocli.CommandLine.Option;

/** How the training commands split the training file: training and validation samples (the test file is the test set). */
final class SplitOptions {
    @Option(names = "--train-size", defaultValue = "45000",
            description = "Training samples taken from the training file (default: ${DEFAULT-VALUE}; fewer if the file has fewer)")
    int trainSize;

    @Option(names = "--validation-size", defaultValue = "5000",
            description = "Validation samples (default: ${DEFAULT-VALUE}, at most a tenth of the training file)")
    int validationSize;

    /** The splits of {@code data} these options ask for, shrunk to what the file has; printed with where the data came from. */
    Splits split(TrainTest data, long seed) {
        int available = data.train().size();
        int validation = Math.min(validationSize, available / 10);
        int train = Math.min(trainSize, available - validation);
        Splits s = data.splits(train, validation, seed);
        System.out.println("Data: " + data.source() + " -> " + s);
        return s;
    }
}
