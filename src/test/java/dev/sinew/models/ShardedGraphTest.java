package dev.sinew.models;

import static dev.sinew.TestUtil.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.backend.NativeBackend;
import dev.sinew.layers.Activation;
import dev.sinew.layers.Add;
import dev.sinew.layers.Average;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.GlobalAveragePooling2D;
import dev.sinew.layers.Input;
import dev.sinew.layers.KerasTensor;
import dev.sinew.layers.Maximum;
import dev.sinew.layers.Multiply;
import dev.sinew.layers.Subtract;
import dev.sinew.optimizers.SGD;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The passes that run per shard of the batch besides the weighted layers: activation layers, the
 * elementwise merges, and the sums of gradients where a tensor feeds several layers (here one
 * feeds three). On three threads, with a batch that splits into three uneven shards, the native
 * model equals the reference (predictions, loss, every gradient, weights after two steps) and a
 * second native run gives the same bits.
 */
class ShardedGraphTest {
    static Model model(Backend b) {
        var in = Input.of(16, 16, 16);
        KerasTensor x = new Activation("relu").apply(new Conv2D(16, 3, "same").apply(in));
        KerasTensor y = new Activation("tanh").apply(new Conv2D(16, 3, "same").apply(x));
        KerasTensor a = new Add().apply(x, y);               // x read by the conv, Add, Subtract
        KerasTensor d = new Subtract().apply(a, x);
        KerasTensor m = new Multiply().apply(a, d);
        KerasTensor v = new Average().apply(m, a);
        KerasTensor mx = new Maximum().apply(v, d);
        KerasTensor out = new Activation("softmax").apply(new Dense(10).apply(new GlobalAveragePooling2D().apply(mx)));
        Model model = new Model(b, 5, "sharded", in, out);
        model.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
        return model;
    }

    @Test
    void shardedPassesMatchTheReferenceAndRepeatBitForBit() {
        int batch = 121, width = 16 * 16 * 16;
        int before = NativeBackend.threads();
        NativeBackend.setThreads(3);
        SplittableRandom r = new SplittableRandom(8);
        float[][] xs = TestUtil.uniform(r, batch, width, -1, 1), ys = TestUtil.oneHot(r, batch, 10);
        try (Model nat = model(Backends.nativeBackend()); Model again = model(Backends.nativeBackend());
                Model ref = model(Backends.reference())) {
            assertEquals(3, Backends.nativeBackend().forEachShard(batch, 8L * batch * width, (s, from, to) -> {}),
                    "an activation or merge pass over the batch splits into three shards");
            compare("predict", TestUtil.flatten(nat.predictOnBatch(xs)), TestUtil.flatten(ref.predictOnBatch(xs)));
            compare("loss", new float[] {(float) nat.computeGradients(xs, ys)}, new float[] {(float) ref.computeGradients(xs, ys)});
            List<float[]> gn = nat.getGradients(), gr = ref.getGradients();
            for (int i = 0; i < gn.size(); i++) compare("gradient " + i, gn.get(i), gr.get(i));
            for (int step = 0; step < 2; step++) {
                compare("step " + step, nat.trainOnBatch(xs, ys), ref.trainOnBatch(xs, ys));
                again.trainOnBatch(xs, ys);
            }
            List<float[]> wn = nat.getWeights(), wr = ref.getWeights(), wa = again.getWeights();
            for (int i = 0; i < wn.size(); i++) {
                compare("weights after 2 steps " + i, wn.get(i), wr.get(i));
                assertArrayEquals(wn.get(i), wa.get(i), 0f, "two native runs, weight " + i);
            }
        } finally {
            NativeBackend.setThreads(before);
        }
    }

    /**
     * NativeBackend.setThreads may raise the thread count after a model has sized its buffers:
     * the per-shard views of the elementwise merges, the kernels' per-shard gradients and the
     * normalisations' per-shard sums were sized for the count at their first batch, and the next
     * pass over three shards threw ArrayIndexOutOfBoundsException (Index 2 out of bounds for
     * length 2) from ElementwiseMerge.rows on a pool thread. The buffers are now sized again for
     * the new count; the model then trains and predicts as a fresh one on three threads.
     */
    @Test
    void moreThreadsAfterTheBuffersWereSized() {
        int batch = 121, width = 16 * 16 * 16;
        int before = NativeBackend.threads();
        SplittableRandom r = new SplittableRandom(8);
        float[][] xs = TestUtil.uniform(r, batch, width, -1, 1), ys = TestUtil.oneHot(r, batch, 10);
        try (Model grown = model(Backends.nativeBackend()); Model fresh = model(Backends.nativeBackend())) {
            NativeBackend.setThreads(2);
            float[][] early = grown.predictOnBatch(xs);
            grown.computeGradients(xs, ys);
            NativeBackend.setThreads(3);
            assertArrayEquals(TestUtil.flatten(fresh.predictOnBatch(xs)), TestUtil.flatten(grown.predictOnBatch(xs)), 0f,
                    "predictions on three threads after two");
            assertArrayEquals(TestUtil.flatten(early), TestUtil.flatten(grown.predictOnBatch(xs)), 1e-5f);
            assertArrayEquals(fresh.trainOnBatch(xs, ys), grown.trainOnBatch(xs, ys), 0f, "a step on three threads after two");
            List<float[]> wg = grown.getWeights(), wf = fresh.getWeights();
            for (int i = 0; i < wg.size(); i++) assertArrayEquals(wf.get(i), wg.get(i), 0f, "weight " + i);
        } finally {
            NativeBackend.setThreads(before);
        }
    }

    static void compare(String what, float[] nat, float[] ref) {
        double e = relativeError(nat, ref, 1e-6);
        System.out.printf("sharded graph, native vs reference  %-30s max rel err %.2e%n", what, e);
        assertTrue(e <= 1e-4, what + ": native vs reference relative error " + e);
    }
}
