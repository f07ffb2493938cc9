package dev.sinew.models;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Writes zip files byte by byte, so a test can say what java.util.zip would never write: an entry
 * whose declared size is a lie, a wrong CRC, or a 3 GB entry that takes 3 MB (a zip bomb).
 */
final class CraftedZip {
    /** One entry: its name, raw deflate data (or stored bytes), and what the headers declare. */
    record Entry(String name, boolean deflated, byte[] data, long crc, long declaredSize) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** The entries of an existing zip (honest sizes and CRCs), to be replaced one by one. */
    static CraftedZip copyOf(Path zip) throws IOException {
        CraftedZip z = new CraftedZip();
        try (ZipFile in = new ZipFile(zip.toFile())) {
            for (ZipEntry e : Collections.list(in.entries())) z.put(e.getName(), in.getInputStream(e).readAllBytes());
        }
        return z;
    }

    /** An honest deflated entry. */
    CraftedZip put(String name, byte[] content) {
        CRC32 crc = new CRC32();
        crc.update(content);
        entries.put(name, new Entry(name, true, deflate(content), crc.getValue(), content.length));
        return this;
    }

    CraftedZip put(String name, String content) {
        return put(name, content.getBytes(StandardCharsets.UTF_8));
    }

    CraftedZip put(Entry e) {
        entries.put(e.name(), e);
        return this;
    }

    byte[] content(String name) throws IOException {
        Entry e = entries.get(name);
        try (var in = new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(e.data()),
                new java.util.zip.Inflater(true))) {
            return in.readAllBytes();
        }
    }

    String text(String name) throws IOException {
        return new String(content(name), StandardCharsets.UTF_8);
    }

    static byte[] deflate(byte[] content) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(content);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    /**
     * Raw deflate data for {@code prefix} followed by {@code zeros} zero bytes, about 1 KB per MB:
     * after a sync flush, a megabyte of zeros compresses to the same bytes whatever came before
     * (its matches reach back at most 32 KB, into zeros), so that block is simply repeated.
     */
    static byte[] deflatedZeros(byte[] prefix, long zeros) {
        int mb = 1 << 20;
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long first = Math.min(zeros, mb);
        byte[] head = new byte[(int) (prefix.length + first)];
        System.arraycopy(prefix, 0, head, 0, prefix.length);
        out.writeBytes(flush(d, head));
        long left = zeros - first;
        if (left >= mb) {
            byte[] block = flush(d, new byte[mb]);
            for (long i = 0; i < left / mb; i++) out.writeBytes(block);
        }
        if (left % mb > 0) out.writeBytes(flush(d, new byte[(int) (left % mb)]));
        d.finish();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    private static byte[] flush(Deflater d, byte[] input) {
        d.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length || !d.needsInput());
        return out.toByteArray();
    }

    void write(Path file) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            long offset = 0;
            List<Long> offsets = new ArrayList<>();
            for (Entry e : entries.values()) {
                offsets.add(offset);
                byte[] header = header(0x04034b50, e, -1);
                out.write(header);
                out.write(e.data());
                offset += header.length + e.data().length;
            }
            long cenStart = offset;
            int i = 0;
            for (Entry e : entries.values()) {
                byte[] header = header(0x02014b50, e, offsets.get(i++));
                out.write(header);
                offset += header.length;
            }
            ByteBuffer end = le(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                    .putShort((short) entries.size()).putShort((short) entries.size())
                    .putInt((int) (offset - cenStart)).putInt((int) cenStart).putShort((short) 0);
            out.write(end.array());
        }
    }

    /** A local header ({@code localOffset < 0}) or a central directory header. */
    private static byte[] header(int signature, Entry e, long localOffset) {
        byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
        boolean central = localOffset >= 0;
        ByteBuffer b = le((central ? 46 : 30) + name.length).putInt(signature);
        if (central) b.putShort((short) 20);
        b.putShort((short) 20).putShort((short) 0x0800) // version needed; flags: UTF-8 names
                .putShort((short) (e.deflated() ? 8 : 0)).putShort((short) 0).putShort((short) 0x21)
                .putInt((int) e.crc()).putInt(e.data().length).putInt((int) e.declaredSize())
                .putShort((short) name.length).putShort((short) 0);
        if (central) b.putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) localOffset);
        return b.put(name).array();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
