package dev.sinew.backend;

import static dev.sinew.TestUtil.uniform;

import dev.sinew.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Max pooling's backward pass, native against the reference twin, bit for bit: the 2x2 stride-2
 * windows that tile an image take a one-pass kernel (each window's four pixels written at once)
 * and every other window the general zero-then-scatter loop; both must give the reference's
 * zero-then-add bits, -0 gradients included (0 + -0 is +0). Even and odd images (an odd last row
 * and column lie outside every window), channel counts below, at and past a vector, ties in x,
 * and windows that overlap (stride 1) or are padded ("same" on an odd image).
 */
class MaxPoolBackwardTest {
    static Stream<Arguments> windows() {
        return Stream.of(
                Arguments.of(26, 26, 32, 2, 2, "valid"), Arguments.of(11, 11, 64, 2, 2, "valid"),
                Arguments.of(6, 4, 8, 2, 2, "same"), Arguments.of(7, 5, 3, 2, 2, "valid"),
                Arguments.of(5, 6, 13, 2, 2, "valid"), Arguments.of(7, 5, 3, 2, 2, "same"),
                Arguments.of(7, 5, 9, 2, 1, "valid"), Arguments.of(7, 7, 8, 3, 2, "same"),
                Arguments.of(1, 1, 4, 1, 1, "valid"));
    }

    @ParameterizedTest(name = "{0}x{1}x{2} pool {3} stride {4} {5}")
    @MethodSource("windows")
    void nativeGivesTheReferencesBits(int H, int W, int C, int pool, int stride, String padding) {
        Window g = Window.of("test", H, W, C, pool, pool, stride, stride, padding);
        int N = 3;
        SplittableRandom rng = new SplittableRandom(H * 31 + C);
        float[] x = uniform(rng, (int) (N * g.inputSize()), -1, 1);
        for (int i = 0; i < x.length; i += 5) x[i] = 0.5f; // ties: the first maximum wins
        float[] dy = uniform(rng, (int) (N * g.pooledSize()), -1, 1);
        for (int i = 0; i < dy.length; i += 4) dy[i] = -0.0f;
        float[][] dx = new float[2][];
        Backend[] backends = {Backends.nativeBackend(), Backends.reference()};
        for (int b = 0; b < 2; b++) {
            try (Tensor xt = Tensor.of(x, x.length); Tensor dyt = Tensor.of(dy, dy.length);
                    Tensor y = Tensor.zeros((int) (N * g.pooledSize())); Tensor argmax = Tensor.zeros((int) (N * g.pooledSize()));
                    Tensor dxt = Tensor.zeros(x.length)) {
                // Backward overwrites dx: start from values that must not survive.
                dxt.copyFrom(uniform(rng, x.length, 5, 9));
                backends[b].maxPool(y, argmax, xt, N, g);
                backends[b].maxPoolBackward(dxt, dyt, argmax, N, g);
                dx[b] = dxt.toArray();
            }
        }
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(dx[0][i]) != Float.floatToRawIntBits(dx[1][i])) {
                throw new AssertionError("dx[" + i + "]: native " + dx[0][i] + ", reference " + dx[1][i]);
            }
        }
    }
}
