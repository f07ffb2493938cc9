package dev.sinew.data;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits CSV text into records, RFC 4180's basics: fields separated by a delimiter, records by
 * {@code \n}, {@code \r\n} or {@code \r}; a field in double quotes may hold delimiters, line
 * breaks and quotes doubled ({@code "say ""hi"""}). Beyond the RFC, as spreadsheets and pandas
 * write it: a byte-order mark at the start is dropped, unquoted fields are stripped of spaces,
 * spaces around a quoted field are allowed, and blank lines are skipped.
 */
final class CsvRecords {
    private final Reader in;
    private final char delimiter;
    private final String name;
    private final char[] buffer = new char[1 << 16];
    private int position, end;
    private int line = 1; // the physical line being read
    private int recordLine; // the line the last record started on
    private boolean started;

    CsvRecords(Reader in, char delimiter, String name) {
        this.in = in;
        this.delimiter = delimiter;
        this.name = name;
    }

    /** The line (from 1) on which the record {@link #next} returned last starts. */
    int line() {
        return recordLine;
    }

    /** The next record's fields, or null at the end of the text. */
    List<String> next() throws IOException {
        if (!started) {
            started = true;
            if (peek() == '\uFEFF') read(); // Excel's UTF-8 byte-order mark
        }
        while (peek() >= 0) {
            recordLine = line;
            boolean[] anyQuoted = {false};
            List<String> fields = record(anyQuoted);
            if (fields.size() > 1 || !fields.getFirst().isEmpty() || anyQuoted[0]) return fields;
        }
        return null;
    }

    private List<String> record(boolean[] anyQuoted) throws IOException {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (true) {
            int c = read();
            if (c < 0 || c == '\n' || c == '\r') {
                endOfLine(c);
                fields.add(field.toString().strip());
                return fields;
            }
            if (c == delimiter) {
                fields.add(field.toString().strip());
                field.setLength(0);
            } else if (c == '"' && field.toString().isBlank()) {
                anyQuoted[0] = true;
                String quoted = quoted(fields.size() + 1);
                while (peek() == ' ' || (peek() == '\t' && delimiter != '\t')) read();
                int next = peek();
                if (next >= 0 && next != delimiter && next != '\n' && next != '\r') {
                    throw new IOException(name + " line " + line + ": '" + (char) next + "' after the closing quote of field "
                            + (fields.size() + 1) + " (a quote inside a quoted field is written twice: \"\")");
                }
                read();
                fields.add(quoted);
                if (next < 0 || next == '\n' || next == '\r') {
                    endOfLine(next);
                    return fields;
                }
            } else {
                field.append((char) c); // a quote inside an unquoted field is kept as it is
            }
        }
    }

    /** The rest of a quoted field, after its opening quote, up to and without its closing quote. */
    private String quoted(int fieldNumber) throws IOException {
        int opened = line;
        StringBuilder field = new StringBuilder();
        while (true) {
            int c = read();
            if (c < 0) {
                throw new IOException(name + " line " + opened + ": the quote opening field " + fieldNumber
                        + " is never closed");
            }
            if (c == '"') {
                if (peek() != '"') return field.toString();
                read();
            } else if (c == '\n' || c == '\r') {
                endOfLine(c);
                c = '\n';
            }
            field.append((char) c);
        }
    }

    /** Counts the line break {@code c} has begun (none at the end of the text), reading the {@code \n} of a {@code \r\n}. */
    private void endOfLine(int c) throws IOException {
        if (c < 0) return;
        if (c == '\r' && peek() == '\n') read();
        line++;
    }

    private int peek() throws IOException {
        if (position == end) {
            end = in.read(buffer);
            position = 0;
            if (end <= 0) {
                end = 0;
                return -1;
            }
        }
        return buffer[position];
    }

    private int read() throws IOException {
        int c = peek();
        if (c >= 0) position++;
        return c;
    }
}
