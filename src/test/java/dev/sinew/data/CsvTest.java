package dev.sinew.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV: what pandas users write, and an error naming line and column for each way it can be wrong. */
class CsvTest {
    @TempDir
    Path dir;

    static Csv.Data read(String text, String label) throws IOException {
        return read(text, label, Csv.options());
    }

    static Csv.Data read(String text, String label, Csv.Options o) throws IOException {
        return Csv.read(new StringReader(text), "data.csv", label, o);
    }

    /** The message of the IOException reading {@code text} must be exactly {@code message}. */
    static void error(String text, String label, Csv.Options o, String message) {
        IOException e = assertThrows(IOException.class, () -> read(text, label, o));
        assertEquals(message, e.getMessage());
    }

    static void error(String text, String label, String message) {
        error(text, label, Csv.options(), message);
    }

    static final String IRIS = """
            sepal_length,sepal_width,petal_length,petal_width,species
            5.1,3.5,1.4,0.2,setosa
            7.0,3.2,4.7,1.4,versicolor
            6.3,3.3,6.0,2.5,virginica
            4.9,3.0,1.4,0.2,setosa
            """;

    @Test
    void textLabelsBecomeClassIndicesInSortedOrder() throws IOException {
        Csv.Data d = read(IRIS, "species");
        assertEquals(List.of("sepal_length", "sepal_width", "petal_length", "petal_width"), d.featureNames());
        assertEquals("species", d.labelName());
        assertArrayEquals(new int[] {4, 4}, d.x().shape());
        assertArrayEquals(new float[] {7.0f, 3.2f, 4.7f, 1.4f}, d.x().rows()[1]);
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertArrayEquals(new int[] {0, 1, 2, 0}, d.y().toIntLabels());

        Dataset oneHot = d.oneHot();
        assertArrayEquals(new float[] {0, 0, 1}, oneHot.y()[2]);
        assertEquals(4, oneHot.features());
        Dataset sparse = d.dataset();
        assertArrayEquals(new float[] {1}, sparse.y()[1]);
    }

