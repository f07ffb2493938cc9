package dev.sinew.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The element type of a {@code .npy} file, from its header's {@code descr}: a byte order
 * ({@code <} little-endian, {@code >} big-endian, {@code |} not applicable), a kind and a size in
 * bytes. Read: {@code b1} (bool), {@code i1 i2 i4 i8} (signed), {@code u1 u2 u4 u8} (unsigned),
 * {@code f2 f4 f8} (floats) — what numpy's {@code save} writes for its numeric arrays.
 *
 * @param kind {@code 'b'}, {@code 'i'}, {@code 'u'} or {@code 'f'}
 * @param size bytes per value
 */
record NpyDtype(String descr, char kind, int size, ByteOrder order) {
    /** What a message says Sinew reads. */
    static final String SUPPORTED = "bool, int8/16/32/64, uint8/16/32/64 and float16/32/64";

    static NpyDtype parse(String descr, String name) throws IOException {
        String what = name + ": dtype '" + descr + "'";
        if (descr.length() < 2) throw new IOException(what + " is not a numpy dtype");
        char order = descr.charAt(0);
        char kind = descr.charAt(1);
        String rest = descr.substring(2);
        switch (kind) {
            case 'O' -> throw new IOException(what + " is an object array (pickled Python objects); only numbers are read ("
                    + SUPPORTED + ")");
            case 'U', 'S', 'a' -> throw new IOException(what + " holds strings; only numbers are read (" + SUPPORTED + ")");
            case 'V' -> throw new IOException(what + " is a structured or raw-bytes array; only plain numbers are read ("
                    + SUPPORTED + ")");
            case 'c' -> throw new IOException(what + " is complex; only real numbers are read (" + SUPPORTED + ")");
            case 'M', 'm' -> throw new IOException(what + " holds dates or times; only numbers are read (" + SUPPORTED + ")");
            default -> { }
        }
        int size = switch (kind + rest) {
            case "b1", "i1", "u1" -> 1;
            case "i2", "u2", "f2" -> 2;
            case "i4", "u4", "f4" -> 4;
            case "i8", "u8", "f8" -> 8;
            default -> throw new IOException(what + " is not supported; Sinew reads " + SUPPORTED);
        };
        ByteOrder byteOrder = switch (order) {
            case '<' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            // '|' is numpy's "no byte order" of single bytes; for wider values the order is not known.
            case '|' -> {
                if (size > 1) throw new IOException(what + " has no byte order ('<' or '>') for " + size + "-byte values");
                yield ByteOrder.LITTLE_ENDIAN;
            }
            default -> throw new IOException(what + " starts with '" + order + "', not a byte order numpy writes ('<', '>' or '|')");
        };
        return new NpyDtype(descr, kind, size, byteOrder);
    }

    /** Booleans and integers, which {@link #integer} reads; floats are read by {@link #floating}. */
    boolean isInteger() {
        return kind != 'f';
    }

    /**
     * The next value of an integer or bool dtype from {@code b} (whose order the caller set).
     * A uint64 above 2^63 - 1 comes back negative: the caller treats it as out of range.
     */
    long integer(ByteBuffer b) {
        return switch (kind) {
            case 'b' -> b.get() != 0 ? 1 : 0; // numpy reads any non-zero byte as True
            case 'i' -> switch (size) {
                case 1 -> b.get();
                case 2 -> b.getShort();
                case 4 -> b.getInt();
                default -> b.getLong();
            };
            default -> switch (size) { // 'u'
                case 1 -> b.get() & 0xFFL;
                case 2 -> b.getShort() & 0xFFFFL;
                case 4 -> b.getInt() & 0xFFFFFFFFL;
                default -> b.getLong();
            };
        };
    }

    /** The next value of a float dtype from {@code b}, rounded to float32 (float64 beyond ±3.4e38 becomes ±infinity). */
    float floating(ByteBuffer b) {
        return switch (size) {
            case 2 -> Float.float16ToFloat(b.getShort());
            case 4 -> b.getFloat();
            default -> (float) b.getDouble();
        };
    }
}
