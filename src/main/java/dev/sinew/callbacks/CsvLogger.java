package dev.sinew.callbacks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes one CSV row per epoch ({@code epoch,loss,accuracy,val_loss,...}), as Keras's {@code CSVLogger}. */
public final class CsvLogger implements Callback {
    private final Path file;
    private Writer writer;
    private boolean headerWritten;

    public CsvLogger(Path file) {
        if (file == null) throw new IllegalArgumentException("CsvLogger needs a file");
        this.file = file;
    }

    @Override
    public void onTrainBegin(int epochs, int stepsPerEpoch) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            headerWritten = false;
        } catch (IOException e) {
            throw new UncheckedIOException("CsvLogger cannot write " + file, e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        try {
            if (!headerWritten) {
                writer.write("epoch," + String.join(",", logs.keySet()) + "\n");
                headerWritten = true;
            }
            StringBuilder row = new StringBuilder().append(epoch);
            for (double v : logs.values()) row.append(',').append(v);
            writer.write(row.append('\n').toString());
            writer.flush(); // a crash mid-training keeps the epochs so far
        } catch (IOException e) {
            throw new UncheckedIOException("CsvLogger cannot write " + file, e);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        try {
            if (writer != null) writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("CsvLogger cannot close " + file, e);
        }
    }
}
