package dev.sinew.cli;

import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.data.TrainTest;
import dev.sinew.models.Model;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sinew predict}: a saved model's predictions for the first test images. */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Predict test images with a saved model.")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ModelFileOption saved;

    @Option(names = "--count", defaultValue = "10", description = "How many test images (default: ${DEFAULT-VALUE})")
    int count;

    @Override
    public Integer call() throws Exception {
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1, got " + count);
        TrainTest data = common.load();
        Dataset test = data.test().slice(0, Math.min(count, data.test().size()));
        try (Model net = Model.load(saved.model)) {
            float[][] p = net.predict(test.x(), 1000);
            int[] truth = test.labels();
            int hits = 0;
            System.out.println("  #  predicted        p      true");
            for (int i = 0; i < p.length; i++) {
                int best = 0;
                for (int c = 1; c < p[i].length; c++) if (p[i][c] > p[i][best]) best = c;
                hits += best == truth[i] ? 1 : 0;
                System.out.printf("%3d  %-12s %6.3f   %-12s%s%n", i, name(best), p[i][best], name(truth[i]),
                        best == truth[i] ? "" : "  <- wrong");
            }
            System.out.printf("%d of %d correct%n", hits, p.length);
        }
        return 0;
    }

    private static String name(int c) {
        return c < Datasets.FASHION_MNIST_CLASSES.length ? Datasets.FASHION_MNIST_CLASSES[c] : "class " + c;
    }
}
