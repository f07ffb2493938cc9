package dev.sinew.cli;

import dev.sinew.callbacks.CsvLogger;
import dev.sinew.callbacks.EarlyStopping;
import dev.sinew.data.Splits;
import dev.sinew.data.TrainTest;
import dev.sinew.examples.Networks;
import dev.sinew.models.FitOptions;
import dev.sinew.models.History;
import dev.sinew.models.Model;
import dev.sinew.optimizers.Optimizer;
import dev.sinew.optimizers.Optimizers;
import dev.sinew.optimizers.SGD;
import java.util.Map;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sinew train}: the notebook's classifier on Fashion-MNIST, with validation, early stopping, a saved model and a chart. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the notebook's network (784-150-150-100-10, relu, softmax, SGD; or --model cnn) on Fashion-MNIST.")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", defaultValue = "mlp",
            description = "Network: mlp (784-150-150-100-10), cnn (Conv2D 32 -> pool -> Conv2D 64 -> pool -> Dense 128 -> 10)"
                    + " or resnet (a residual network with BatchNormalization, functional API; see --width)"
                    + " (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--epochs", defaultValue = "30", description = "Epochs at most (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch-size", description = "Batch size (default: 100 for mlp, 64 for cnn, 128 for resnet)")
    Integer batchSize;

    @Option(names = "--optimizer",
            description = "Optimizer by its Keras name: sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, lion"
                    + " (default: sgd; adam for resnet)")
    String optimizer;

    @Option(names = "--width", defaultValue = "16",
            description = "resnet only: filters of the first stage (then 2x and 4x); 16 gives 175k weights (default: ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--lr", description = "Learning rate (default: for sgd 0.1 for mlp and 0.05 for cnn; otherwise Keras's default, e.g. 0.001 for adam)")
    Double lr;

    @Option(names = "--momentum", defaultValue = "0", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    double momentum;

    @Option(names = "--layers", split = ",", defaultValue = "150,150,100",
            description = "Hidden layer sizes of the mlp (default: ${DEFAULT-VALUE})")
    int[] layers;

    @Option(names = "--dropout", defaultValue = "0",
            description = "Dropout rate after each hidden layer (mlp) or before the dense layers (cnn) (default: ${DEFAULT-VALUE})")
    double dropout;

    @Option(names = "--augment", description = "cnn: random rotations, zooms and shifts of the training images; resnet: shifts")
    boolean augment;

    @Mixin
    SplitOptions split;

    @Option(names = "--patience", defaultValue = "5",
            description = "Early stopping: epochs without a better val_accuracy before stopping; 0 = off (default: ${DEFAULT-VALUE})")
    int patience;

    @Option(names = "--output", defaultValue = "sinew-out", description = "Directory for model.zip, history.png, history.csv (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for weights, split and shuffling (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--verbose", defaultValue = "1", description = "0 quiet, 1 progress bar on a terminal, 2 a line per epoch (default: ${DEFAULT-VALUE})")
    int verbose;

    @Override
    public Integer call() throws Exception {
        boolean cnn = switch (model) {
            case "mlp" -> false;
            case "cnn", "resnet" -> true;
            default -> throw new IllegalArgumentException("unknown --model '" + model + "'; known: mlp, cnn, resnet");
        };
        boolean resnet = model.equals("resnet");
        if (optimizer == null) optimizer = resnet ? "adam" : "sgd";
        if (augment && !cnn) throw new IllegalArgumentException("--augment needs --model cnn or resnet (it distorts images)");
        int batch = batchSize != null ? batchSize : resnet ? 128 : cnn ? 64 : 100;
        Optimizer opt = optimizer(cnn);
        TrainTest data = common.load();
        Splits s = split.split(data, seed);

        if (cnn && data.train().features() != 28 * 28) {
            throw new IllegalArgumentException("--model " + model + " takes 28x28 grey images; this data has " + data.train().features()
                    + " values per sample");
        }
        try (Model net = network(data, opt)) {
            System.out.print(net.summary());
            FitOptions.Builder fit = FitOptions.builder().batchSize(batch).epochs(epochs).seed(seed)
                    .validationData(s.validation()).verbose(verbose)
                    .callbacks(new CsvLogger(output.resolve("history.csv")));
            EarlyStopping early = null;
            if (patience > 0) {
                early = new EarlyStopping("val_accuracy", patience, 0, true);
                fit.callbacks(early);
            }
            long start = System.nanoTime();
            History h = net.fit(s.train(), fit.build());
            double seconds = (System.nanoTime() - start) / 1e9;

            float[] test = net.evaluate(s.test(), 1000);
            Path modelFile = output.resolve("model.zip"), chart = output.resolve("history.png");
            net.save(modelFile);
            h.plot(chart, data.source().contains("sample") ? "Fashion-MNIST sample" : "Fashion-MNIST");

            System.out.printf("Trained %d epochs in %.1f s (%.2f s/epoch, validation included)%n", h.epochs(), seconds,
                    seconds / h.epochs());
            if (early != null && early.stoppedEpoch() >= 0) {
                System.out.printf("Early stopping at epoch %d; best val_accuracy %.4f at epoch %d (weights restored)%n",
                        early.stoppedEpoch() + 1, early.best(), early.bestEpoch() + 1);
            } else if (early != null) {
                System.out.printf("No early stop; best val_accuracy %.4f at epoch %d (weights restored)%n", early.best(),
                        early.bestEpoch() + 1);
            }
            System.out.printf("Test: loss %.4f, accuracy %.4f (%d images)%n", test[0], test[1], s.test().size());
            System.out.println("Wrote " + modelFile + ", " + chart + ", " + output.resolve("history.csv"));
        }
        return 0;
    }

    /** The optimizer --optimizer names, with --lr (and, for sgd, --momentum); Keras's defaults otherwise. */
    private Optimizer optimizer(boolean cnn) {
        boolean sgd = optimizer.trim().equalsIgnoreCase("sgd");
        if (sgd) return new SGD(lr != null ? lr : cnn ? 0.05 : 0.1, momentum, false);
        if (momentum != 0) throw new IllegalArgumentException("--momentum is for --optimizer sgd, not " + optimizer);
        try {
            return Optimizers.fromConfig(optimizer, lr == null ? Map.of() : Map.of("learning_rate", lr));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--optimizer " + optimizer + ": " + e.getMessage(), e);
        }
    }

    /**
     * The network the options describe, compiled. One they describe but no model can hold (a
     * layer size of 0, or too large for a tensor) is a bad option like any other: one line that
     * names the options and says what the model refused.
     */
    private Model network(TrainTest data, Optimizer opt) {
        Model net = null;
        try {
            net = switch (model) {
                case "resnet" -> Networks.resnet(data.train().targets(), width, augment, seed);
                case "cnn" -> Networks.cnn(data.train().targets(), dropout, augment, seed);
                default -> Networks.mlp(data.train().features(), layers, data.train().targets(), dropout, seed);
            };
            net.compile("categorical_crossentropy", opt, "accuracy");
            return net;
        } catch (IllegalArgumentException e) {
            if (net != null) net.close();
            String options = model.equals("mlp") ? "--layers " + Arrays.stream(layers).mapToObj(String::valueOf)
                    .collect(Collectors.joining(",")) : "--model " + model + (model.equals("resnet") ? " --width " + width : "");
            if (dropout != 0) options += " --dropout " + dropout;
            throw new IllegalArgumentException(options + ": " + e.getMessage(), e);
        }
    }
}
