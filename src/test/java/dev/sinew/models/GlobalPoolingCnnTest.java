package dev.sinew.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.backend.NativeBackend;
import dev.sinew.data.Dataset;
import dev.sinew.data.Datasets;
import dev.sinew.data.TrainTest;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.GlobalAveragePooling2D;
import dev.sinew.layers.GlobalMaxPooling2D;
import dev.sinew.layers.Input;
import dev.sinew.layers.MaxPooling2D;
import dev.sinew.layers.Permute;
import dev.sinew.layers.Reshape;
import dev.sinew.layers.ZeroPadding2D;
import dev.sinew.optimizers.Adam;
import dev.sinew.optimizers.SGD;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole models with GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D, Reshape, Permute and
 * Conv2D / Dense without a bias: save and load predict bit for bit; a file written before
 * {@code use_bias} existed still loads; native equals reference with the batch split over three
 * threads; and a small all-convolutional network (no Flatten) learns Fashion-MNIST.
 */
class GlobalPoolingCnnTest {
    static final Dataset SAMPLE = Datasets.fashionMnistSample().test();

    /** Every new layer in one model. */
    static Sequential everyNewLayer(Backend b, long seed) {
        Sequential net = new Sequential(b, seed);
        net.add(new Input(28, 28, 1));
        net.add(new ZeroPadding2D(new int[][] {{1, 2}, {0, 3}}));          // (31, 31, 1)
        net.add(new Conv2D(8, 3, 2, "valid", "relu").useBias(false));      // (15, 15, 8)
        net.add(new Permute(2, 1, 3));                                      // (15, 15, 8), H and W swapped
        net.add(new Conv2D(12, 3, 1, "same", "tanh"));                      // (15, 15, 12)
        net.add(new GlobalMaxPooling2D(true));                              // (1, 1, 12)
        net.add(new Reshape(3, -1));                                        // (3, 4)
        net.add(new Permute(2, 1));                                         // (4, 3)
        net.add(new Flatten());                                             // (12,)
        net.add(new Dense(16, "relu").useBias(false));
        net.add(new Dense(10, "softmax"));
        net.compile("categorical_crossentropy", new SGD(0.05, 0.9, false), "accuracy");
        return net;
    }

    /** Conv2D without bias, then GlobalAveragePooling2D in place of Flatten. */
    static Sequential gapNet(Backend b, long seed) {
        Sequential net = new Sequential(b, seed);
        net.add(new Input(28, 28, 1));
        net.add(new ZeroPadding2D(2));
        net.add(new Conv2D(16, 3, "relu").useBias(false));
        net.add(new GlobalAveragePooling2D());
        net.add(new Dense(10, "softmax"));
        net.compile("categorical_crossentropy", new SGD(0.05), "accuracy");
        return net;
    }

