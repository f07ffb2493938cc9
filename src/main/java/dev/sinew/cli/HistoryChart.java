package dev.sinew.cli;

import dev.sinew.models.History;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** A PNG of a training history: loss (left) and accuracy (right) per epoch, training vs validation. */
final class HistoryChart {
    private HistoryChart() {}

    static void write(History h, Path png, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        String acc = h.asMap().containsKey("accuracy") ? "accuracy" : "categorical_accuracy";
        BufferedImage left = BitmapEncoder.getBufferedImage(chart(h, "loss", "Loss — " + title));
        BufferedImage right = BitmapEncoder.getBufferedImage(chart(h, acc, "Accuracy — " + title));
        BufferedImage both = new BufferedImage(left.getWidth() + right.getWidth(), left.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, both.getWidth(), both.getHeight());
        g.drawImage(left, 0, 0, null);
        g.drawImage(right, left.getWidth(), 0, null);
        g.dispose();
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!ImageIO.write(both, "png", png.toFile())) throw new IOException("no PNG writer available");
    }

    private static XYChart chart(History h, String key, String title) {
        XYChart c = new XYChartBuilder().width(640).height(420).title(title).xAxisTitle("epoch").yAxisTitle(key).build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setMarkerSize(5);
        add(c, h, key, "train " + key);
        if (h.asMap().containsKey("val_" + key)) add(c, h, "val_" + key, "validation " + key);
        return c;
    }

    private static void add(XYChart c, History h, String key, String label) {
        List<Double> y = h.get(key);
        List<Integer> x = new ArrayList<>(IntStream.rangeClosed(1, y.size()).boxed().toList());
        c.addSeries(label, x, y).setMarker(SeriesMarkers.CIRCLE);
    }
}
