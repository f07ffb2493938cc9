package dev.sinew.models;

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

/**
 * A PNG of a training history, as the notebook draws it: one panel per logged quantity (loss
 * first, then each metric), training and validation curves per epoch, two panels to a row.
 */
final class HistoryChart {
    private HistoryChart() {}

    static void write(History h, Path png, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> keys = h.asMap().keySet().stream().filter(k -> !k.startsWith("val_")).toList();
        if (keys.isEmpty()) throw new IllegalArgumentException("the history is empty: nothing to plot");
        List<BufferedImage> panels = new ArrayList<>();
        for (String k : keys) panels.add(BitmapEncoder.getBufferedImage(chart(h, k, label(k) + (title.isEmpty() ? "" : " — " + title))));
        int w = panels.getFirst().getWidth(), ht = panels.getFirst().getHeight();
        int cols = Math.min(2, panels.size()), rows = (panels.size() + 1) / 2;
        BufferedImage all = new BufferedImage(w * cols, ht * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, all.getWidth(), all.getHeight());
        for (int i = 0; i < panels.size(); i++) g.drawImage(panels.get(i), (i % 2) * w, (i / 2) * ht, null);
        g.dispose();
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!ImageIO.write(all, "png", png.toFile())) throw new IOException("no PNG writer available");
    }

    /** "loss" as "Loss", "val_accuracy" never (validation shares its panel), "f1_score" as "F1 score". */
    private static String label(String key) {
        String s = key.replace('_', ' ');
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
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
