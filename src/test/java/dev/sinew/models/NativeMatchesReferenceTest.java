package dev.sinew.models;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.backend.NativeBackend;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Input;
import dev.sinew.layers.MaxPooling2D;
import dev.sinew.optimizers.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole models on the native and the reference backend, from the same seed and data: forward
 * outputs, loss, every gradient and the weights after a few SGD steps must agree within 1e-4
 * (normwise relative error, printed), over awkward sizes, every activation and both losses.
 */
class NativeMatchesReferenceTest {
    static final double TOL = 1e-4;
    static double worst;

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        int[][] shapes = {{1, 1, 1, 1}, {3, 17, 3, 1}, {17, 3, 129, 2}, {129, 17, 1, 3}, {2, 129, 17, 129}};
        String[] acts = {"linear", "relu", "sigmoid", "tanh", "softmax"};
        int k = 0;
        for (int[] s : shapes) {
            for (String act : acts) {
                // batch, in, hidden, out; the output activation varies, the hidden one cycles.
                a.add(Arguments.of(s[0], s[1], s[2], s[3], acts[k++ % acts.length], act, "mean_squared_error"));
            }
            a.add(Arguments.of(s[0], s[1], s[2], s[3], "relu", "softmax", "categorical_crossentropy"));
            a.add(Arguments.of(s[0], s[1], s[2], s[3], "tanh", "sigmoid", "categorical_crossentropy"));
        }
        return a.stream();
    }

    static Sequential model(Backend b, int in, int hidden, int out, String hiddenAct, String outAct, String loss) {
        Sequential net = new Sequential(b, 1234);
        net.add(new Input(in));
        net.add(new Dense(hidden, hiddenAct));
        net.add(new Dense(out, outAct));
        net.compile(loss, new SGD(0.05), "accuracy");
        return net;
    }

    @ParameterizedTest(name = "batch {0}, {1}-{2}-{3}, {4}/{5}, {6}")
    @MethodSource("cases")
    void sameOutputsGradientsAndSteps(int batch, int in, int hidden, int out, String hiddenAct, String outAct, String loss) {
        SplittableRandom rng = new SplittableRandom(batch * 100L + in + hidden + out);
        float[][] x = TestUtil.uniform(rng, batch, in, -1, 1);
        float[][] y = loss.startsWith("categorical") ? TestUtil.oneHot(rng, batch, out) : TestUtil.uniform(rng, batch, out, 0, 1);
        String name = String.format("b%d %d-%d-%d %s/%s %s", batch, in, hidden, out, hiddenAct, outAct, loss);
        try (Sequential nat = model(Backends.nativeBackend(), in, hidden, out, hiddenAct, outAct, loss);
                Sequential ref = model(Backends.reference(), in, hidden, out, hiddenAct, outAct, loss)) {
            compare(name + " predict", TestUtil.flatten(nat.predictOnBatch(x)), TestUtil.flatten(ref.predictOnBatch(x)));
            double ln = nat.computeGradients(x, y), lr = ref.computeGradients(x, y);
            compare(name + " loss", new float[] {(float) ln}, new float[] {(float) lr});
            List<float[]> gn = nat.getGradients(), gr = ref.getGradients();
            assertEquals(gr.size(), gn.size());
            for (int i = 0; i < gn.size(); i++) compare(name + " grad " + i, gn.get(i), gr.get(i));
            for (int step = 0; step < 3; step++) {
                float[] rn = nat.trainOnBatch(x, y), rr = ref.trainOnBatch(x, y);
                compare(name + " trainOnBatch step " + step, rn, rr);
            }
            List<float[]> wn = nat.getWeights(), wr = ref.getWeights();
            for (int i = 0; i < wn.size(); i++) compare(name + " weights after 3 steps " + i, wn.get(i), wr.get(i));
        }
    }

    static Sequential cnn(Backend b) {
        Sequential net = new Sequential(b, 99);
        net.add(new Input(28, 28, 1));
        net.add(new Conv2D(8, 3, "relu"));
        net.add(new MaxPooling2D(2));
        net.add(new Conv2D(16, 3, 1, "same", "tanh"));
        net.add(new Flatten());
        net.add(new Dense(64, "relu"));
        net.add(new Dense(10, "softmax"));
        net.compile("categorical_crossentropy", new SGD(0.05), "accuracy");
        return net;
    }

    // With several threads, the native backend splits a batch into shards (conv, pooling and dense
    // layers) and sums the shards' weight gradients; three threads make the shards uneven (32 rows:
    // 10 + 11 + 11) and batch 1 leaves a single shard.
    @ParameterizedTest(name = "batch {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {32, 1})
    void shardedBatchesMatchTheReference(int batch) {
        int before = NativeBackend.threads();
        NativeBackend.setThreads(3);
        try (Sequential nat = cnn(Backends.nativeBackend()); Sequential ref = cnn(Backends.reference())) {
            assertEquals(Math.min(3, batch), Backends.nativeBackend().forEachShard(batch, 1L << 30, (s, from, to) -> {}),
                    "shards of a large job");
            SplittableRandom rng = new SplittableRandom(batch);
            float[][] x = TestUtil.uniform(rng, batch, 784, 0, 1);
            float[][] y = TestUtil.oneHot(rng, batch, 10);
            String name = "sharded cnn b" + batch;
            compare(name + " predict", TestUtil.flatten(nat.predictOnBatch(x)), TestUtil.flatten(ref.predictOnBatch(x)));
            compare(name + " loss", new float[] {(float) nat.computeGradients(x, y)}, new float[] {(float) ref.computeGradients(x, y)});
            List<float[]> gn = nat.getGradients(), gr = ref.getGradients();
            for (int i = 0; i < gn.size(); i++) compare(name + " grad " + i, gn.get(i), gr.get(i));
            for (int step = 0; step < 3; step++) compare(name + " step " + step, nat.trainOnBatch(x, y), ref.trainOnBatch(x, y));
            List<float[]> wn = nat.getWeights(), wr = ref.getWeights();
            for (int i = 0; i < wn.size(); i++) compare(name + " weights after 3 steps " + i, wn.get(i), wr.get(i));
        } finally {
            NativeBackend.setThreads(before);
        }
    }

    static void compare(String what, float[] nat, float[] ref) {
        double e = relativeError(nat, ref, 1e-6);
        worst = Math.max(worst, e);
        if (what.contains("grad") || what.contains("predict")) {
            System.out.printf("native vs reference  %-62s max rel err %.2e%n", what, e);
        }
        assertTrue(e <= TOL, what + ": native vs reference relative error " + e + " > " + TOL);
    }

    @AfterAll
    static void report() {
        System.out.printf("NativeMatchesReferenceTest: largest native-vs-reference relative error %.3e%n", worst);
    }
}
