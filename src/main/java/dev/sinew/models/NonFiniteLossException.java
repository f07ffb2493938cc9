package dev.sinew.models;

/** Training produced a NaN or infinite loss; the message names the epoch and batch. */
public class NonFiniteLossException extends IllegalStateException {
    private final int epoch, batch;

    public NonFiniteLossException(String message, int epoch, int batch) {
        super(message);
        this.epoch = epoch;
        this.batch = batch;
    }

    /** The epoch, counted from 1. */
    public int epoch() {
        return epoch;
    }

    /** The batch within the epoch, counted from 1. */
    public int batch() {
        return batch;
    }
}
