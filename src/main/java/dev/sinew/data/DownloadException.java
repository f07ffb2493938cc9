package dev.sinew.data;

import java.io.IOException;

/**
 * A file could not be downloaded: its server was unreachable or refused it, the transfer kept
 * failing, or the bytes did not match the expected SHA-256. The message names the address, the
 * cache file and what went wrong. Nothing is left under the file's own name in the cache.
 */
public class DownloadException extends IOException {
    public DownloadException(String message) {
        super(message);
    }

    public DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
