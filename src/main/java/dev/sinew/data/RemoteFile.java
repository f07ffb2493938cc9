package dev.sinew.data;

import java.util.HexFormat;

/**
 * One file as its publisher serves it: its name (the last part of its address and its name in the
 * cache), its size in bytes and its SHA-256, which a download must match before it is kept.
 */
public record RemoteFile(String name, long size, String sha256) {
    public RemoteFile {
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("a remote file's name must be a plain file name, got '" + name + "'");
        }
        if (size <= 0) throw new IllegalArgumentException(name + ": size must be positive, got " + size);
        if (sha256 == null || sha256.length() != 64 || !sha256.equals(sha256.toLowerCase())) {
            throw new IllegalArgumentException(name + ": SHA-256 must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
        HexFormat.of().parseHex(sha256); // throws IllegalArgumentException on a non-hex digit
    }
}