    @Test
    void saveAndLoadPredictBitForBit(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("all.zip");
        Dataset small = SAMPLE.slice(0, 200);
        try (Sequential net = everyNewLayer(Backends.nativeBackend(), 3)) {
            net.fit(small, FitOptions.builder().batchSize(50).epochs(1).verbose(0).build());
            net.save(file);
            float[][] before = net.predict(small.x(), 50);
            try (Sequential loaded = Sequential.load(file)) {
                assertEquals(net.summary(), loaded.summary());
                float[][] after = loaded.predict(small.x(), 50);
                for (int i = 0; i < before.length; i++) assertArrayEquals(before[i], after[i], 0f, "row " + i);
                List<float[]> w = net.getWeights(), lw = loaded.getWeights();
                assertEquals(6, w.size(), "conv kernel; conv kernel and bias; dense kernel; dense kernel and bias");
                for (int i = 0; i < w.size(); i++) assertArrayEquals(w.get(i), lw.get(i), 0f);
            }
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String config = new String(zip.getInputStream(zip.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(config.contains("\"use_bias\": false") && config.contains("\"class_name\": \"GlobalMaxPooling2D\"")
                    && config.contains("\"keepdims\": true") && config.contains("\"dims\": [") , config);
            assertTrue(zip.getEntry("weights/000_conv2d_kernel.npy") != null && zip.getEntry("weights/001_conv2d_1_kernel.npy") != null
                    && zip.getEntry("weights/002_conv2d_1_bias.npy") != null, "entries numbered over the weights there are");
        }
    }

    /** A model file from before use_bias: the key is missing, so every Dense and Conv2D has its bias. */
    @Test
    void filesWithoutUseBiasStillLoad(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("new.zip"), old = dir.resolve("old.zip");
        Dataset small = SAMPLE.slice(0, 100);
        try (Sequential net = new Sequential(7)) {
            net.add(new Input(28, 28, 1));
            net.add(new Conv2D(4, 3, 2, "same", "relu"));
            net.add(new MaxPooling2D(2));
            net.add(new Flatten());
            net.add(new Dense(10, "softmax"));
            net.compile("categorical_crossentropy", new SGD(0.05), "accuracy");
            net.fit(small, FitOptions.builder().batchSize(50).epochs(1).verbose(0).build());
            net.save(file);
            String config;
            try (ZipFile zip = new ZipFile(file.toFile())) {
                config = new String(zip.getInputStream(zip.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8);
            }
            String without = config.replaceAll(",\\s*\"use_bias\": true", "");
            assertFalse(without.contains("use_bias"));
            SaveLoadTest.rewrite(file, old, "config.json", without);
            try (Sequential loaded = Sequential.load(old)) {
                assertEquals(4, loaded.getWeights().size());
                float[][] before = net.predict(small.x(), 50), after = loaded.predict(small.x(), 50);
                for (int i = 0; i < before.length; i++) assertArrayEquals(before[i], after[i], 0f, "row " + i);
            }
        }
    }

    /**
     * Batches of 64 on three threads: the native backend splits the rows of every layer with enough
     * work into shards of 21, 21 and 22 images (the convolutions, and gapNet's global average
     * pooling; the smaller padding and transpose layers here stay whole, and are split in
     * PoolingReshapingGradientCheckTest); outputs, loss, gradients and three training steps agree
     * with the reference.
     */
    @Test
    void nativeEqualsReferenceOnShardedBatches() {
        int before = NativeBackend.threads();
        NativeBackend.setThreads(3);
        try {
            compareModels("every new layer", b -> everyNewLayer(b, 99));
            compareModels("gap net", b -> gapNet(b, 99));
        } finally {
            NativeBackend.setThreads(before);
        }
    }

    private static void compareModels(String name, Function<Backend, Sequential> make) {
        SplittableRandom rng = new SplittableRandom(5);
        float[][] x = TestUtil.uniform(rng, 64, 784, 0, 1);
        float[][] y = TestUtil.oneHot(rng, 64, 10);
        try (Sequential nat = make.apply(Backends.nativeBackend()); Sequential ref = make.apply(Backends.reference())) {
            NativeMatchesReferenceTest.compare(name + " predict", TestUtil.flatten(nat.predictOnBatch(x)),
                    TestUtil.flatten(ref.predictOnBatch(x)));
            NativeMatchesReferenceTest.compare(name + " loss", new float[] {(float) nat.computeGradients(x, y)},
                    new float[] {(float) ref.computeGradients(x, y)});
            List<float[]> gn = nat.getGradients(), gr = ref.getGradients();
            for (int i = 0; i < gn.size(); i++) NativeMatchesReferenceTest.compare(name + " grad " + i, gn.get(i), gr.get(i));
            for (int step = 0; step < 3; step++) {
                NativeMatchesReferenceTest.compare(name + " step " + step, nat.trainOnBatch(x, y), ref.trainOnBatch(x, y));
            }
            List<float[]> wn = nat.getWeights(), wr = ref.getWeights();
            for (int i = 0; i < wn.size(); i++) NativeMatchesReferenceTest.compare(name + " weights after 3 steps " + i, wn.get(i), wr.get(i));
        }
    }

    /**
     * Three convolutions without biases (8, 16, 32 filters, "same", two 2x2 max poolings between
     * them), global average pooling and one Dense: 6,162 weights, no Flatten. Adam(0.003), batch
     * 32, 10 epochs on the bundled sample's 3,000 training images; measured 75.6% on its 1,000
     * test images (15-16 s on two cores). A network that had not learned would be near 10%.
     */
    @Test
    void allConvolutionalNetworkLearnsFashionMnist() {
        TrainTest d = Datasets.fashionMnistSample();
        try (Sequential net = new Sequential(1)) {
            net.add(new Input(28, 28, 1));
            net.add(new Conv2D(8, 3, 1, "same", "relu").useBias(false));
            net.add(new MaxPooling2D(2));
            net.add(new Conv2D(16, 3, 1, "same", "relu").useBias(false));
            net.add(new MaxPooling2D(2));
            net.add(new Conv2D(32, 3, 1, "same", "relu").useBias(false));
            net.add(new GlobalAveragePooling2D());
            net.add(new Dense(10, "softmax"));
            net.compile("categorical_crossentropy", new Adam(3e-3), "accuracy");
            System.out.print(net.summary());
            long start = System.nanoTime();
            History h = net.fit(d.train(), FitOptions.builder().batchSize(32).epochs(10).verbose(0).build());
            float[] test = net.evaluate(d.test(), 500);
            System.out.printf("all-convolutional net with global average pooling: %.1f s, training accuracy %.4f,"
                    + " test accuracy %.4f%n", (System.nanoTime() - start) / 1e9, h.last("accuracy"), test[1]);
            assertTrue(net.summary().contains("Total params: 6,162 "), "72 + 1,152 + 4,608 kernel values and Dense's 330");
            assertTrue(test[1] >= 0.72, "test accuracy " + test[1]);
        }
    }
}
