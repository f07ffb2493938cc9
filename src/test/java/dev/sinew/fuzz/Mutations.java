package dev.sinew.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ways a fuzz case damages a valid file: generic byte mutations (bit flips, bytes set to edge
 * values, 32-bit fields set to edge values, truncation, insertion, deletion, duplication, random
 * bytes) and, for JSON text, token mutations that keep it parseable so the damage reaches the
 * code that interprets the values. Each returns a new array and says what it did, for messages.
 */
final class Mutations {
    private Mutations() {}

    /** Bytes and a description of how they were made. */
    record Mutant(byte[] bytes, String how) {}

    private static final int[] EDGE_BYTES = {0, 1, 0x7f, 0x80, 0xff, '-', '9', '.', ',', '(', ')', '[', ']', '{', '}', '"', '\''};
    private static final long[] EDGE_INTS = {0, 1, -1, 2, 0x7f, 0xff, 0x7fff, 0xffff, 0x7fffffffL, 0x80000000L, 0xffffffffL, 32767,
        65535, 1 << 20, 1 << 30};
    private static final String[] EDGE_NUMBERS = {"0", "-1", "1", "2", "-0", "0.0", "5.7", "1e308", "1e-320", "-1e308", "2147483647",
        "2147483648", "-2147483648", "9223372036854775807", "99999999999999999999999", "3", "1000000", "65536", "0.5", "1.0",
        "0.99999", "NaN", "1e", "--1"};
    private static final String[] EDGE_VALUES = {"null", "true", "false", "[]", "{}", "\"\"", "\"x\"", "[null]", "[1, 2]", "[[]]",
        "{\"a\": 1}", "\"relu\"", "\"softmax\"", "\"Dense\"", "\"InputLayer\"", "\"SGD\"", "\"same\"", "\"valid\"", "[3, 3]",
        "[null, 4]", "[0, 0]", "[-1, -1]", "[2147483647, 2147483647]", "\"" + "x".repeat(300) + "\""};
    // Strings as "[^"\\]*(\\.[^"\\]*)*": a repeated alternation would recurse once per character
    // in java.util.regex and overflow the stack on long binary text.
    private static final Pattern TOKEN = Pattern.compile(
            "-?[0-9][0-9.eE+-]*|\"[^\"\\\\]*(?:\\\\.[^\"\\\\]*)*\"|null|true|false|\\[[^\\[\\]{}]*\\]");

    /** One to three stacked byte-level mutations of {@code in}. */
    static Mutant bytes(byte[] in, SplittableRandom rnd) {
        byte[] b = in;
        StringBuilder how = new StringBuilder();
        for (int k = 1 + rnd.nextInt(3), i = 0; i < k; i++) {
            Mutant m = oneByteMutation(b, rnd);
            b = m.bytes();
            how.append(i > 0 ? "; " : "").append(m.how());
        }
        return new Mutant(b, how.toString());
    }

    private static Mutant oneByteMutation(byte[] in, SplittableRandom rnd) {
        int n = in.length;
        byte[] b = in.clone();
        switch (n == 0 ? 7 : rnd.nextInt(9)) {
            case 0 -> {
                int bits = 1 + rnd.nextInt(4);
                for (int i = 0; i < bits; i++) {
                    int at = rnd.nextInt(n);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                return new Mutant(b, bits + " bit flips");
            }
            case 1 -> {
                int at = rnd.nextInt(n);
                b[at] = (byte) EDGE_BYTES[rnd.nextInt(EDGE_BYTES.length)];
                return new Mutant(b, "byte " + at + " = " + (b[at] & 0xff));
            }
            case 2 -> {
                int at = rnd.nextInt(n);
                b[at] = (byte) rnd.nextInt(256);
                return new Mutant(b, "byte " + at + " random");
            }
            case 3 -> {
                if (n < 4) return new Mutant(Arrays.copyOf(b, 0), "emptied");
                int at = rnd.nextInt(n - 3);
                long v = EDGE_INTS[rnd.nextInt(EDGE_INTS.length)];
                boolean little = rnd.nextBoolean();
                for (int i = 0; i < 4; i++) b[at + (little ? i : 3 - i)] = (byte) (v >>> (8 * i));
                return new Mutant(b, "int at " + at + " = " + v + (little ? " (LE)" : " (BE)"));
            }
            case 4 -> {
                int len = rnd.nextInt(n + 1);
                return new Mutant(Arrays.copyOf(in, len), "truncated to " + len);
            }
            case 5 -> {
                int at = rnd.nextInt(n + 1), len = 1 + rnd.nextInt(16);
                byte[] ins = new byte[len];
                rnd.nextBytes(ins);
                return new Mutant(splice(in, at, 0, ins), len + " random bytes inserted at " + at);
            }
            case 6 -> {
                int at = rnd.nextInt(n), len = 1 + rnd.nextInt(Math.min(64, n - at));
                return new Mutant(splice(in, at, len, new byte[0]), len + " bytes deleted at " + at);
            }
            case 7 -> {
                byte[] r = new byte[rnd.nextInt(2 * n + 64)];
                rnd.nextBytes(r);
                int keep = n == 0 ? 0 : rnd.nextInt(Math.min(n, 16) + 1); // sometimes keep the magic
                System.arraycopy(in, 0, r, 0, Math.min(keep, r.length));
                return new Mutant(r, r.length + " random bytes after the first " + keep);
            }
            default -> {
                int from = rnd.nextInt(n), len = 1 + rnd.nextInt(Math.min(256, n - from)), to = rnd.nextInt(n + 1);
                return new Mutant(splice(in, to, 0, Arrays.copyOfRange(in, from, from + len)), len + " bytes from " + from
                        + " copied to " + to);
            }
        }
    }

    private static byte[] splice(byte[] in, int at, int remove, byte[] insert) {
        byte[] out = new byte[in.length - remove + insert.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(in, at + remove, out, at + insert.length, in.length - at - remove);
        return out;
    }

    /**
     * A JSON text with one to three values replaced by edge cases (numbers, types, nesting), or
     * occasionally byte-mutated: most results still parse, so the loader's checks get exercised.
     */
    static Mutant json(String text, SplittableRandom rnd) {
        if (rnd.nextInt(8) == 0) {
            Mutant m = bytes(text.getBytes(StandardCharsets.UTF_8), rnd);
            return new Mutant(m.bytes(), "JSON bytes: " + m.how());
        }
        String t = text;
        StringBuilder how = new StringBuilder();
        for (int k = 1 + rnd.nextInt(3), i = 0; i < k; i++) {
            Matcher m = TOKEN.matcher(t);
            int count = 0;
            while (m.find()) count++;
            if (count == 0) break;
            int pick = rnd.nextInt(count);
            m.reset();
            for (int j = 0; j <= pick; j++) m.find();
            String old = m.group();
            String replacement = switch (rnd.nextInt(5)) {
                case 0, 1 -> EDGE_NUMBERS[rnd.nextInt(EDGE_NUMBERS.length)];
                case 2, 3 -> EDGE_VALUES[rnd.nextInt(EDGE_VALUES.length)];
                default -> {
                    int depth = 1 + rnd.nextInt(rnd.nextBoolean() ? 70 : 5000);
                    yield "[".repeat(depth) + "]".repeat(depth);
                }
            };
            t = t.substring(0, m.start()) + replacement + t.substring(m.end());
            how.append(i > 0 ? "; " : "").append(brief(old)).append(" -> ").append(brief(replacement));
        }
        return new Mutant(t.getBytes(StandardCharsets.UTF_8), how.toString());
    }

    private static String brief(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
