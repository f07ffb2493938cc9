package dev.sinew.backend;

import static dev.sinew.TestUtil.relativeError;
import static dev.sinew.TestUtil.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.activations.Activation;
import dev.sinew.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every native kernel against its Java twin, on the same inputs, over awkward sizes. Prints the
 * normwise relative error of each comparison; all must be within 1e-4.
 */
class BackendAgreementTest {
    static final double TOL = 1e-4;
    static final int[] SIZES = {1, 3, 17, 129};
    static double worst;

    final Backend nat = Backends.nativeBackend();
    final Backend ref = Backends.reference();
    final List<Tensor> owned = new ArrayList<>();

    static Stream<Arguments> rowsAndCols() {
        List<Arguments> a = new ArrayList<>();
        for (int n : SIZES) for (int c : SIZES) a.add(Arguments.of(n, c));
        return a.stream();
    }

    Tensor t(float[] data) {
        Tensor x = Tensor.of(data, data.length);
        owned.add(x);
        return x;
    }

    void agree(String what, float[] got, float[] want) {
        double e = relativeError(got, want, 1e-6);
        worst = Math.max(worst, e);
        System.out.printf("native vs reference  %-48s max rel err %.2e%n", what, e);
        assertTrue(e <= TOL, what + ": relative error " + e + " > " + TOL);
    }

    @AfterAll
    static void report() {
        System.out.printf("BackendAgreementTest: largest native-vs-reference relative error %.3e%n", worst);
    }

