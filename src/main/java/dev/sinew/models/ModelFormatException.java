package dev.sinew.models;

import java.io.IOException;

/**
 * A model file that is truncated, corrupt, crafted, or not a Sinew model at all. The message
 * names the file, the entry inside it ({@code config.json}, {@code weights/000_dense_kernel.npy},
 * ...) and what is wrong with it.
 */
public class ModelFormatException extends IOException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
