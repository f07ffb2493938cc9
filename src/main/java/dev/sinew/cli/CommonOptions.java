package dev.sinew.cli;

import dev.sinew.backend.NativeBackend;
import dev.sinew.data.Datasets;
import dev.sinew.data.TrainTest;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the data commands: where the data is, and how many OpenBLAS threads. */
final class CommonOptions {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Directory with the four MNIST-format files (default: $SINEW_DATA, then"
                    + " /usr/share/datasets/fashion-mnist, then ~/.sinew/datasets/fashion-mnist, downloading it there"
                    + " once if need be, then the bundled sample)")
    Path data;

    @Option(names = "--sample", description = "Use the bundled Fashion-MNIST sample (3,000 train / 1,000 test images)")
    boolean sample;

    @Option(names = "--threads", paramLabel = "N", description = "threads to compute on (default: one per core)")
    Integer threads;

    TrainTest load() throws IOException {
        if (threads != null) {
            NativeBackend.get();
            NativeBackend.setThreads(threads);
        }
        if (sample && data != null) throw new IllegalArgumentException("give --data or --sample, not both");
        return sample ? Datasets.fashionMnistSample() : Datasets.fashionMnist(data);
    }
}