    @Test
    void numericLabelsStayNumbers() throws IOException {
        Csv.Data d = read("label,a,b\n1,0.5,-2\n0,1e-3,+4\n3,.25,5.\n", "label");
        assertEquals(List.of(), d.classNames());
        assertArrayEquals(new float[] {1, 0, 3}, d.y().flat());
        assertArrayEquals(new float[] {0.5f, -2, 1e-3f, 4, 0.25f, 5}, d.x().flat());
        assertEquals(4, d.oneHot().targets()); // the largest label + 1
        Csv.Data regression = read("x,price\n1,10.5\n2,20.25\n", "price");
        assertArrayEquals(new float[][] {{10.5f}, {20.25f}}, regression.dataset().y());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, regression::oneHot);
        assertTrue(e.getMessage().contains("labels[0] = 10.5 is not an integer"), e.getMessage());
    }

    @Test
    void rfc4180QuotingLineEndingsBomAndBlankLines() throws IOException {
        String text = "\uFEFF\"name, full\",\"x\",label\r\n"
                + "\r\n"
                + "\"Smith, \"\"Jo\"\"\",  1.5 ,a\r\n"
                + "   \r\n"
                + "\"two\nlines\", \"2\" ,\"b, c\"\r\n"
                + "x,3,a"; // no final line break
        Csv.Data d = read(text, "label", Csv.options().drop("name, full"));
        assertEquals(List.of("x"), d.featureNames());
        assertArrayEquals(new float[] {1.5f, 2, 3}, d.x().flat());
        assertEquals(List.of("a", "b, c"), d.classNames());
        assertArrayEquals(new int[] {0, 1, 0}, d.y().toIntLabels());
        // a quoted field keeps its delimiters, doubled quotes, spaces and line breaks (as \n)
        assertEquals(List.of(" \"b\"\n, c "), read("x,label\r\n1,\" \"\"b\"\"\r\n, c \"\r\n", "label").classNames());
        // the line numbers count the quoted line break: the last record is on line 7
        error(text.replace("x,3,a", "x,abc,a"), "label", Csv.options().drop("name, full"),
                "data.csv line 7, column 'x': 'abc' is not a number");
    }

    @Test
    void delimitersColumnsAndMissingValues() throws IOException {
        Csv.Data d = read("id;a;b;c;y\n7;1;2;3;0\n8;4;;6;1\n", "y", Csv.options().delimiter(';').drop("id").fillMissing(-1));
        assertEquals(List.of("a", "b", "c"), d.featureNames());
        assertArrayEquals(new float[] {1, 2, 3, 4, -1, 6}, d.x().flat());
        Csv.Data chosen = read("a\tb\tc\ty\n1\t2\t3\t0\n", "y", Csv.options().delimiter('\t').features("c", "a"));
        assertEquals(List.of("c", "a"), chosen.featureNames());
        assertArrayEquals(new float[] {3, 1}, chosen.x().flat());
        Csv.Data unlabelled = read("a,b\n1,2\n", null);
        assertNull(unlabelled.y());
        assertArrayEquals(new int[] {1, 2}, unlabelled.x().shape());
        assertThrows(IllegalStateException.class, unlabelled::dataset);
        assertTrue(Float.isNaN(read("a,b\n1,NA\n", null, Csv.options().fillMissing(Float.NaN)).x().get(0, 1)));
    }

    @Test
    void eachErrorNamesTheLineAndTheColumn() {
        String header = "sepal_length,petal_width,label\n";
        error(header + "1,2,0\n1,abc,1\n", "label", "data.csv line 3, column 'petal_width': 'abc' is not a number");
        error(header + "1,2,0\n1,,1\n", "label", "data.csv line 3, column 'petal_width': the value is missing (an empty cell);"
                + " fill missing values with Csv.options().fillMissing(value), or remove the row");
        error(header + "1,NA,0\n", "label", "data.csv line 2, column 'petal_width': the value is missing ('NA'); fill missing"
                + " values with Csv.options().fillMissing(value), or remove the row");
        error(header + "1,2,0\n1,2\n", "label", "data.csv line 3 has 2 fields, the header (line 1) has 3");
        error(header + "1,2,0,4\n", "label", "data.csv line 2 has 4 fields, the header (line 1) has 3");
        error(header + "1,2,0\n", "species",
                "data.csv: there is no label column 'species'; the columns are [sepal_length, petal_width, label]");
        error(header + "1,2,0\n", "label", Csv.options().drop("id"),
                "data.csv: there is no dropped column 'id'; the columns are [sepal_length, petal_width, label]");
        error(header + "1,2,0\n", "label", Csv.options().features("petal"),
                "data.csv: there is no feature column 'petal'; the columns are [sepal_length, petal_width, label]");
        error(header + "1,2,0\n", "label", Csv.options().features("label"),
                "data.csv: 'label' is the label column; it cannot be a feature too");
        error(header + "1,2,0\n1,2,\n", "label", "data.csv line 3, column 'label': the label is missing (an empty cell)");
        error(header + "1,2,0\n1,2,cat\n", "label",
                "data.csv line 3, column 'label': 'cat' is not a number (the labels are read as numbers, as the first one, '0', is one)");
        error(header + "1,1e39,0\n", "label", "data.csv line 2, column 'petal_width': 1e39 is beyond float32's range (±3.4e38)");
        error(header + "1,\"2,0\n1,2,0\n", "label", "data.csv line 2: the quote opening field 2 is never closed");
        error(header + "1,\"2\"x,0\n", "label",
                "data.csv line 2: 'x' after the closing quote of field 2 (a quote inside a quoted field is written twice: \"\")");
        error("a,b,a\n1,2,3\n", null, "data.csv line 1: column 'a' appears twice in the header (fields 1 and 3)");
        error(",a,label\n0,1,2\n", "label", "data.csv line 1: column 1 has no name in the header; name it, or drop it with"
                + " Csv.options().drop(\"Unnamed: 0\") (pandas writes its index so: to_csv(..., index=False) leaves it out)");
        error("\n\n", "label", "data.csv is empty: it has no header line");
        error(header + "\n", "label", "data.csv has a header but no data rows");
        error("label\n1\n", "label", "data.csv: no feature columns are left; the columns are [label]");
    }

    @Test
    void unnamedColumnsCanBeDroppedByPandasName() throws IOException {
        Csv.Data d = read(",a,label\n0,1.5,2\n1,2.5,3\n", "label", Csv.options().drop("Unnamed: 0"));
        assertEquals(List.of("a"), d.featureNames());
        assertArrayEquals(new float[] {1.5f, 2.5f}, d.x().flat());
    }

    @Test
    void filesAreNamedInMessagesAndMustBeUtf8() throws IOException {
        Path file = dir.resolve("data.csv");
        Files.writeString(file, "a,label\n1,x\n2,y\n");
        Csv.Data d = Csv.read(file, "label");
        assertEquals(List.of("x", "y"), d.classNames());
        Files.writeString(file, "a,label\n1,0\nq,1\n");
        IOException e = assertThrows(IOException.class, () -> Csv.read(file, "label"));
        assertEquals(file + " line 3, column 'a': 'q' is not a number", e.getMessage());
        Files.write(file, new byte[] {'a', ',', 'b', '\n', (byte) 0xff, (byte) 0xfe, ',', '1', '\n'});
        e = assertThrows(IOException.class, () -> Csv.read(file, "b"));
        assertTrue(e.getMessage().startsWith(file + " is not UTF-8 text"), e.getMessage());
    }
}
