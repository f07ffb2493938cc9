package dev.sinew.layers;

import static dev.sinew.layers.ConvPoolGradientCheckTest.check;
import static dev.sinew.layers.ConvPoolGradientCheckTest.compare;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sinew.activations.Activation;
import dev.sinew.backend.Backends;
import dev.sinew.backend.NativeBackend;
import dev.sinew.layers.ConvPoolGradientCheckTest.Case;
import dev.sinew.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D, Reshape, Permute, and Conv2D / Dense
 * without a bias: (1) central finite differences against the analytic backward pass on the
 * reference backend; (2) the native backend equal to the reference on the output, dx and every
 * weight gradient, for batches of 1 and 3, and for a batch split over three threads.
 */
class PoolingReshapingGradientCheckTest {

    static Stream<Arguments> cases() {
        List<Case> c = new ArrayList<>();
        for (boolean keep : new boolean[] {false, true}) {
            c.add(new Case("GlobalAveragePooling2D(keepdims " + keep + ")", () -> new GlobalAveragePooling2D(keep),
                    Shape.of(5, 4, 3)));
            c.add(new Case("GlobalMaxPooling2D(keepdims " + keep + ")", () -> new GlobalMaxPooling2D(keep), Shape.of(5, 4, 3)));
        }
        c.add(new Case("GlobalAveragePooling2D on 1x1", GlobalAveragePooling2D::new, Shape.of(1, 1, 4)));
        c.add(new Case("GlobalMaxPooling2D on 7x1x1", GlobalMaxPooling2D::new, Shape.of(7, 1, 1)));
        c.add(new Case("ZeroPadding2D()", ZeroPadding2D::new, Shape.of(4, 3, 2)));
        c.add(new Case("ZeroPadding2D(2, 0)", () -> new ZeroPadding2D(2, 0), Shape.of(3, 5, 1)));
        c.add(new Case("ZeroPadding2D(((0, 3), (2, 1)))", () -> new ZeroPadding2D(new int[][] {{0, 3}, {2, 1}}),
                Shape.of(4, 3, 2)));
        c.add(new Case("ZeroPadding2D(0)", () -> new ZeroPadding2D(0), Shape.of(2, 3, 2)));
        c.add(new Case("Reshape(-1, 6)", () -> new Reshape(-1, 6), Shape.of(3, 4, 2)));
        c.add(new Case("Reshape(2, 3, 4)", () -> new Reshape(2, 3, 4), Shape.of(24)));
        c.add(new Case("Permute(1)", () -> new Permute(1), Shape.of(5)));
        c.add(new Case("Permute(2, 1)", () -> new Permute(2, 1), Shape.of(3, 5)));
        c.add(new Case("Permute(2, 1, 3)", () -> new Permute(2, 1, 3), Shape.of(3, 4, 2)));
        c.add(new Case("Permute(3, 1, 2)", () -> new Permute(3, 1, 2), Shape.of(3, 4, 2)));
        c.add(new Case("Permute(1, 3, 2)", () -> new Permute(1, 3, 2), Shape.of(2, 3, 4)));
        c.add(new Case("Permute(4, 2, 3, 1)", () -> new Permute(4, 2, 3, 1), Shape.of(2, 3, 2, 3)));
        for (Activation act : new Activation[] {Activation.LINEAR, Activation.TANH, Activation.GELU}) {
            c.add(new Case("Conv2D(3, 3x3, same, " + act + ", no bias)",
                    () -> new Conv2D(3, 3, 3, 1, 1, "same", act).useBias(false), Shape.of(5, 4, 2)));
        }
        c.add(new Case("Conv2D(2, 2x1, strides 2x1, valid, no bias)",
                () -> new Conv2D(2, 2, 1, 2, 1, "valid", Activation.LINEAR).useBias(false), Shape.of(5, 3, 3)));
        c.add(new Case("Dense(4, tanh, no bias)", () -> new Dense(4, "tanh").useBias(false), Shape.of(6)));
        return c.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void finiteDifferencesMatchBackward(Case c) {
        try (LayerHarness h = new LayerHarness(c.layer().get(), c.input(), 2, Backends.reference(), 17)) {
            float[] dx = h.backward();
            check(c + " dx", dx, h.numericGradient(h.x, h.x.size(), 1e-3));
            for (int i = 0; i < h.weights.size(); i++) {
                check(c + " d" + h.layer.weightNames().get(i), h.grads.get(i).toArray(),
                        h.numericGradient(h.weights.get(i), h.weights.get(i).size(), 1e-3));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void nativeEqualsReference(Case c) {
        for (int batch : new int[] {1, 3}) nativeEqualsReference(c, c.input(), batch);
    }

    /**
     * Large enough for the native backend to split the batch over three threads (64 rows: shards
     * of 21, 21 and 22, each on its own thread), which the reference never does.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shardedCases")
    void shardedBatchesEqualTheReference(Case c) {
        int before = NativeBackend.threads();
        NativeBackend.setThreads(3);
        try {
            nativeEqualsReference(c, c.input(), 64);
        } finally {
            NativeBackend.setThreads(before);
        }
    }

    static Stream<Arguments> shardedCases() {
        Shape image = Shape.of(16, 16, 32); // 8,192 values: 64 of them are past the native backend's minimum per shard
        return Stream.of(new Case("GlobalAveragePooling2D", GlobalAveragePooling2D::new, image),
                new Case("GlobalMaxPooling2D", GlobalMaxPooling2D::new, image),
                new Case("ZeroPadding2D(((1, 2), (3, 0)))", () -> new ZeroPadding2D(new int[][] {{1, 2}, {3, 0}}), image),
                new Case("Permute(2, 3, 1)", () -> new Permute(2, 3, 1), image)).map(Arguments::of);
    }

    private static void nativeEqualsReference(Case c, Shape input, int batch) {
        try (LayerHarness ref = new LayerHarness(c.layer().get(), input, batch, Backends.reference(), 23);
                LayerHarness nat = new LayerHarness(c.layer().get(), input, batch, Backends.nativeBackend(), 23)) {
            compare(c + " b" + batch + " forward", nat.layer.forward(nat.x, batch, true).toArray(),
                    ref.layer.forward(ref.x, batch, true).toArray(), batch * (int) nat.layer.outputShape().size());
            compare(c + " b" + batch + " dx", nat.backward(), ref.backward(), Integer.MAX_VALUE);
            assertEquals(ref.weights.size(), nat.weights.size());
            for (int i = 0; i < ref.weights.size(); i++) {
                compare(c + " b" + batch + " d" + ref.layer.weightNames().get(i), nat.grads.get(i).toArray(),
                        ref.grads.get(i).toArray(), Integer.MAX_VALUE);
            }
        }
    }
}
