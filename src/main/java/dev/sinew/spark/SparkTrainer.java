package dev.sinew.spark;

import dev.sinew.models.FitOptions;
import dev.sinew.models.History;
import dev.sinew.models.Model;
import dev.sinew.models.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * Trains a compiled Sinew model on a {@code JavaRDD} of {@link Sample}s with Spark executors, with
 * {@code fit}'s semantics: the same {@link FitOptions} (batch size, epochs, seed, shuffle,
 * validation data, callbacks such as EarlyStopping, verbosity), the same {@link History}, and the
 * model trained in place on the driver.
 * <pre>{@code
 * JavaRDD<Sample> samples = Sample.rdd(sc, train, 2);
 * SparkTrainer trainer = SparkTrainer.builder(sc, model).exact().build();      // or .averaging(10)
 * History h = trainer.fit(samples, FitOptions.builder().batchSize(100).epochs(30)
 *         .validationData(validation).callbacks(new EarlyStopping("val_accuracy", 5)).build());
 * }</pre>
 * Two modes:
 * <ul>
 *   <li>{@link Mode#EXACT}: per step, the global batch (the same shuffle and batches as
 *       {@code fit} with the same seed) is split across the partitions holding its samples; each
 *       computes the gradient of its part, the driver sums them in a fixed order and applies the
 *       model's optimizer, whose state stays on the driver. Equals {@code fit} up to float
 *       rounding for models whose layers treat samples independently; BatchNormalization uses
 *       each partition's own batch statistics, and Dropout masks numbered by round and
 *       partition instead of fit's (random and fixed by the seed, but not fit's).</li>
 *   <li>{@link Mode#AVERAGING}: each of P partitions trains K local steps (on a P-th of the
 *       global batch each) from the driver's weights and optimizer state, then the driver
 *       averages weights and state (Deeplearning4j's parameter averaging). One Spark job per K
 *       steps; not {@code fit}'s result.</li>
 * </ul>
 * Executors rebuild the model once per run from its saved file (broadcast once); each round
 * then moves the weights as a flat {@code float[]} broadcast ({@link #lastStats()} counts the
 * bytes and times the rounds). A task that fails is retried by Spark from the same broadcast
 * inputs (and the same random streams), and the driver's model changes only once every task of a
 * round has succeeded, so a retry cannot change the result. Executor JVMs need
 * {@code --enable-native-access=ALL-UNNAMED} ({@code spark.executor.extraJavaOptions}) to load
 * Sinew's native libraries without a warning, as the driver does.
 */
public final class SparkTrainer {
    /** How executors' work becomes the driver's model. */
    public enum Mode {
        /** Synchronous data parallelism: gradients summed each step, equal to {@code fit}. */
        EXACT,
        /** Parameter averaging every K local steps. */
        AVERAGING
    }

    private final JavaSparkContext sc;
    private final Model model;
    private final Mode mode;
    private final int averagingFrequency;
    private RoundStats lastStats = new RoundStats(0, 0, 0, 0, 0);

    private SparkTrainer(Builder b) {
        this.sc = b.sc;
        this.model = b.model;
        this.mode = b.mode;
        this.averagingFrequency = b.averagingFrequency;
    }

    /** A trainer of {@code model} (compiled, one input and one output) on {@code sc}'s executors; exact mode by default. */
    public static Builder builder(JavaSparkContext sc, Model model) {
        return new Builder(sc, model);
    }

    public Mode mode() {
        return mode;
    }

    /** K: local steps between averagings (averaging mode; 1 in exact mode). */
    public int averagingFrequency() {
        return averagingFrequency;
    }

    /** What the last {@link #fit}'s rounds cost: how many, bytes broadcast and collected, wall and compute time. */
    public RoundStats lastStats() {
        return lastStats;
    }

    /**
     * Trains the model on {@code samples} as {@code model.fit} would on the same samples in
     * memory, in RDD order (exact mode), and returns the History. {@code validationSplit} is
     * refused (it needs the data in memory): give {@code validationData}, which is evaluated on
     * the driver at each epoch's end. Spark serialises an RDD's lineage with every job, that is
     * with every round: an RDD made by {@code sc.parallelize(rows)} carries all its rows in it,
     * so make one with {@link Sample#rdd} (which broadcasts them once) or read it from storage.
     */
    public History fit(JavaRDD<Sample> samples, FitOptions options) {
        if (samples == null || options == null) throw new IllegalArgumentException("fit: samples and options must not be null");
        int features = (int) model.inputShape().size();
        JavaRDD<Shard> shards = samples.zipWithIndex().mapPartitions(it -> Shard.of(it, features), true)
                .persist(StorageLevel.MEMORY_ONLY());
        Run run = null;
        try {
            List<Shard.Summary> summaries = shards.map(Shard::summary).collect(); // also fills the cache
            int[] sizes = new int[summaries.size()];
            int n = 0;
            for (int p = 0; p < sizes.length; p++) {
                if (summaries.get(p).problem() != null) throw new IllegalArgumentException("fit: " + summaries.get(p).problem());
                sizes[p] = summaries.get(p).size();
                n += sizes[p];
            }
            run = new Run(sc, shards, sizes, modelFile(model), model);
            Trainer.Steps steps = mode == Mode.EXACT ? new ExactSteps(run)
                    : new AveragingSteps(run, averagingFrequency, options.batchSize(), options.shuffle(), Trainer.shuffleSeed(model, options));
            if (options.verbose() > 0) {
                System.out.printf("SparkTrainer: %s mode%s, %d samples in %d partitions, %,d weights (%,d B a block)%n",
                        mode.name().toLowerCase(java.util.Locale.ROOT), mode == Mode.AVERAGING ? " (K = " + averagingFrequency + ")" : "",
                        n, sizes.length, model.countParams(), 4 * model.countParams());
            }
            History h = Trainer.fit(model, n, options, steps);
            if (options.verbose() > 0) System.out.println("SparkTrainer: " + run.stats);
            return h;
        } finally {
            if (run != null) {
                lastStats = run.stats;
                release(run);
            }
            shards.unpersist(false);
        }
    }

    /** Closes the executors' model copies (through a job over the shards, and in this JVM for local mode). */
    private static void release(Run run) {
        String id = run.id;
        try {
            run.shards.foreachPartition(it -> ExecutorModels.release(id));
        } finally {
            ExecutorModels.release(id);
            run.modelFile.destroy();
        }
    }

    /** The model's file (config, weights, optimizer) as bytes: what executors rebuild their copies from. */
    private static byte[] modelFile(Model model) {
        try {
            Path tmp = Files.createTempFile("sinew-spark-", ".zip");
            try {
                model.save(tmp);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the model for the executors: " + e.getMessage(), e);
        }
    }

    /** {@code SparkTrainer.builder(sc, model).exact()} or {@code .averaging(k)}, then {@code build()}. */
    public static final class Builder {
        private final JavaSparkContext sc;
        private final Model model;
        private Mode mode = Mode.EXACT;
        private int averagingFrequency = 1;

        private Builder(JavaSparkContext sc, Model model) {
            if (sc == null) throw new IllegalArgumentException("SparkTrainer: the Spark context is null");
            if (model == null) throw new IllegalArgumentException("SparkTrainer: the model is null");
            this.sc = sc;
            this.model = model;
        }

        /** Exact mode: the summed gradient of each global batch, applied on the driver (the default). */
        public Builder exact() {
            mode = Mode.EXACT;
            averagingFrequency = 1;
            return this;
        }

        /** Averaging mode: every partition trains {@code k} local steps, then weights and optimizer state are averaged. */
        public Builder averaging(int k) {
            if (k < 1) throw new IllegalArgumentException("averaging: local steps between averagings must be at least 1, got " + k);
            mode = Mode.AVERAGING;
            averagingFrequency = k;
            return this;
        }

        public SparkTrainer build() {
            if (model.isClosed()) throw new IllegalStateException("SparkTrainer: the model is closed");
            if (!model.isCompiled()) {
                throw new IllegalStateException("SparkTrainer: model \"" + model.name() + "\" must be compiled first: call compile(loss, optimizer, metrics...)");
            }
            if (model.inputCount() != 1 || model.outputCount() != 1) {
                throw new IllegalArgumentException("SparkTrainer trains models of one input and one output; model \"" + model.name()
                        + "\" has " + model.inputCount() + " inputs and " + model.outputCount() + " outputs");
            }
            if (model.isView()) throw new IllegalArgumentException("SparkTrainer: model \"" + model.name() + "\" is a view of another model's weights");
            return new SparkTrainer(this);
        }
    }
}
