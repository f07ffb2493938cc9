package dev.sinew.data;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads a CSV file with a header row into features and labels, as {@code pandas.read_csv}
 * followed by {@code df.pop("label")} would:
 *
 * <pre>
 *   Csv.Data iris = Csv.read(Path.of("iris.csv"), "species");
 *   iris.x();            // NdArray (150, 4): every other column, as numbers
 *   iris.y();            // NdArray (150,): class indices 0, 1, 2
 *   iris.classNames();   // [setosa, versicolor, virginica]: index i is classNames().get(i)
 *   net.fit(iris.oneHot(), options);     // or iris.dataset() for sparse_categorical_crossentropy
 *
 *   Csv.read(file, "price", Csv.options().delimiter(';').drop("id").fillMissing(0));
 * </pre>
 *
 * <ul>
 *   <li>The first non-blank line names the columns; each later non-blank line is one sample and
 *       must have as many fields. Fields follow RFC 4180 ({@link CsvRecords}); text is UTF-8.</li>
 *   <li>Features are every column but the label and those dropped, in file order, or exactly
 *       those named by {@link Options#features}. Each cell must be a decimal number
 *       ({@code 3}, {@code -0.5}, {@code 1e-3}), read as float32.</li>
 *   <li>Missing cells (empty, {@code NA}, {@code N/A}, {@code NaN}, {@code null}, {@code None}, as
 *       pandas' defaults) are an error unless {@link Options#fillMissing} gives a value.</li>
 *   <li>Labels are numbers if the first row's label is a number (class indices, or targets for
 *       regression); otherwise every label is a class name, and classes are numbered in sorted
 *       order of their names (as scikit-learn's {@code LabelEncoder}). A missing label is an error.</li>
 *   <li>Every error is an IOException naming the file, the line and the column:
 *       {@code data.csv line 17, column 'petal_width': 'abc' is not a number}.</li>
 * </ul>
 */
public final class Csv {
    private static final Set<String> MISSING = Set.of("", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "-NaN", "null", "NULL",
            "None", "<NA>", "#N/A");
    private static final Pattern NUMBER = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final Options DEFAULT = new Options(',', List.of(), List.of(), false, 0);

    private Csv() {}

    /**
     * How to read: the delimiter, which columns are features, what fills a missing cell. Each
     * method returns a changed copy: {@code Csv.options().delimiter('\t').drop("id")}.
     */
    public record Options(char delimiter, List<String> features, List<String> drop, boolean fillMissing, float fillValue) {
        public Options {
            if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
                throw new IllegalArgumentException("the delimiter cannot be a quote or a line break");
            }
            features = List.copyOf(features); // also refuses null names
            drop = List.copyOf(drop);
        }

        /** The field separator: {@code ','} by default; {@code ';'} and {@code '\t'} are common too. */
        public Options delimiter(char delimiter) {
            return new Options(delimiter, features, drop, fillMissing, fillValue);
        }

        /** Only these columns are features, in this order (by default every column but the label). */
        public Options features(String... columns) {
            return new Options(delimiter, List.of(columns), drop, fillMissing, fillValue);
        }

        /** Columns that are not features, such as an id. */
        public Options drop(String... columns) {
            return new Options(delimiter, features, List.of(columns), fillMissing, fillValue);
        }

        /** A missing feature value becomes {@code value} (0, the column's mean computed beforehand, or NaN) instead of an error. */
        public Options fillMissing(float value) {
            return new Options(delimiter, features, drop, true, value);
        }
    }

    /** Comma-separated, every column but the label a feature, missing values an error. */
    public static Options options() {
        return DEFAULT;
    }

    /**
     * What a CSV file held.
     *
     * @param x the features, shape (samples, features)
     * @param y the labels, shape (samples,); null if no label column was asked for
     * @param featureNames the column of each feature, in order
     * @param labelName the label column, or null
     * @param classNames for text labels, the name of each class index; empty when the labels are numbers
     */
    public record Data(NdArray x, NdArray y, List<String> featureNames, String labelName, List<String> classNames) {
        public Data {
            featureNames = List.copyOf(featureNames);
            classNames = List.copyOf(classNames);
        }

        /** The labels as they are, one per target row: class indices for the sparse losses, or regression targets. */
        public Dataset dataset() {
            return new Dataset(x.rows(), labels().rows());
        }

        /**
         * The labels one-hot, for {@code categorical_crossentropy}: as many classes as
         * {@link #classNames}, or for numeric labels the largest label + 1. The labels must be
         * class indices (integers from 0).
         */
        public Dataset oneHot() {
            int[] labels = labels().toIntLabels();
            int classes = classNames.isEmpty() ? Arrays.stream(labels).max().getAsInt() + 1 : classNames.size();
            return new Dataset(x.rows(), Datasets.oneHot(labels, Math.max(classes, 1)));
        }

        private NdArray labels() {
            if (y == null) throw new IllegalStateException("no label column was read (Csv.read was given none)");
            return y;
        }
    }

    /** Reads {@code file} with the default {@link #options()}; {@code label} names the label column, or is null for none. */
    public static Data read(Path file, String label) throws IOException {
        return read(file, label, DEFAULT);
    }

    /** Reads {@code file}; {@code label} names the label column, or is null for none. */
    public static Data read(Path file, String label, Options options) throws IOException {
        if (options == null) throw new IllegalArgumentException("options are null: use Csv.options()");
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, file.toString(), label, options);
        } catch (CharacterCodingException e) {
            throw new IOException(file + " is not UTF-8 text (save it as UTF-8, or convert it with iconv)", e);
        }
    }

    /** Reads CSV text from {@code in}; {@code name} stands for it in messages. */
    static Data read(Reader in, String name, String label, Options o) throws IOException {
        CsvRecords records = new CsvRecords(in, o.delimiter(), name);
        List<String> header = records.next();
        if (header == null) throw new IOException(name + " is empty: it has no header line");
        int headerLine = records.line();
        List<String> columns = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String c = header.get(i).isEmpty() ? "Unnamed: " + i : header.get(i); // pandas' name for it
            Integer before = index.putIfAbsent(c, i);
            if (before != null) {
                throw new IOException(name + " line " + headerLine + ": column '" + c + "' appears twice in the header (fields "
                        + (before + 1) + " and " + (i + 1) + ")");
            }
            columns.add(c);
        }
        int labelColumn = label == null ? -1 : column(label, "label", index, columns, name);
        for (String d : o.drop()) column(d, "dropped", index, columns, name);
        List<Integer> features = new ArrayList<>();
        for (String f : o.features()) {
            int c = column(f, "feature", index, columns, name);
            if (c == labelColumn) throw new IOException(name + ": '" + f + "' is the label column; it cannot be a feature too");
            if (o.drop().contains(f)) throw new IOException(name + ": column '" + f + "' is both a feature and dropped");
            features.add(c);
        }
        if (o.features().isEmpty()) {
            for (int c = 0; c < columns.size(); c++) {
                if (c == labelColumn || o.drop().contains(columns.get(c))) continue;
                if (header.get(c).isEmpty()) {
                    throw new IOException(name + " line " + headerLine + ": column " + (c + 1) + " has no name in the header;"
                            + " name it, or drop it with Csv.options().drop(\"" + columns.get(c) + "\") (pandas writes its"
                            + " index so: to_csv(..., index=False) leaves it out)");
                }
                features.add(c);
            }
        }
        if (features.isEmpty()) throw new IOException(name + ": no feature columns are left; the columns are " + columns);

        Floats xs = new Floats(), ys = new Floats();
        List<String> names = new ArrayList<>(); // text labels, in row order
        boolean numericLabels = true;
        String firstLabel = null;
        int rows = 0;
        for (List<String> r; (r = records.next()) != null; rows++) {
            int line = records.line();
            if (r.size() != columns.size()) {
                throw new IOException(name + " line " + line + " has " + r.size() + " fields, the header (line " + headerLine
                        + ") has " + columns.size());
            }
            if ((long) (rows + 1) * features.size() > NdArray.MAX_SIZE) {
                throw new IOException(name + " line " + line + ": more values than one Java array holds");
            }
            for (int c : features) {
                String v = r.get(c);
                if (MISSING.contains(v)) {
                    if (!o.fillMissing()) {
                        throw new IOException(where(name, line, columns.get(c)) + "the value is missing ("
                                + (v.isEmpty() ? "an empty cell" : "'" + v + "'") + "); fill missing values with"
                                + " Csv.options().fillMissing(value), or remove the row");
                    }
                    xs.add(o.fillValue());
                } else {
                    xs.add(number(v, where(name, line, columns.get(c)), ""));
                }
            }
            if (labelColumn >= 0) {
                String v = r.get(labelColumn);
                String at = where(name, line, label);
                if (MISSING.contains(v)) {
                    throw new IOException(at + "the label is missing (" + (v.isEmpty() ? "an empty cell" : "'" + v + "'") + ")");
                }
                if (firstLabel == null) {
                    firstLabel = v;
                    numericLabels = NUMBER.matcher(v).matches();
                }
                if (numericLabels) {
                    ys.add(number(v, at, " (the labels are read as numbers, as the first one, '" + firstLabel + "', is one)"));
                } else {
                    names.add(v);
                }
            }
        }
        if (rows == 0) throw new IOException(name + " has a header but no data rows");

        List<String> featureNames = new ArrayList<>();
        for (int c : features) featureNames.add(columns.get(c));
        NdArray x = NdArray.wrap(xs.toArray(), rows, features.size());
        if (labelColumn < 0) return new Data(x, null, featureNames, null, List.of());
        if (numericLabels) return new Data(x, NdArray.wrap(ys.toArray(), rows), featureNames, label, List.of());
        List<String> classNames = List.copyOf(new TreeSet<>(names));
        Map<String, Integer> classOf = new HashMap<>();
        for (String n : classNames) classOf.put(n, classOf.size());
        for (String n : names) ys.add(classOf.get(n));
        return new Data(x, NdArray.wrap(ys.toArray(), rows), featureNames, label, classNames);
    }

    /** The index of column {@code c}, or an error naming the columns there are. */
    private static int column(String c, String role, Map<String, Integer> index, List<String> columns, String name)
            throws IOException {
        Integer i = index.get(c);
        if (i == null) throw new IOException(name + ": there is no " + role + " column '" + c + "'; the columns are " + columns);
        return i;
    }

    private static String where(String name, int line, String column) {
        return name + " line " + line + ", column '" + column + "': ";
    }

    private static float number(String v, String at, String why) throws IOException {
        if (!NUMBER.matcher(v).matches()) throw new IOException(at + "'" + v + "' is not a number" + why);
        float f = Float.parseFloat(v);
        if (Float.isInfinite(f)) throw new IOException(at + v + " is beyond float32's range (±3.4e38)");
        return f;
    }

    /** A growing float[]. */
    private static final class Floats {
        private float[] values = new float[1024];
        private int size;

        void add(float v) {
            if (size == values.length) values = Arrays.copyOf(values, (int) Math.min(2L * size, NdArray.MAX_SIZE));
            values[size++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