    @ParameterizedTest(name = "gemm M={0} N={1} K={2}")
    @MethodSource("gemmSizes")
    void gemm(int M, int N, int K) {
        SplittableRandom rng = new SplittableRandom(M * 1000L + N * 10L + K);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                float[] a = uniform(rng, M * K, -1, 1), b = uniform(rng, K * N, -1, 1), c0 = uniform(rng, M * N, -1, 1);
                Tensor A = t(a), B = t(b), Cn = t(c0), Cr = t(c0);
                nat.gemm(ta, tb, M, N, K, 0.7f, A, B, 0.5f, Cn);
                ref.gemm(ta, tb, M, N, K, 0.7f, A, B, 0.5f, Cr);
                agree("gemm " + (ta ? "T" : "N") + (tb ? "T" : "N") + " " + M + "x" + N + "x" + K,
                        Cn.toArray(), Cr.toArray());
            }
        }
        owned.forEach(Tensor::close);
    }

    // beta = 0 overwrites C without reading it (BLAS semantics): old NaNs must not leak through,
    // whole or split over threads by rows (M = 3000); and alpha, beta != 0, 1 on the same shapes
    // (conv1's: K = 9 patches, N = 16 ... 64 filters).
    @ParameterizedTest(name = "gemm beta 0 and split, M={0} K={1}")
    @org.junit.jupiter.params.provider.CsvSource({"3, 9", "3, 17", "3000, 9", "3000, 17"})
    void gemmBetaZeroAndRowSplit(int M, int K) {
        SplittableRandom rng = new SplittableRandom(M + K);
        for (int N : new int[] {16, 32, 40, 64}) {
            float[] nan = new float[M * N], c0 = uniform(rng, M * N, -1, 1);
            java.util.Arrays.fill(nan, Float.NaN);
            Tensor A = t(uniform(rng, M * K, -1, 1)), B = t(uniform(rng, K * N, -1, 1));
            Tensor Cn = t(nan), Cr = t(new float[M * N]);
            nat.gemm(false, false, M, N, K, 1f, A, B, 0f, Cn);
            ref.gemm(false, false, M, N, K, 1f, A, B, 0f, Cr);
            agree("gemm beta 0 " + M + "x" + N + "x" + K, Cn.toArray(), Cr.toArray());
            Tensor Dn = t(c0), Dr = t(c0);
            nat.gemm(false, false, M, N, K, 0.7f, A, B, 0.5f, Dn);
            ref.gemm(false, false, M, N, K, 0.7f, A, B, 0.5f, Dr);
            agree("gemm alpha 0.7 beta 0.5 " + M + "x" + N + "x" + K, Dn.toArray(), Dr.toArray());
        }
        owned.forEach(Tensor::close);
    }

    static Stream<Arguments> gemmSizes() {
        List<Arguments> a = new ArrayList<>();
        for (int m : SIZES) for (int n : SIZES) for (int k : new int[] {1, 9, 17, 129}) a.add(Arguments.of(m, n, k));
        return a.stream();
    }

    @ParameterizedTest(name = "activations N={0} C={1}")
    @MethodSource("rowsAndCols")
    void activationsForwardAndBackward(int N, int C) {
        SplittableRandom rng = new SplittableRandom(N * 31L + C);
        for (Activation act : Activation.values()) {
            // leaky_relu and elu also with a parameter other than their default
            float[] alphas = act == Activation.LEAKY_RELU || act == Activation.ELU
                    ? new float[] {act.defaultAlpha(), 0.7f} : new float[] {act.defaultAlpha()};
            for (float alpha : alphas) {
                float[] z = uniform(rng, N * C, -4, 4), b = uniform(rng, C, -1, 1), dy = uniform(rng, N * C, -1, 1);
                Tensor Z = t(z), B = t(b), Yn = t(new float[N * C]), Yr = t(new float[N * C]);
                Tensor ZB = t(new float[N * C]); // the pre-activation z + b, which some backwards read
                ref.biasActivation(ZB, Z, B, N, C, Activation.LINEAR);
                nat.biasActivation(Yn, Z, B, N, C, act, alpha);
                ref.biasActivation(Yr, Z, B, N, C, act, alpha);
                String what = act + (alpha == act.defaultAlpha() ? "" : " alpha " + alpha);
                agree("bias+" + what + " forward " + N + "x" + C, Yn.toArray(), Yr.toArray());
                Tensor dZn = t(new float[N * C]), dZr = t(new float[N * C]), DY = t(dy);
                nat.activationBackward(dZn, ZB, Yr, DY, N, C, act, alpha);
                ref.activationBackward(dZr, ZB, Yr, DY, N, C, act, alpha);
                agree(what + " backward " + N + "x" + C, dZn.toArray(), dZr.toArray());
            }
        }
        owned.forEach(Tensor::close);
    }

    @ParameterizedTest(name = "losses N={0} C={1}")
    @MethodSource("rowsAndCols")
    void lossesAndReductions(int N, int C) {
        SplittableRandom rng = new SplittableRandom(N * 7L + C);
        float[] logits = uniform(rng, N * C, -3, 3);
        Tensor P = t(new float[N * C]);
        ref.biasActivation(P, t(logits), null, N, C, Activation.SOFTMAX);
        Tensor T = t(TestUtil.flatten(TestUtil.oneHot(rng, N, C)));
        Tensor R = t(uniform(rng, N * C, -1, 1));
        float scale = 1f / N;

        Tensor gn = t(new float[N * C]), gr = t(new float[N * C]);
        double ln = nat.softmaxCrossEntropy(gn, P, T, N, C, scale), lr = ref.softmaxCrossEntropy(gr, P, T, N, C, scale);
        agree("softmax+CE loss " + N + "x" + C, new float[] {(float) ln}, new float[] {(float) lr});
        agree("softmax+CE grad " + N + "x" + C, gn.toArray(), gr.toArray());

        ln = nat.crossEntropy(gn, P, T, N, C, scale);
        lr = ref.crossEntropy(gr, P, T, N, C, scale);
        agree("CE loss " + N + "x" + C, new float[] {(float) ln}, new float[] {(float) lr});
        agree("CE grad " + N + "x" + C, gn.toArray(), gr.toArray());

        ln = nat.squaredError(gn, R, T, N, C, scale);
        lr = ref.squaredError(gr, R, T, N, C, scale);
        agree("MSE loss " + N + "x" + C, new float[] {(float) ln}, new float[] {(float) lr});
        agree("MSE grad " + N + "x" + C, gn.toArray(), gr.toArray());

        Tensor sn = t(new float[C]), sr = t(new float[C]);
        nat.columnSum(sn, R, N, C);
        ref.columnSum(sr, R, N, C);
        agree("column sum " + N + "x" + C, sn.toArray(), sr.toArray());

        assertEquals(ref.countArgmaxMatches(P, T, N, C), nat.countArgmaxMatches(P, T, N, C), "argmax matches");
        assertEquals(ref.countThresholdMatches(P, T, (long) N * C, 0.5f),
                nat.countThresholdMatches(P, T, (long) N * C, 0.5f), "threshold matches");
        owned.forEach(Tensor::close);
    }

    @ParameterizedTest(name = "Keras losses N={0} C={1}")
    @MethodSource("rowsAndCols")
    void kerasLosses(int N, int C) {
        SplittableRandom rng = new SplittableRandom(N * 13L + C);
        Tensor P = t(uniform(rng, N * C, -0.2, 1.2)); // includes values past the 0/1 clips
        Tensor Z = t(uniform(rng, N * C, -30, 30));   // logits, some saturating
        Tensor T01 = t(TestUtil.flatten(TestUtil.oneHot(rng, N, C)));
        Tensor TU = t(uniform(rng, N * C, -0.5, 1.5));
        Tensor Ppos = t(uniform(rng, N * C, 0.01, 2)); // poisson: log(p) is NaN below 0, in Keras too
        float scale = 1f / N;
        Tensor gn = t(new float[N * C]), gr = t(new float[N * C]);
        for (PointwiseLoss loss : PointwiseLoss.values()) {
            for (Tensor T : List.of(T01, TU)) {
                Tensor X = loss == PointwiseLoss.BCE_LOGITS ? Z : loss == PointwiseLoss.POISSON ? Ppos : P;
                float param = loss == PointwiseLoss.HUBER ? 0.3f : loss.name().startsWith("BCE") ? 0.1f : 0f;
                double ln = nat.pointwiseLoss(gn, X, T, N, C, scale, loss, param);
                double lr = ref.pointwiseLoss(gr, X, T, N, C, scale, loss, param);
                String what = loss + (T == T01 ? " 0/1" : " soft") + " " + N + "x" + C;
                agree(what + " loss", new float[] {(float) ln}, new float[] {(float) lr});
                agree(what + " grad", gn.toArray(), gr.toArray());
            }
        }
        for (CrossEntropyInput input : CrossEntropyInput.values()) {
            Tensor X = input == CrossEntropyInput.LOGITS ? Z : P;
            double ln = nat.crossEntropySmoothed(gn, X, T01, N, C, scale, input, 0.1f);
            double lr = ref.crossEntropySmoothed(gr, X, T01, N, C, scale, input, 0.1f);
            agree("CE smoothed " + input + " " + N + "x" + C + " loss", new float[] {(float) ln}, new float[] {(float) lr});
            agree("CE smoothed " + input + " " + N + "x" + C + " grad", gn.toArray(), gr.toArray());
        }
        double ln = nat.categoricalHinge(gn, P, T01, N, C, scale), lr = ref.categoricalHinge(gr, P, T01, N, C, scale);
        agree("categorical hinge " + N + "x" + C + " loss", new float[] {(float) ln}, new float[] {(float) lr});
        agree("categorical hinge " + N + "x" + C + " grad", gn.toArray(), gr.toArray());
        ln = nat.cosineSimilarity(gn, P, TU, N, C, scale);
        lr = ref.cosineSimilarity(gr, P, TU, N, C, scale);
        agree("cosine similarity " + N + "x" + C + " loss", new float[] {(float) ln}, new float[] {(float) lr});
        agree("cosine similarity " + N + "x" + C + " grad", gn.toArray(), gr.toArray());
        owned.forEach(Tensor::close);
    }

    @ParameterizedTest(name = "optimizer n={0}")
    @MethodSource("optimizerSizes")
    void optimizerUpdatesAndFiniteness(int n) {
        SplittableRandom rng = new SplittableRandom(n);
        float[] w = uniform(rng, n, -1, 1), g = uniform(rng, n, -1, 1), v = uniform(rng, n, -0.1, 0.1);
        Tensor Wn = t(w), Wr = t(w), G = t(g);
        nat.axpy(n, -0.1f, G, Wn);
        ref.axpy(n, -0.1f, G, Wr);
        agree("axpy n=" + n, Wn.toArray(), Wr.toArray());
        for (boolean nesterov : new boolean[] {false, true}) {
            Tensor wn = t(w), wr = t(w), vn = t(v), vr = t(v);
            nat.sgdMomentum(wn, vn, G, n, 0.05f, 0.9f, nesterov);
            ref.sgdMomentum(wr, vr, G, n, 0.05f, 0.9f, nesterov);
            agree("sgd momentum (nesterov=" + nesterov + ") w n=" + n, wn.toArray(), wr.toArray());
            agree("sgd momentum (nesterov=" + nesterov + ") v n=" + n, vn.toArray(), vr.toArray());
        }
        float[] bad = w.clone();
        bad[n / 2] = Float.NaN;
        if (n > 2) bad[n - 1] = Float.NEGATIVE_INFINITY;
        Tensor B = t(bad);
        assertEquals(ref.countNonFinite(B, n), nat.countNonFinite(B, n));
        assertEquals(n > 2 ? 2 : 1, nat.countNonFinite(B, n));
        owned.forEach(Tensor::close);
    }

    /** One optimizer kernel applied to weights w, gradient g and state tensors s, on one backend. */
    interface Update {
        void apply(Backend b, Tensor w, Tensor g, Tensor[] s, int n);
    }

    /**
     * The adaptive optimizers' fused kernels (keras/src/optimizers/*.py), three steps each from the
     * same random weights, gradients and non-negative state: weights and every state variable must
     * agree. The hyper-parameters are arbitrary but valid; OptimizerGoldenTest checks the formulas.
     */
    @ParameterizedTest(name = "adaptive optimizers n={0}")
    @MethodSource("optimizerSizes")
    void adaptiveOptimizerKernels(int n) {
        Map<String, Update> kernels = new LinkedHashMap<>();
        kernels.put("rmsprop", (b, w, g, s, k) -> b.rmsprop(w, g, s[0], null, null, k, 0.01f, 0.9f, 0.1f, 0f, 1e-7f));
        kernels.put("rmsprop centered momentum",
                (b, w, g, s, k) -> b.rmsprop(w, g, s[0], s[1], s[2], k, 0.01f, 0.9f, 0.1f, 0.5f, 1e-7f));
        kernels.put("adagrad", (b, w, g, s, k) -> b.adagrad(w, g, s[0], k, 0.1f, 1e-7f));
        kernels.put("adadelta", (b, w, g, s, k) -> b.adadelta(w, g, s[0], s[1], k, 1f, 0.95f, 0.05f, 1e-6f));
        kernels.put("adamax", (b, w, g, s, k) -> b.adamax(w, g, s[0], s[1], k, 0.01f, 0.1f, 0.999f, 1e-7f, 0.729f));
        kernels.put("nadam", (b, w, g, s, k) -> b.nadam(w, g, s[0], s[1], k, 0.01f, 0.9f, 0.999f, 1e-7f, 0.47f, 0.48f,
                0.2f, 0.997f));
        kernels.put("lion", (b, w, g, s, k) -> b.lion(w, g, s[0], k, 0.001f, 0.9f, 0.99f));
        for (Map.Entry<String, Update> e : kernels.entrySet()) {
            SplittableRandom rng = new SplittableRandom(n);
            float[] w = uniform(rng, n, -1, 1);
            float[][] state = new float[3][];
            // second moments and norms are >= 0; centered RMSprop needs v >= a^2 (a = state 1 <= 0.1)
            for (int i = 0; i < 3; i++) state[i] = uniform(rng, n, i == 0 ? 0.02 : 0, 0.1);
            Tensor wn = t(w), wr = t(w);
            Tensor[] sn = new Tensor[3], sr = new Tensor[3];
            for (int i = 0; i < 3; i++) {
                sn[i] = t(state[i]);
                sr[i] = t(state[i]);
            }
            for (int step = 0; step < 3; step++) {
                Tensor g = t(uniform(rng, n, -1, 1));
                e.getValue().apply(nat, wn, g, sn, n);
                e.getValue().apply(ref, wr, g, sr, n);
            }
            agree(e.getKey() + " w n=" + n, wn.toArray(), wr.toArray());
            for (int i = 0; i < 3; i++) agree(e.getKey() + " state " + i + " n=" + n, sn[i].toArray(), sr[i].toArray());
        }
        owned.forEach(Tensor::close);
    }

    static Stream<Integer> optimizerSizes() {
        return Stream.of(1, 3, 17, 129, 100_003);
    }
}
