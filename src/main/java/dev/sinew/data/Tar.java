package dev.sinew.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a tar stream (POSIX ustar or GNU) one entry at a time: just enough for data set archives.
 * Each entry is a 512-byte header (name at 0, size in octal at 124, header checksum at 148, type
 * at 156, ustar's name prefix at 345) followed by the data, padded to a multiple of 512; two zero
 * blocks end the archive. GNU long names (type 'L') are followed; other special entries are passed
 * over by the caller, who looks at {@link Entry#regular()}.
 */
final class Tar {
    private static final int BLOCK = 512;

    /** An entry's path inside the archive, its size in bytes, and whether it is a regular file. */
    record Entry(String name, long size, boolean regular) {}

    private final InputStream in;
    private final String archive;
    private long unread; // data bytes of the current entry not yet read, then its padding
    private long padding;

    /** {@code archive} names the stream in error messages. */
    Tar(InputStream in, String archive) {
        this.in = in;
        this.archive = archive;
    }

    /** The next entry, after skipping what is left of the current one; null at the end of the archive. */
    Entry next() throws IOException {
        skip(unread + padding);
        unread = padding = 0;
        String longName = null;
        while (true) {
            byte[] h = new byte[BLOCK];
            int got = in.readNBytes(h, 0, BLOCK);
            if (got == 0 || (got == BLOCK && allZero(h))) return null; // end of archive (the second zero block may be missing)
            if (got < BLOCK) throw new IOException(archive + " is truncated inside a tar header");
            checkChecksum(h);
            long size = octal(h, 124, 12, "size");
            char type = (char) h[156];
            String name = text(h, 0, 100);
            // POSIX "ustar\0" puts a prefix at 345; old GNU "ustar " keeps access times there instead.
            if (text(h, 257, 6).equals("ustar") && h[345] != 0) {
                name = text(h, 345, 155) + "/" + name;
            }
            unread = size;
            padding = (BLOCK - size % BLOCK) % BLOCK;
            if (type == 'L') { // GNU: this entry's data is the next entry's long name
                if (size > 1 << 16) throw new IOException(archive + ": a tar long name of " + size + " bytes");
                longName = text(body().readAllBytes(), 0, (int) size);
                skip(unread + padding);
                unread = padding = 0;
                continue;
            }
            return new Entry(longName != null ? longName : name, size, type == '0' || type == 0);
        }
    }

    /** The current entry's data; reading past it returns -1. */
    InputStream body() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (unread == 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, unread));
                if (n < 0) throw new IOException(archive + " is truncated inside an entry");
                unread -= n;
                return n;
            }
        };
    }

    private void skip(long n) throws IOException {
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw new IOException(archive + " is truncated inside an entry");
        }
    }

    /** The header's checksum: the sum of its bytes, counting the checksum field itself as spaces. */
    private void checkChecksum(byte[] h) throws IOException {
        String field = text(h, 148, 8).trim();
        if (!field.matches("[0-7]{1,8}")) {
            throw new IOException(archive + " is not a tar archive or is corrupt: a header's checksum field is '"
                    + field.replaceAll("[^ -~]", "?") + "', not an octal number");
        }
        long stored = Long.parseLong(field, 8), sum = 0;
        for (int i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xFF;
        if (sum != stored) {
            throw new IOException(archive + " is not a tar archive or is corrupt: a header's checksum is " + stored
                    + " but its bytes add up to " + sum);
        }
    }

    /** An octal number field, NUL- or space-terminated, as tar writes sizes and checksums. */
    private long octal(byte[] h, int at, int length, String field) throws IOException {
        String digits = text(h, at, length).trim();
        if (digits.isEmpty() || !digits.matches("[0-7]{1,12}")) {
            throw new IOException(archive + ": a tar header's " + field + " field is not an octal number: '" + digits + "'");
        }
        return Long.parseLong(digits, 8);
    }

    private static String text(byte[] b, int at, int length) {
        int end = at;
        while (end < at + length && b[end] != 0) end++;
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }
}
