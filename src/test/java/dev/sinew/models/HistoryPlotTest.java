package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** History.plot draws one panel per logged quantity, validation beside training. */
class HistoryPlotTest {

    @Test
    void onePanelPerQuantityTwoToARow(@TempDir Path dir) throws Exception {
        History h = new History();
        for (int e = 0; e < 4; e++) {
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", 1.0 / (e + 1));
            logs.put("accuracy", 0.5 + e * 0.1);
            logs.put("precision", 0.6 + e * 0.05);
            logs.put("val_loss", 1.2 / (e + 1));
            logs.put("val_accuracy", 0.45 + e * 0.1);
            h.append(logs);
        }
        Path one = dir.resolve("sub/h.png");
        h.plot(one, "test");
        BufferedImage png = ImageIO.read(one.toFile());
        assertEquals(1280, png.getWidth(), "two panels across");
        assertEquals(840, png.getHeight(), "three panels make two rows");

        History lossOnly = new History();
        lossOnly.append(Map.of("loss", 0.3));
        Path two = dir.resolve("loss.png");
        lossOnly.plot(two);
        assertEquals(640, ImageIO.read(two.toFile()).getWidth());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new History().plot(dir.resolve("x.png")));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }
}
