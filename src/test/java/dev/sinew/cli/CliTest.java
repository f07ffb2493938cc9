package dev.sinew.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.models.Sequential;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line end to end on the bundled sample: train writes model, chart and CSV and reports
 * a test accuracy that the saved model reproduces in-process; evaluate and predict print what the
 * saved model computes; bad options fail with one line naming the option.
 */
class CliTest {
    /** What a command returned and printed. */
    record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    /** Runs a command with standard output and error captured (and echoed, for the test log). */
    static Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
                PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            System.setOut(po);
            System.setErr(pe);
            code = Main.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        Run r = new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        System.out.println("$ sinew " + String.join(" ", args) + "  -> exit " + code + "\n" + r.out() + r.err());
        return r;
    }

    /** The number that group 1 of {@code regex} captures in {@code text}, e.g. 0.7710 from "accuracy 0.7710". */
    static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for /" + regex + "/ in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    /** The saved model's [loss, accuracy] on the sample's test images, computed here, not by the CLI. */
    static float[] evaluateInProcess(Path model) throws Exception {
        try (Sequential net = Sequential.load(model)) {
            return net.evaluate(Datasets.fashionMnistSample().test(), 1000);
        }
    }

    /** The evaluate command's loss and accuracy are the saved model's, to the 4 decimals printed. */
    static void evaluatePrintsTheSavedModelsScores(Path model, double trainedAccuracy) throws Exception {
        Run ev = run("evaluate", "--sample", "--model", model.toString());
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.out().startsWith("Test (1000 images from bundled"), ev.out());
        float[] expected = evaluateInProcess(model);
        assertEquals(expected[0], number(ev.out(), " loss (\\d+\\.\\d{4})"), 0.00005, "loss");
        assertEquals(expected[1], number(ev.out(), " accuracy (\\d+\\.\\d{4})"), 0.00005, "accuracy");
        // train evaluated the same weights on the same images before saving them
        assertEquals(trainedAccuracy, number(ev.out(), " accuracy (\\d+\\.\\d{4})"), 0.0, "train's Test: accuracy");
    }

    @Test
    void trainEvaluatePredict(@TempDir Path out) throws Exception {
        Run train = run("train", "--sample", "--epochs", "3", "--verbose", "0", "--output", out.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().startsWith("Data: bundled Fashion-MNIST sample -> train 2700 / validation 300 / test 1000\n"),
                "says which data it used:\n" + train.out());
        assertTrue(train.out().contains("Total params: 156,510"), "784-150-150-100-10 summary:\n" + train.out());
        assertTrue(train.out().contains("Trained 3 epochs"), train.out());
        double trainedAccuracy = number(train.out(), "Test: loss \\d+\\.\\d{4}, accuracy (\\d+\\.\\d{4}) \\(1000 images\\)");
        assertTrue(trainedAccuracy > 0.5, "3 epochs on 2,700 images beat chance by far: " + trainedAccuracy);

        Path model = out.resolve("model.zip"), chart = out.resolve("history.png"), csv = out.resolve("history.csv");
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(model.toFile())) {
            assertEquals(8, zip.stream().filter(e -> e.getName().endsWith(".npy")).count(), "kernel and bias of 4 layers");
        }
        BufferedImage png = ImageIO.read(chart.toFile());
        assertTrue(png.getWidth() >= 1000 && png.getHeight() >= 300, "a two-panel chart");
        assertEquals(4, Files.readAllLines(csv).size(), "header + 3 epochs");

        evaluatePrintsTheSavedModelsScores(model, trainedAccuracy);

        // predict: a header, one line per image with the predicted class, its probability and the
        // true class, then the count correct; every figure as the saved model gives it in-process.
        Run predict = run("predict", "--sample", "--model", model.toString(), "--count", "5");
        assertEquals(0, predict.code(), predict.err());
        List<String> lines = predict.out().lines().toList();
        assertEquals(1 + 5 + 1, lines.size(), predict.out());
        Dataset first = Datasets.fashionMnistSample().test().slice(0, 5);
        int[] truth = first.labels();
        int hits = 0;
        try (Sequential net = Sequential.load(model)) {
            float[][] p = net.predict(first.x(), 1000);
            for (int i = 0; i < 5; i++) {
                int best = 0;
                for (int c = 1; c < 10; c++) if (p[i][c] > p[i][best]) best = c;
                hits += best == truth[i] ? 1 : 0;
                String line = lines.get(1 + i), predicted = Datasets.FASHION_MNIST_CLASSES[best];
                assertTrue(line.startsWith(String.format("%3d  %s ", i, predicted)), "image " + i + " predicted " + predicted + ": " + line);
                assertTrue(line.contains(String.format(" %.3f   %s", p[i][best], Datasets.FASHION_MNIST_CLASSES[truth[i]])),
                        "image " + i + ": p " + p[i][best] + ", true " + Datasets.FASHION_MNIST_CLASSES[truth[i]] + ": " + line);
                assertEquals(best != truth[i], line.endsWith("<- wrong"), line);
            }
        }
        assertEquals(hits + " of 5 correct", lines.get(6));
    }

    @Test
    void trainResnet(@TempDir Path out) throws Exception {
        Run train = run("train", "--sample", "--model", "resnet", "--width", "4", "--augment", "--epochs", "2", "--train-size", "512",
                "--validation-size", "128", "--verbose", "0", "--output", out.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("Connected to") && train.out().contains("batch_normalization")
                && train.out().contains("add (Add)"), "a functional summary:\n" + train.out());
        assertTrue(train.out().contains("Trained 2 epochs"), train.out());
        try (dev.sinew.models.Model net = dev.sinew.models.Model.load(out.resolve("model.zip"))) {
            assertEquals(10, net.predict(Datasets.fashionMnistSample().test().slice(0, 3).x())[0].length);
            Run evaluate = run("evaluate", "--sample", "--model", out.resolve("model.zip").toString());
            assertEquals(0, evaluate.code(), evaluate.err());
        }
    }

    @Test
    void trainCnnWithAugmentation(@TempDir Path out) throws Exception {
        Run train = run("train", "--sample", "--model", "cnn", "--augment", "--dropout", "0.25", "--epochs", "1",
                "--train-size", "600", "--verbose", "0", "--output", out.toString());
        assertEquals(0, train.code(), train.err());
        for (String layer : List.of("(RandomRotation)", "(RandomZoom)", "(RandomTranslation)", "(Conv2D)", "(MaxPooling2D)",
                "(Dropout)", "Total params: 225,034")) {
            assertTrue(train.out().contains(layer), layer + " in the summary:\n" + train.out());
        }
        assertTrue(train.out().contains("train 600 / validation 300"), train.out());
        assertTrue(train.out().contains("Trained 1 epochs"), train.out());
        double trainedAccuracy = number(train.out(), "Test: loss \\d+\\.\\d{4}, accuracy (\\d+\\.\\d{4}) \\(1000 images\\)");
        evaluatePrintsTheSavedModelsScores(out.resolve("model.zip"), trainedAccuracy);

        Run mlp = run("train", "--sample", "--augment", "--output", out.toString());
        assertEquals(1, mlp.code());
        assertEquals(List.of("sinew train: --augment needs --model cnn or resnet (it distorts images)"), mlp.errLines());
    }

    @Test
    void badOptionsFailWithAMessage(@TempDir Path out) {
        Run r = run("train", "--sample", "--model", "transformer", "--output", out.toString());
        assertEquals(1, r.code());
        assertEquals(List.of("sinew train: unknown --model 'transformer'; known: mlp, cnn, resnet"), r.errLines());

        r = run("evaluate", "--sample", "--model", out.resolve("none.zip").toString());
        assertEquals(1, r.code());
        assertEquals(List.of("sinew evaluate: no model file at " + out.resolve("none.zip")), r.errLines());

        r = run("predict", "--sample", "--count", "0");
        assertEquals(1, r.code());
        assertEquals(List.of("sinew predict: --count must be at least 1, got 0"), r.errLines());

        // Values picocli cannot parse: its message first, then the usage.
        r = run("train", "--epochs", "many");
        assertEquals(2, r.code());
        assertEquals("Invalid value for option '--epochs': 'many' is not an int", r.errLines().getFirst());
        assertTrue(r.err().contains("Usage: sinew train"), r.err());

        r = run("frobnicate");
        assertEquals(2, r.code());
        assertEquals("Unmatched argument at index 0: 'frobnicate'", r.errLines().getFirst());
    }

    /** A network the options describe but no tensor can hold: one line naming the options, no stack trace. */
    @Test
    void trainWithAnyOptimizerByName(@TempDir Path out) throws Exception {
        Run r = run("train", "--sample", "--optimizer", "adam", "--epochs", "2", "--verbose", "0", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        try (Sequential net = Sequential.load(out.resolve("model.zip"))) {
            assertEquals("Adam", net.optimizer().name());
            assertEquals(0.001, net.optimizer().learningRate(), 1e-9, "Keras's default learning rate for adam");
            assertTrue(net.optimizer().iterations() > 0, "the saved model carries its optimizer's iterations");
        }
        r = run("train", "--sample", "--optimizer", "rmsprop", "--lr", "0.002", "--epochs", "1", "--verbose", "0", "--output",
                out.toString());
        assertEquals(0, r.code(), r.err());
        try (Sequential net = Sequential.load(out.resolve("model.zip"))) {
            assertEquals("RMSprop", net.optimizer().name());
            assertEquals(0.002, net.optimizer().learningRate(), 1e-9);
        }
        r = run("train", "--sample", "--optimizer", "adamm", "--output", out.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("sinew train: --optimizer adamm: Unknown optimizer 'adamm'. Known: sgd, adam"), r.err());
        r = run("train", "--sample", "--optimizer", "adam", "--momentum", "0.9", "--output", out.toString());
        assertEquals(List.of("sinew train: --momentum is for --optimizer sgd, not adam"), r.errLines());
    }

    @Test
    void aModelTheOptionsCannotBuildFailsWithOneLine(@TempDir Path out) {
        Run r = run("train", "--sample", "--layers", "2147483647", "--output", out.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.errLines().size(), "one line, not a stack trace:\n" + r.err());
        assertTrue(r.err().startsWith("sinew train: --layers 2147483647: Dense \"dense\": kernel (784, 2147483647)"), r.err());

        r = run("train", "--sample", "--layers", "100,0", "--output", out.toString());
        assertEquals(1, r.code());
        assertEquals(List.of("sinew train: --layers 100,0: Dense units must be a positive integer, got units=0"), r.errLines());

        r = run("train", "--sample", "--model", "cnn", "--dropout", "1", "--output", out.toString());
        assertEquals(1, r.code());
        assertEquals(List.of("sinew train: --model cnn --dropout 1.0: Dropout rate must be in [0, 1), got rate=1.0"), r.errLines());
        assertTrue(!Files.exists(out.resolve("model.zip")));
    }

    /** spark-train (the launcher adds Spark's jars; the test class path has them): averaging on local[2], accuracy and time per epoch. */
    @Test
    void sparkTrainReportsAccuracyAndTimePerEpoch() {
        Run r = run("spark-train", "--sample", "--master", "local[2]", "--mode", "averaging", "--k", "5", "--epochs", "2", "--verbose", "0");
        assertEquals(0, r.code(), r.err());
        double secondsPerEpoch = number(r.out(), "Spark averaging K=5: 2 epochs in [0-9.]+ s \\(([0-9.]+) s/epoch");
        assertTrue(secondsPerEpoch > 0, r.out());
        assertTrue(number(r.out(), "accuracy ([0-9.]+);") >= 0.6, r.out());
        assertTrue(r.out().contains("B broadcast"), r.out());
        Run bad = run("spark-train", "--sample", "--mode", "sync");
        assertEquals(1, bad.code());
        assertEquals(List.of("sinew spark-train: unknown --mode 'sync'; known: exact, averaging"), bad.errLines());
    }
}
