package dev.sinew.data;

import java.io.IOException;

/** An IDX file that is truncated, corrupt, or not IDX at all; the message names the file and what is wrong. */
public class IdxFormatException extends IOException {
    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
