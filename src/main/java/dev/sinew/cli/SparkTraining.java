package dev.sinew.cli;

import dev.sinew.data.Splits;
import dev.sinew.data.TrainTest;
import dev.sinew.examples.Networks;
import dev.sinew.models.FitOptions;
import dev.sinew.models.History;
import dev.sinew.models.Model;
import dev.sinew.spark.Sample;
import dev.sinew.spark.SparkTrainer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** The work of {@link SparkTrainCommand}, in a class of its own because it names Spark's types. */
final class SparkTraining {
    private SparkTraining() {}

    static int run(SparkTrainCommand c) throws Exception {
        TrainTest data = c.common.load();
        Splits s = c.split.split(data, c.seed);
        SparkConf conf = new SparkConf().setMaster(c.master).setAppName("sinew spark-train")
                .set("spark.ui.enabled", "false").set("spark.log.level", "WARN");
        long t0 = System.nanoTime();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            System.out.printf("Spark %s, master %s, started in %.1f s%n", sc.version(), c.master, (System.nanoTime() - t0) / 1e9);
            int partitions = c.partitions != null ? c.partitions : sc.defaultParallelism();
            JavaRDD<Sample> samples = Sample.rdd(sc, s.train(), partitions).cache();
            FitOptions options = FitOptions.builder().batchSize(c.batchSize).epochs(c.epochs).seed(c.seed)
                    .validationData(s.validation()).verbose(c.verbose).build();
            try (Model net = Networks.notebookMlp(c.seed)) {
                SparkTrainer.Builder b = SparkTrainer.builder(sc, net);
                SparkTrainer trainer = (c.mode.equals("exact") ? b.exact() : b.averaging(c.k)).build();
                long start = System.nanoTime();
                History h = trainer.fit(samples, options);
                double seconds = (System.nanoTime() - start) / 1e9;
                float[] test = net.evaluate(s.test(), 1000);
                System.out.printf("Spark %s: %d epochs in %.1f s (%.2f s/epoch, validation included); test loss %.4f, accuracy %.4f;"
                        + " %s%n", c.mode + (c.mode.equals("averaging") ? " K=" + c.k : ""), h.epochs(), seconds, seconds / h.epochs(),
                        test[0], test[1], trainer.lastStats());
            }
            samples.unpersist(false);
        }
        if (c.compare) {
            try (Model net = Networks.notebookMlp(c.seed)) {
                FitOptions options = FitOptions.builder().batchSize(c.batchSize).epochs(c.epochs).seed(c.seed)
                        .validationData(s.validation()).verbose(c.verbose).build();
                long start = System.nanoTime();
                History h = net.fit(s.train(), options);
                double seconds = (System.nanoTime() - start) / 1e9;
                float[] test = net.evaluate(s.test(), 1000);
                System.out.printf("Single-process fit: %d epochs in %.1f s (%.2f s/epoch); test loss %.4f, accuracy %.4f%n",
                        h.epochs(), seconds, seconds / h.epochs(), test[0], test[1]);
            }
        }
        return 0;
    }
}
