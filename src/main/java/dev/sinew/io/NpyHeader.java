package dev.sinew.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dict of a {@code .npy} header, a Python literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (784, 150), }}. numpy reads it with
 * {@code ast.literal_eval}; this reads the subset numpy writes: the three keys in any order,
 * strings in single or double quotes, {@code True}/{@code False}, and a tuple of non-negative
 * integers (old Python 2 files write {@code 3L}). Anything else is an IOException naming the file.
 *
 * @param shape each dimension from 0 to 2^31 - 1, their product at most {@code maxValues}
 * @param shapeText the tuple as written, for messages
 */
record NpyHeader(String descr, boolean fortranOrder, int[] shape, String shapeText) {

    /** The number of values: the product of the dimensions (1 for a scalar's {@code ()}). */
    long count() {
        long n = 1;
        for (int d : shape) n *= d; // cannot overflow: parse keeps the product within maxValues
        return n;
    }

    static NpyHeader parse(String text, String name, long maxValues) throws IOException {
        return new Parser(text, name).header(maxValues);
    }

    private static final class Parser {
        private final String s;
        private final String name;
        private int i;

        Parser(String s, String name) {
            this.s = s;
            this.name = name;
        }

        NpyHeader header(long maxValues) throws IOException {
            Map<String, Object> dict = new LinkedHashMap<>();
            expect('{');
            while (peek() != '}') {
                String key = string();
                expect(':');
                Object value = value(key);
                if (dict.put(key, value) != null) throw bad("key '" + key + "' appears twice");
                if (peek() != ',') break;
                i++;
            }
            expect('}');
            skipSpace();
            if (i != s.length()) throw bad("text after the closing brace");
            if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
                throw bad("keys " + dict.keySet() + " are not numpy's 'descr', 'fortran_order' and 'shape'");
            }
            if (!(dict.get("descr") instanceof String descr)) throw bad("'descr' is not a string");
            if (!(dict.get("fortran_order") instanceof Boolean fortran)) throw bad("'fortran_order' is not True or False");
            if (!(dict.get("shape") instanceof Tuple(List<String> dims, String text))) throw bad("'shape' is not a tuple");
            return new NpyHeader(descr, fortran, dimensions(dims, text, maxValues), text);
        }

        /** A tuple as written: its elements' text and the whole, {@code (784, 150)}. */
        private record Tuple(List<String> elements, String text) {}

        private Object value(String key) throws IOException {
            char c = peek();
            if (c == '\'' || c == '"') return string();
            if (c == '(') return tuple();
            if (c == '[' && key.equals("descr")) {
                throw new IOException(name + ": the dtype is structured (a list of named fields); only plain numeric arrays"
                        + " are read (" + NpyDtype.SUPPORTED + ")");
            }
            for (String word : new String[] {"True", "False"}) {
                if (s.startsWith(word, i)) {
                    i += word.length();
                    return word.equals("True");
                }
            }
            throw bad("unexpected value for '" + key + "'");
        }

        private String string() throws IOException {
            char quote = peek();
            if (quote != '\'' && quote != '"') throw bad("expected a quoted key or value");
            int end = s.indexOf(quote, i + 1);
            if (end < 0) throw bad("a string is not closed");
            String value = s.substring(i + 1, end);
            // numpy's dtype strings and keys never need escapes; a backslash means something we do not read
            if (value.indexOf('\\') >= 0) throw bad("escapes in strings are not supported");
            i = end + 1;
            return value;
        }

        private Tuple tuple() throws IOException {
            int start = i;
            int end = s.indexOf(')', i);
            if (end < 0) throw bad("the shape tuple is not closed");
            String inside = s.substring(i + 1, end).strip();
            i = end + 1;
            if (inside.endsWith(",")) inside = inside.substring(0, inside.length() - 1); // a one-element tuple: (5,)
            List<String> elements = new ArrayList<>();
            if (!inside.isBlank()) for (String p : inside.split(",", -1)) elements.add(p.strip());
            return new Tuple(elements, s.substring(start, i));
        }

        /** The dimensions of a shape tuple: each from 0 to 2^31 - 1, their product at most {@code maxValues}. */
        private int[] dimensions(List<String> elements, String text, long maxValues) throws IOException {
            int[] shape = new int[elements.size()];
            long size = 1;
            for (int k = 0; k < shape.length; k++) {
                String p = elements.get(k);
                if (p.endsWith("L")) p = p.substring(0, p.length() - 1); // Python 2's long: (3L, 4L)
                if (!p.matches("-?[0-9]+")) throw new IOException(name + ": unreadable .npy header shape " + text);
                String digits = p.startsWith("-") ? p.substring(1) : p;
                // Up to 18 digits fits a long; anything longer is too large whatever it says.
                long d = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
                if (p.startsWith("-") && d != 0) throw new IOException(name + ": .npy shape " + text + " has a negative dimension " + p);
                if (d > Integer.MAX_VALUE) {
                    throw new IOException(name + ": .npy shape " + text + " has a dimension " + p + " larger than a Java array holds");
                }
                shape[k] = (int) d;
                size = Math.min(size * d, maxValues + 1); // both factors < 2^31: no overflow; saturate, check the rest
            }
            if (size > maxValues) throw new IOException(name + ": .npy shape " + text + " holds more values than a Java array can");
            return shape;
        }

        private char peek() throws IOException {
            skipSpace();
            if (i >= s.length()) throw bad("it ends too early");
            return s.charAt(i);
        }

        private void expect(char c) throws IOException {
            if (peek() != c) throw bad("expected '" + c + "' at character " + i);
            i++;
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private IOException bad(String problem) {
            String shown = s.strip();
            if (shown.length() > 200) shown = shown.substring(0, 200) + "...";
            return new IOException(name + ": unreadable .npy header (" + problem + "): " + shown);
        }
    }
}
