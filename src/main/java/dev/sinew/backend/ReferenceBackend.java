package dev.sinew.backend;

import dev.sinew.activations.Activation;
import dev.sinew.tensor.Tensor;

/**
 * The same operations as {@link NativeBackend}, in plain Java loops that accumulate in double.
 * Slow, obvious and trusted: gradient checks compare it with finite differences and with the
 * native backend. Each method is the twin of one C kernel in {@code native/src/}.
 */
public final class ReferenceBackend extends Backend {
    private static final ReferenceBackend INSTANCE = new ReferenceBackend();
    private static final float XENT_EPS = 1e-7f;

    private ReferenceBackend() {}

    public static ReferenceBackend get() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    protected void gemmImpl(boolean transA, boolean transB, int M, int N, int K, float alpha,
            Tensor A, Tensor B, float beta, Tensor C) {
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double sum = 0;
                for (int k = 0; k < K; k++) {
                    float a = transA ? A.get((long) k * M + i) : A.get((long) i * K + k);
                    float b = transB ? B.get((long) j * K + k) : B.get((long) k * N + j);
                    sum += (double) a * b;
                }
                long ij = (long) i * N + j;
                // beta = 0 must ignore C entirely (it may hold garbage or NaN), as BLAS does.
                double old = beta == 0f ? 0 : (double) beta * C.get(ij);
                C.set(ij, (float) (alpha * sum + old));
            }
        }
    }

    @Override
    protected void biasActivationImpl(Tensor y, Tensor z, Tensor bias, int N, int C, Activation act) {
        for (int n = 0; n < N; n++) {
            long row = (long) n * C;
            for (int c = 0; c < C; c++) {
                double v = z.get(row + c) + (bias == null ? 0 : bias.get(c));
                y.set(row + c, (float) switch (act) {
                    case RELU -> Math.max(v, 0);
                    case SIGMOID -> 1 / (1 + Math.exp(-v));
                    case TANH -> Math.tanh(v);
                    case LINEAR, SOFTMAX -> v;
                });
            }
            if (act == Activation.SOFTMAX) softmaxRow(y, row, C);
        }
    }

    private static void softmaxRow(Tensor y, long row, int C) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < C; c++) max = Math.max(max, y.get(row + c));
        double sum = 0;
        for (int c = 0; c < C; c++) sum += Math.exp(y.get(row + c) - max);
        for (int c = 0; c < C; c++) y.set(row + c, (float) (Math.exp(y.get(row + c) - max) / sum));
    }

    @Override
    protected void activationBackwardImpl(Tensor dz, Tensor y, Tensor dy, int N, int C, Activation act) {
        for (int n = 0; n < N; n++) {
            long row = (long) n * C;
            double dot = 0;
            if (act == Activation.SOFTMAX) {
                for (int c = 0; c < C; c++) dot += (double) dy.get(row + c) * y.get(row + c);
            }
            for (int c = 0; c < C; c++) {
                double yv = y.get(row + c), g = dy.get(row + c);
                dz.set(row + c, (float) switch (act) {
                    case RELU -> yv > 0 ? g : 0;
                    case SIGMOID -> g * yv * (1 - yv);
                    case TANH -> g * (1 - yv * yv);
                    case SOFTMAX -> yv * (g - dot);
                    case LINEAR -> g;
                });
            }
        }
    }

    @Override
    protected double softmaxCrossEntropyImpl(Tensor dz, Tensor p, Tensor t, int N, int C, float scale) {
        double loss = 0;
        for (long i = 0; i < (long) N * C; i++) {
            double pv = p.get(i), tv = t.get(i);
            if (tv != 0) loss -= tv * Math.log(Math.max(pv, XENT_EPS));
            if (dz != null) dz.set(i, (float) (scale * (pv - tv)));
        }
        return loss;
    }

    @Override
    protected double crossEntropyImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        double loss = 0;
        for (long i = 0; i < (long) N * C; i++) {
            double pv = p.get(i), tv = t.get(i), pc = Math.max(pv, XENT_EPS);
            if (tv != 0) loss -= tv * Math.log(pc);
            if (dp != null) dp.set(i, pv < XENT_EPS ? 0f : (float) (-scale * tv / pc));
        }
        return loss;
    }

    @Override
    protected double squaredErrorImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        double loss = 0;
        for (long i = 0; i < (long) N * C; i++) {
            double d = (double) p.get(i) - t.get(i);
            loss += d * d;
            if (dp != null) dp.set(i, (float) (2 * scale * d));
        }
        return loss;
    }

    @Override
    protected void columnSumImpl(Tensor out, Tensor x, int N, int C) {
        for (int c = 0; c < C; c++) {
            double sum = 0;
            for (int n = 0; n < N; n++) sum += x.get((long) n * C + c);
            out.set(c, (float) sum);
        }
    }

    @Override
    protected int countArgmaxMatchesImpl(Tensor p, Tensor t, int N, int C) {
        int hits = 0;
        for (int n = 0; n < N; n++) {
            if (argmax(p, (long) n * C, C) == argmax(t, (long) n * C, C)) hits++;
        }
        return hits;
    }

    private static int argmax(Tensor x, long row, int C) {
        int best = 0;
        for (int c = 1; c < C; c++) {
            if (x.get(row + c) > x.get(row + best)) best = c;
        }
        return best;
    }

    @Override
    protected long countThresholdMatchesImpl(Tensor p, Tensor t, long n, float threshold) {
        long hits = 0;
        for (long i = 0; i < n; i++) {
            if ((p.get(i) > threshold ? 1f : 0f) == t.get(i)) hits++;
        }
        return hits;
    }

    @Override
    protected long countNonFiniteImpl(Tensor x, long n) {
        long bad = 0;
        for (long i = 0; i < n; i++) {
            if (!Float.isFinite(x.get(i))) bad++;
        }
        return bad;
    }

    @Override
    protected void axpyImpl(int n, float alpha, Tensor x, Tensor y) {
        for (long i = 0; i < n; i++) y.set(i, (float) ((double) alpha * x.get(i) + y.get(i)));
    }

    @Override
    protected void sgdMomentumImpl(Tensor w, Tensor v, Tensor g, long n, float lr, float momentum,
            boolean nesterov) {
        for (long i = 0; i < n; i++) {
            double vel = (double) momentum * v.get(i) - (double) lr * g.get(i);
            v.set(i, (float) vel);
            double step = nesterov ? momentum * (double) (float) vel - (double) lr * g.get(i) : (float) vel;
            w.set(i, (float) (w.get(i) + step));
        }
    }

    @Override
    protected void dropoutImpl(Tensor y, Tensor mask, Tensor x, long n, float rate, long seed) {
        float scale = 1f / (1f - rate);
        for (long i = 0; i < n; i++) {
            long h = mix64(seed + i * 0x9E3779B97F4A7C15L);
            float u = (h >>> 40) * 0x1.0p-24f;
            float m = u >= rate ? scale : 0f;
            mask.set(i, m);
            y.set(i, x.get(i) * m);
        }
    }

    /** splitmix64's finaliser, as in native/src/dropout.c (unsigned shifts: {@code >>>}). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    protected void multiplyImpl(Tensor y, Tensor a, Tensor b, long n) {
        for (long i = 0; i < n; i++) y.set(i, a.get(i) * b.get(i));
    }
}
