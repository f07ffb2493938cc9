package dev.sinew.callbacks;

import dev.sinew.models.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keras's {@code ModelCheckpoint(filepath, monitor="val_loss", verbose=0, save_best_only=False,
 * save_weights_only=False, mode="auto", initial_value_threshold=None)}, saving at the end of each
 * epoch. {@code filepath} may name the epoch and any logged value in Python's format syntax, as in
 * Keras: {@code "ckpt/model-{epoch:02d}-{val_loss:.4f}.zip"} ({@code epoch} counts from 1). With
 * {@code saveBestOnly} a file is written only when {@code monitor} improves on the best so far
 * ({@code mode} "min", "max", or "auto": max for accuracy-like names, min otherwise). The whole
 * model is saved (resumable with {@code Model.load} or {@code restoreFrom}), or with
 * {@code saveWeightsOnly} just its weights ({@code loadWeights}).
 * <pre>{@code
 * ModelCheckpoint.builder(Path.of("best.zip")).monitor("val_accuracy").saveBestOnly(true).build()
 * }</pre>
 */
public final class ModelCheckpoint implements Callback {
    private static final Pattern FIELD = Pattern.compile("\\{(\\w+)(?::([^}]*))?}");

    private final String filepath;
    private final String monitor;
    private final boolean saveBestOnly, saveWeightsOnly, verbose;
    private final boolean maximize;
    private final Double initialValueThreshold;
    private Model model;
    private double best;
    private Path lastSaved;

    /** Saves the whole model to {@code filepath} after every epoch. */
    public ModelCheckpoint(Path filepath) {
        this(builder(filepath));
    }

    private ModelCheckpoint(Builder b) {
        if (b.filepath == null) throw new IllegalArgumentException("ModelCheckpoint: filepath is null");
        if (b.monitor == null || b.monitor.isBlank()) throw new IllegalArgumentException("ModelCheckpoint: monitor is blank");
        this.filepath = b.filepath.toString();
        this.monitor = b.monitor;
        this.saveBestOnly = b.saveBestOnly;
        this.saveWeightsOnly = b.saveWeightsOnly;
        this.verbose = b.verbose;
        this.initialValueThreshold = b.initialValueThreshold;
        this.maximize = switch (b.mode) {
            case "min" -> false;
            case "max" -> true;
            case "auto" -> monitor.contains("acc") || monitor.startsWith("fmeasure") || monitor.contains("auc");
            default -> throw new IllegalArgumentException("ModelCheckpoint: mode must be \"auto\", \"min\" or \"max\". Received: mode="
                    + b.mode);
        };
        resetBest();
    }

    public static Builder builder(Path filepath) {
        return new Builder(filepath);
    }

    private void resetBest() {
        best = initialValueThreshold != null ? initialValueThreshold : maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** The file written last, or null. */
    public Path lastSaved() {
        return lastSaved;
    }

    /** The best value of {@code monitor} so far (with {@code saveBestOnly}). */
    public double best() {
        return best;
    }

    /** With saveBestOnly, a monitor the logs will not have is refused before the first epoch trains. */
    @Override
    public void checkLogKeys(java.util.List<String> logKeys) {
        if (saveBestOnly) Monitor.checkKeys("ModelCheckpoint", monitor, logKeys);
        resetBest();
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (saveBestOnly) {
            Double v = logs.get(monitor);
            if (v == null) {
                throw new IllegalStateException("ModelCheckpoint: monitor \"" + monitor + "\" is not among the logged values "
                        + logs.keySet());
            }
            if (!(maximize ? v > best : v < best)) {
                if (verbose) System.out.printf(Locale.ROOT, "Epoch %d: %s did not improve from %.5f%n", epoch + 1, monitor, best);
                return;
            }
            if (verbose) System.out.printf(Locale.ROOT, "Epoch %d: %s improved from %.5f to %.5f, saving%n", epoch + 1, monitor, best, v);
            best = v;
        }
        Path path = Path.of(format(filepath, epoch + 1, logs));
        try {
            if (path.toAbsolutePath().getParent() != null) Files.createDirectories(path.toAbsolutePath().getParent());
            if (saveWeightsOnly) model.saveWeights(path);
            else model.save(path);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: cannot write " + path + ": " + e.getMessage(), e);
        }
        lastSaved = path;
        if (verbose && !saveBestOnly) System.out.println("Epoch " + (epoch + 1) + ": saving model to " + path);
    }

    /** Python-style fields: {@code {epoch:02d}}, {@code {val_loss:.4f}}, {@code {loss}}. */
    static String format(String pattern, int epoch, Map<String, Double> logs) {
        Matcher m = FIELD.matcher(pattern);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String key = m.group(1), spec = m.group(2);
            Object value = key.equals("epoch") ? (Object) epoch : logs.get(key);
            if (value == null) {
                throw new IllegalArgumentException("ModelCheckpoint: filepath field {" + key + "} is neither epoch nor a logged value "
                        + logs.keySet());
            }
            String text;
            if (spec == null || spec.isEmpty()) {
                text = String.valueOf(value);
            } else {
                char type = spec.charAt(spec.length() - 1);
                String javaSpec = "%" + spec;
                text = type == 'd' ? String.format(Locale.ROOT, javaSpec, ((Number) value).longValue())
                        : String.format(Locale.ROOT, javaSpec, ((Number) value).doubleValue());
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(text));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** Keras's arguments: monitor ("val_loss"), saveBestOnly, saveWeightsOnly, mode ("auto"), verbose, initialValueThreshold. */
    public static final class Builder {
        private final Path filepath;
        private String monitor = "val_loss", mode = "auto";
        private boolean saveBestOnly, saveWeightsOnly, verbose;
        private Double initialValueThreshold;

        private Builder(Path filepath) {
            this.filepath = filepath;
        }

        public Builder monitor(String v) {
            monitor = v;
            return this;
        }

        public Builder mode(String v) {
            mode = v;
            return this;
        }

        public Builder saveBestOnly(boolean v) {
            saveBestOnly = v;
            return this;
        }

        public Builder saveWeightsOnly(boolean v) {
            saveWeightsOnly = v;
            return this;
        }

        public Builder verbose(boolean v) {
            verbose = v;
            return this;
        }

        public Builder initialValueThreshold(Double v) {
            initialValueThreshold = v;
            return this;
        }

        public ModelCheckpoint build() {
            return new ModelCheckpoint(this);
        }
    }
}
