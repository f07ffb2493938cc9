package dev.sinew.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on the bundled sample: train writes model, chart and CSV; evaluate and predict use them. */
class CliTest {

    @Test
    void trainEvaluatePredict(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run("train", "--sample", "--epochs", "3", "--verbose", "0", "--output", out.toString()));
        Path model = out.resolve("model.zip"), chart = out.resolve("history.png"), csv = out.resolve("history.csv");
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(model.toFile())) {
            assertEquals(8, zip.stream().filter(e -> e.getName().endsWith(".npy")).count(), "kernel and bias of 4 layers");
        }
        BufferedImage png = ImageIO.read(chart.toFile());
        assertTrue(png.getWidth() >= 1000 && png.getHeight() >= 300, "a two-panel chart");
        assertEquals(4, Files.readAllLines(csv).size(), "header + 3 epochs");
        assertEquals(0, Main.run("evaluate", "--sample", "--model", model.toString()));
        assertEquals(0, Main.run("predict", "--sample", "--model", model.toString(), "--count", "5"));
    }

    @Test
    void trainCnnWithAugmentation(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run("train", "--sample", "--model", "cnn", "--augment", "--dropout", "0.25", "--epochs", "1",
                "--train-size", "600", "--verbose", "0", "--output", out.toString()));
        assertEquals(0, Main.run("evaluate", "--sample", "--model", out.resolve("model.zip").toString()));
        assertEquals(1, Main.run("train", "--sample", "--augment", "--output", out.toString()), "--augment needs --model cnn");
    }

    @Test
    void badOptionsFailWithAMessage(@TempDir Path out) {
        assertEquals(1, Main.run("train", "--sample", "--model", "transformer", "--output", out.toString()));
        assertEquals(1, Main.run("evaluate", "--sample", "--model", out.resolve("none.zip").toString()));
        assertEquals(2, Main.run("train", "--epochs", "many"));
        assertEquals(2, Main.run("frobnicate"));
    }
}
