package dev.sinew.cli;

import dev.sinew.data.TrainTest;
import dev.sinew.models.Model;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sinew evaluate}: a saved model's loss and metrics on the test images. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Evaluate a saved model on the test set.")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ModelFileOption saved;

    @Override
    public Integer call() throws Exception {
        TrainTest data = common.load();
        try (Model net = Model.load(saved.model)) {
            float[] r = net.evaluate(data.test(), 1000);
            StringBuilder line = new StringBuilder("Test (" + data.test().size() + " images from " + data.source() + "):");
            for (int i = 0; i < r.length; i++) line.append(String.format(" %s %.4f", net.metricsNames().get(i), r[i]));
            System.out.println(line);
        }
        return 0;
    }
}
