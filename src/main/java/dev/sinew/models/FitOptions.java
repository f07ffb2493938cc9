package dev.sinew.models;

import dev.sinew.callbacks.Callback;
import dev.sinew.data.Dataset;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@code Model.fit}, as Keras's {@code fit(...)} keywords:
 * <pre>{@code
 * FitOptions.builder().batchSize(100).epochs(30).validationSplit(0.1)
 *         .callbacks(new EarlyStopping("val_accuracy", 3)).build()
 * }</pre>
 * Defaults as Keras: batch size 32, 1 epoch, shuffle each epoch, no validation, verbose 1.
 */
public record FitOptions(int batchSize, int epochs, double validationSplit, Dataset validationData, boolean shuffle,
        Long seed, List<Callback> callbacks, int verbose, OnNaN onNaN, int initialEpoch, ValidationArrays validationArrays) {

    /**
     * Validation data of a model of several inputs or outputs: one array per input and one per
     * output, as {@code Model.fit(List, List, FitOptions)} takes its data (Keras's
     * {@code validation_data=([xa, xb], [ya, yb])}). Checked against the model when fit starts.
     */
    public record ValidationArrays(List<float[][]> x, List<float[][]> y) {
        public ValidationArrays {
            if (x == null || y == null) throw new IllegalArgumentException("validation x and y must not be null");
            for (int i = 0; i < x.size(); i++) if (x.get(i) == null) throw new IllegalArgumentException("validation x " + i + " is null");
            for (int i = 0; i < y.size(); i++) if (y.get(i) == null) throw new IllegalArgumentException("validation y " + i + " is null");
            x = List.copyOf(x);
            y = List.copyOf(y);
        }
    }

    /** The options without validation arrays (what they were before models had several inputs and outputs). */
    public FitOptions(int batchSize, int epochs, double validationSplit, Dataset validationData, boolean shuffle, Long seed,
            List<Callback> callbacks, int verbose, OnNaN onNaN, int initialEpoch) {
        this(batchSize, epochs, validationSplit, validationData, shuffle, seed, callbacks, verbose, onNaN, initialEpoch, null);
    }

    /** What {@code fit} does when the loss becomes NaN or infinite. */
    public enum OnNaN {
        /** Throw a {@link NonFiniteLossException} naming the epoch and batch (the default). */
        THROW,
        /** Stop training, keep the epochs so far, and give the reason in {@link History#stopReason()} (Keras's TerminateOnNaN). */
        STOP
    }

    public FitOptions {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        if (validationSplit != 0 && !(validationSplit > 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("validationSplit must be in (0, 1), got " + validationSplit);
        }
        if (validationSplit != 0 && (validationData != null || validationArrays != null)) {
            throw new IllegalArgumentException("give validationSplit or validationData, not both");
        }
        if (validationData != null && validationArrays != null) {
            throw new IllegalArgumentException("give validation data once: as arrays or as lists, not both");
        }
        if (verbose < 0 || verbose > 2) throw new IllegalArgumentException("verbose must be 0, 1 or 2, got " + verbose);
        if (callbacks == null) throw new IllegalArgumentException("callbacks is null; give an empty list for none");
        for (int i = 0; i < callbacks.size(); i++) { // not contains(null): List.of's throws NullPointerException
            if (callbacks.get(i) == null) {
                throw new IllegalArgumentException("callback " + i + " of " + callbacks.size() + " is null");
            }
        }
        callbacks = List.copyOf(callbacks);
        if (onNaN == null) throw new IllegalArgumentException("onNaN is null");
        if (initialEpoch < 0) throw new IllegalArgumentException("initialEpoch must be at least 0, got " + initialEpoch);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private int batchSize = 32, epochs = 1, verbose = 1;
        private double validationSplit;
        private Dataset validationData;
        private ValidationArrays validationArrays;
        private boolean shuffle = true;
        private Long seed;
        private final List<Callback> callbacks = new ArrayList<>();
        private OnNaN onNaN = OnNaN.THROW;
        private int initialEpoch;

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        /** The fraction of the data, taken from its end before shuffling (as Keras), kept for validation. */
        public Builder validationSplit(double v) {
            validationSplit = v;
            return this;
        }

        public Builder validationData(float[][] x, float[][] y) {
            validationData = new Dataset(x, y);
            return this;
        }

        /** Validation arrays of any shape, as {@code fit(NdArray, NdArray, ...)} takes them. */
        public Builder validationData(dev.sinew.data.NdArray x, dev.sinew.data.NdArray y) {
            if (x == null || y == null) throw new IllegalArgumentException("validation x and y must not be null");
            validationData = new Dataset(x.rows(), y.rows());
            return this;
        }

        /** Validation samples with class-index labels (for the sparse losses). */
        public Builder validationData(float[][] x, int[] labels) {
            validationData = new Dataset(x, dev.sinew.data.NdArray.labels(labels).rows());
            return this;
        }

        /**
         * Validation data of a model of several inputs or outputs: one array per input, one per
         * output, in the model's orders (class indices as rows of one value for a sparse loss).
         */
        public Builder validationData(List<float[][]> x, List<float[][]> y) {
            validationArrays = new ValidationArrays(x, y);
            return this;
        }

        public Builder validationData(Dataset d) {
            validationData = d;
            return this;
        }

        public Builder shuffle(boolean v) {
            shuffle = v;
            return this;
        }

        /** Seed of the epoch shuffles; by default derived from the model's seed. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder callbacks(Callback... cs) {
            if (cs == null) throw new IllegalArgumentException("callbacks is null");
            callbacks.addAll(java.util.Arrays.asList(cs)); // a null one is named by build()
            return this;
        }

        /** 0 silent, 1 progress bar (on a terminal) and a line per epoch, 2 a line per epoch. */
        public Builder verbose(int v) {
            verbose = v;
            return this;
        }

        public Builder onNaN(OnNaN v) {
            onNaN = v;
            return this;
        }

        /**
         * Keras's {@code initial_epoch}: the epoch to start at, for resuming a run. Epochs
         * initialEpoch .. epochs - 1 are trained, and the shuffles of the epochs before are
         * replayed, so that a model saved after epoch k and loaded continues with
         * {@code initialEpoch(k)} exactly as the uninterrupted run would have.
         */
        public Builder initialEpoch(int v) {
            initialEpoch = v;
            return this;
        }

        public FitOptions build() {
            return new FitOptions(batchSize, epochs, validationSplit, validationData, shuffle, seed, callbacks, verbose, onNaN,
                    initialEpoch, validationArrays);
        }
    }
}
