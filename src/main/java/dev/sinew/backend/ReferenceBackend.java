package dev.sinew.backend;

import dev.sinew.activations.Activation;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

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
    protected void biasActivationImpl(Tensor y, Tensor z, Tensor bias, int N, int C, Activation act, float alpha) {
        for (int n = 0; n < N; n++) {
            long row = (long) n * C;
            for (int c = 0; c < C; c++) {
                double v = z.get(row + c) + (bias == null ? 0 : bias.get(c));
                y.set(row + c, (float) activate(v, act, alpha));
            }
            if (act == Activation.SOFTMAX) softmaxRow(y, row, C);
            if (act == Activation.LOG_SOFTMAX) logSoftmaxRow(y, row, C);
        }
    }

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI), GELU_C = 0.044715;

    // One element of each activation, as written in Activation's Javadoc (softmax: the identity
    // here, the row is normalised after).
    private static double activate(double v, Activation act, double alpha) {
        return switch (act) {
            case LINEAR, SOFTMAX, LOG_SOFTMAX -> v;
            case RELU -> Math.max(v, 0);
            case SIGMOID -> sigmoid(v);
            case TANH -> Math.tanh(v);
            case LEAKY_RELU -> v > 0 ? v : alpha * v;
            case ELU -> v > 0 ? v : alpha * Math.expm1(v);
            case SELU -> Activation.SELU_SCALE * (v > 0 ? v : Activation.SELU_ALPHA * Math.expm1(v));
            case GELU -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v)));
            case SILU -> v * sigmoid(v);
            case SOFTPLUS -> softplus(v);
            case SOFTSIGN -> v / (1 + Math.abs(v));
            case HARD_SIGMOID -> relu6(v + 3) / 6;
            case HARD_SILU -> v * relu6(v + 3) / 6;
            case RELU6 -> relu6(v);
            case EXPONENTIAL -> Math.exp(v);
            case MISH -> v * Math.tanh(softplus(v));
        };
    }

    // act'(z), from the output y or (Activation.needsInput) from z.
    private static double derivative(double z, double y, Activation act, double alpha) {
        return switch (act) {
            case LINEAR -> 1;
            case RELU -> y > 0 ? 1 : 0;
            case SIGMOID -> y * (1 - y);
            case TANH -> 1 - y * y;
            case SOFTMAX, LOG_SOFTMAX -> throw new AssertionError("softmax is handled per row");
            case LEAKY_RELU -> y > 0 ? 1 : alpha;
            case ELU -> y > 0 ? 1 : y + alpha;
            case SELU -> y > 0 ? Activation.SELU_SCALE : y + Activation.SELU_SCALE * Activation.SELU_ALPHA;
            case GELU -> 0.5 * (1 + erf(z / Math.sqrt(2))) + z * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
            case GELU_TANH -> {
                double t = Math.tanh(SQRT_2_OVER_PI * (z + GELU_C * z * z * z));
                yield 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_C * z * z);
            }
            case SILU -> {
                double s = sigmoid(z);
                yield s * (1 + z * (1 - s));
            }
            case SOFTPLUS -> -Math.expm1(-y);
            case SOFTSIGN -> (1 - Math.abs(y)) * (1 - Math.abs(y));
            case HARD_SIGMOID -> y > 0 && y < 1 ? 1.0 / 6 : 0;
            case HARD_SILU -> z < -3 ? 0 : z > 3 ? 1 : (2 * z + 3) / 6;
            case RELU6 -> y > 0 && y < 6 ? 1 : 0;
            case EXPONENTIAL -> y;
            case MISH -> {
                double t = Math.tanh(softplus(z));
                yield t + z * (1 - t * t) * sigmoid(z);
            }
        };
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    private static double softplus(double v) {
        return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }

    private static double relu6(double v) {
        return Math.min(Math.max(v, 0), 6);
    }

    /**
     * erf(x), which java.lang.Math lacks: the Chebyshev fit of erfc in Numerical Recipes
     * (erfcc, fractional error below 1.2e-7 everywhere), below float's resolution.
     */
    static double erf(double x) {
        double t = 1 / (1 + 0.5 * Math.abs(x));
        double erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc : erfc - 1;
    }

    private static void logSoftmaxRow(Tensor y, long row, int C) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < C; c++) max = Math.max(max, y.get(row + c));
        double sum = 0;
        for (int c = 0; c < C; c++) sum += Math.exp(y.get(row + c) - max);
        double shift = max + Math.log(sum);
        for (int c = 0; c < C; c++) y.set(row + c, (float) (y.get(row + c) - shift));
    }

    private static void softmaxRow(Tensor y, long row, int C) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < C; c++) max = Math.max(max, y.get(row + c));
        double sum = 0;
        for (int c = 0; c < C; c++) sum += Math.exp(y.get(row + c) - max);
        for (int c = 0; c < C; c++) y.set(row + c, (float) (Math.exp(y.get(row + c) - max) / sum));
    }

    @Override
    protected void activationBackwardImpl(Tensor dz, Tensor z, Tensor y, Tensor dy, int N, int C,
            Activation act, float alpha) {
        for (int n = 0; n < N; n++) {
            long row = (long) n * C;
            double dot = 0;
            if (act == Activation.SOFTMAX) {
                for (int c = 0; c < C; c++) dot += (double) dy.get(row + c) * y.get(row + c);
            }
            if (act == Activation.LOG_SOFTMAX) {
                for (int c = 0; c < C; c++) dot += dy.get(row + c); // the row's sum of g
            }
            for (int c = 0; c < C; c++) {
                double yv = y.get(row + c), g = dy.get(row + c);
                double zv = z == null ? 0 : z.get(row + c);
                dz.set(row + c, (float) switch (act) {
                    case SOFTMAX -> yv * (g - dot);
                    case LOG_SOFTMAX -> g - Math.exp(yv) * dot;
                    default -> g * derivative(zv, yv, act, alpha);
                });
            }
        }
    }

    @Override
    protected void reluImpl(Tensor y, Tensor x, long n, float maxValue, float negativeSlope, float threshold) {
        for (long i = 0; i < n; i++) {
            double v = x.get(i);
            y.set(i, (float) (v > threshold ? Math.min(v, maxValue) : (double) negativeSlope * (v - threshold)));
        }
    }

    @Override
    protected void reluBackwardImpl(Tensor dx, Tensor x, Tensor dy, long n, float maxValue, float negativeSlope,
            float threshold) {
        for (long i = 0; i < n; i++) {
            double v = x.get(i);
            dx.set(i, (float) (dy.get(i) * (v > threshold ? (v < maxValue ? 1 : 0) : (double) negativeSlope)));
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

    private static final double KERAS_EPS = 1e-7;

    @Override
    protected double pointwiseLossImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale, PointwiseLoss loss,
            float param) {
        long total = (long) N * C;
        boolean hinge = loss == PointwiseLoss.HINGE || loss == PointwiseLoss.SQUARED_HINGE;
        boolean binary = true; // Keras converts 0/1 hinge labels to -1/1 only when the whole batch is binary
        for (long i = 0; hinge && i < total; i++) binary &= t.get(i) == 0f || t.get(i) == 1f;
        double sum = 0;
        double[] g = new double[1];
        for (long i = 0; i < total; i++) {
            double tv = hinge && binary ? 2.0 * t.get(i) - 1.0 : t.get(i);
            sum += pointwise(loss, p.get(i), tv, param, g);
            if (dp != null) dp.set(i, (float) (scale * g[0]));
        }
        return sum;
    }

    /** One element's value; its derivative in g[0]. The formulas are listed in sinew.h. */
    private static double pointwise(PointwiseLoss loss, double p, double t, double param, double[] g) {
        double e = p - t, ae = Math.abs(e), sg = Math.signum(e);
        switch (loss) {
            case MAE -> {
                g[0] = sg;
                return ae;
            }
            case MAPE -> {
                double d = Math.max(Math.abs(t), KERAS_EPS);
                g[0] = 100 * sg / d;
                return 100 * ae / d;
            }
            case MSLE -> {
                double diff = Math.log(Math.max(p, KERAS_EPS) + 1) - Math.log(Math.max(t, KERAS_EPS) + 1);
                g[0] = p > KERAS_EPS ? 2 * diff / (p + 1) : 0;
                return diff * diff;
            }
            case HUBER -> {
                g[0] = ae <= param ? e : param * sg;
                return ae <= param ? 0.5 * e * e : param * ae - 0.5 * param * param;
            }
            case LOG_COSH -> {
                double y = -2 * e; // log cosh e = e + softplus(-2e) - log 2, softplus without overflow
                g[0] = Math.tanh(e);
                return e + Math.max(y, 0) + Math.log1p(Math.exp(-Math.abs(y))) - Math.log(2);
            }
            case BCE, BCE_SIGMOID -> {
                double s = t * (1 - param) + 0.5 * param;
                boolean clipped = p < KERAS_EPS || p > 1 - KERAS_EPS;
                double q = Math.min(Math.max(p, KERAS_EPS), 1 - KERAS_EPS);
                g[0] = loss == PointwiseLoss.BCE_SIGMOID ? p - s : clipped ? 0 : (q - s) / (q * (1 - q));
                return -(s * Math.log(q) + (1 - s) * Math.log(1 - q));
            }
            case BCE_LOGITS -> {
                double s = t * (1 - param) + 0.5 * param;
                g[0] = 1 / (1 + Math.exp(-p)) - s;
                return Math.max(p, 0) - p * s + Math.log1p(Math.exp(-Math.abs(p)));
            }
            case POISSON -> {
                g[0] = 1 - t / (p + KERAS_EPS);
                return p - t * Math.log(p + KERAS_EPS);
            }
            case KLD -> {
                double u = Math.min(Math.max(t, KERAS_EPS), 1), q = Math.min(Math.max(p, KERAS_EPS), 1);
                g[0] = p < KERAS_EPS || p > 1 ? 0 : -u / q;
                return u * Math.log(u / q);
            }
            case HINGE, SQUARED_HINGE -> {
                double m = Math.max(1 - t * p, 0);
                if (loss == PointwiseLoss.HINGE) {
                    g[0] = m > 0 ? -t : 0;
                    return m;
                }
                g[0] = -2 * t * m;
                return m * m;
            }
        }
        throw new AssertionError(loss);
    }

    @Override
    protected double crossEntropySmoothedImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale,
            CrossEntropyInput input, float ls) {
        double loss = 0;
        for (int n = 0; n < N; n++) {
            long row = (long) n * C;
            double ssum = 0, lse = 0, zmax = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < C; c++) ssum += t.get(row + c) * (1.0 - ls) + (double) ls / C;
            if (input == CrossEntropyInput.LOGITS) { // subtract the max only for numerical stability
                for (int c = 0; c < C; c++) zmax = Math.max(zmax, p.get(row + c));
                for (int c = 0; c < C; c++) lse += Math.exp(p.get(row + c) - zmax);
                lse = zmax + Math.log(lse);
            }
            for (int c = 0; c < C; c++) {
                double pv = p.get(row + c), s = t.get(row + c) * (1.0 - ls) + (double) ls / C, g;
                if (input == CrossEntropyInput.LOGITS) {
                    loss += s * (lse - pv);
                    g = Math.exp(pv - lse) * ssum - s;
                } else {
                    double q = Math.max(pv, XENT_EPS);
                    if (s != 0) loss -= s * Math.log(q);
                    g = input == CrossEntropyInput.SOFTMAX_FUSED ? pv * ssum - s : pv < XENT_EPS ? 0 : -s / q;
                }
                if (dp != null) dp.set(row + c, (float) (scale * g));
            }
        }
        return loss;
    }

    @Override
    protected double categoricalHingeImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        double loss = 0;
        for (int n = 0; n < N; n++) {
            long row = (long) n * C;
            double pos = 0, neg = Double.NEGATIVE_INFINITY;
            int arg = 0;
            for (int c = 0; c < C; c++) {
                double pv = p.get(row + c), tv = t.get(row + c), v = (1 - tv) * pv;
                pos += tv * pv;
                if (v > neg) {
                    neg = v;
                    arg = c;
                }
            }
            double l = neg - pos + 1;
            loss += Math.max(l, 0);
            if (dp != null)
                for (int c = 0; c < C; c++) {
                    double tv = t.get(row + c);
                    double g = l > 0 ? -tv + (c == arg ? 1 - tv : 0) : 0;
                    dp.set(row + c, (float) (scale * g));
                }
        }
        return loss;
    }

    @Override
    protected double cosineSimilarityImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        double loss = 0;
        for (int n = 0; n < N; n++) {
            long row = (long) n * C;
            double pp = 0, tt = 0, pt = 0;
            for (int c = 0; c < C; c++) {
                double pv = p.get(row + c), tv = t.get(row + c);
                pp += pv * pv;
                tt += tv * tv;
                pt += pv * tv;
            }
            // Keras's normalize: x * min(1/|x|, 1/eps)
            double ip = Math.min(1 / Math.sqrt(pp), 1 / KERAS_EPS), it = Math.min(1 / Math.sqrt(tt), 1 / KERAS_EPS);
            boolean pClamped = 1 / Math.sqrt(pp) >= 1 / KERAS_EPS;
            double cos = pt * ip * it;
            loss -= cos;
            if (dp != null)
                for (int c = 0; c < C; c++) {
                    double g = -ip * (t.get(row + c) * it - (pClamped ? 0 : cos * p.get(row + c) * ip));
                    dp.set(row + c, (float) (scale * g));
                }
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
    protected double sparseSoftmaxCrossEntropyImpl(Tensor dz, Tensor p, Tensor labels, int N, int C, float scale) {
        double loss = 0;
        for (int n = 0; n < N; n++) {
            int k = (int) labels.get(n);
            long row = (long) n * C;
            loss -= Math.log(Math.max(p.get(row + k), XENT_EPS));
            if (dz != null) {
                for (int c = 0; c < C; c++) dz.set(row + c, (float) (scale * ((double) p.get(row + c) - (c == k ? 1 : 0))));
            }
        }
        return loss;
    }

    @Override
    protected double sparseCrossEntropyImpl(Tensor dp, Tensor p, Tensor labels, int N, int C, float scale) {
        double loss = 0;
        for (int n = 0; n < N; n++) {
            int k = (int) labels.get(n);
            long row = (long) n * C;
            double pv = p.get(row + k), pc = Math.max(pv, XENT_EPS);
            loss -= Math.log(pc);
            if (dp != null) {
                for (int c = 0; c < C; c++) dp.set(row + c, 0f);
                dp.set(row + k, pv < XENT_EPS ? 0f : (float) (-scale / pc));
            }
        }
        return loss;
    }

    @Override
    protected int countSparseMatchesImpl(Tensor p, Tensor labels, int N, int C) {
        int hits = 0;
        for (int n = 0; n < N; n++) if (argmax(p, (long) n * C, C) == (int) labels.get(n)) hits++;
        return hits;
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
    protected double sumSquaresImpl(Tensor x, long n) {
        double s = 0;
        for (long i = 0; i < n; i++) s += (double) x.get(i) * x.get(i);
        return s;
    }

    @Override
    protected void scaleImpl(Tensor x, long n, float a) {
        for (long i = 0; i < n; i++) x.set(i, x.get(i) * a);
    }

    @Override
    protected void clipImpl(Tensor x, long n, float lo, float hi) {
        for (long i = 0; i < n; i++) x.set(i, Math.min(Math.max(x.get(i), lo), hi));
    }

    @Override
    protected void weightDecayImpl(Tensor w, long n, float wd, float lr) {
        for (long i = 0; i < n; i++) w.set(i, (float) (w.get(i) - (double) w.get(i) * wd * lr));
    }

    @Override
    protected void movingAverageImpl(Tensor avg, Tensor w, long n, float momentum) {
        for (long i = 0; i < n; i++) avg.set(i, (float) ((double) momentum * avg.get(i) + (1.0 - momentum) * w.get(i)));
    }

    @Override
    protected void adamImpl(Tensor w, Tensor g, Tensor m, Tensor v, Tensor vhat, long n, float alpha, float beta1,
            float beta2, float epsilon) {
        for (long i = 0; i < n; i++) {
            double gi = g.get(i);
            float mi = (float) (m.get(i) + (gi - m.get(i)) * (1.0 - beta1));
            float vi = (float) (v.get(i) + (gi * gi - v.get(i)) * (1.0 - beta2));
            m.set(i, mi);
            v.set(i, vi);
            if (vhat != null) {
                vi = Math.max(vhat.get(i), vi);
                vhat.set(i, vi);
            }
            w.set(i, (float) (w.get(i) - (double) mi * alpha / (Math.sqrt(vi) + epsilon)));
        }
    }

    @Override
    protected void rmspropImpl(Tensor w, Tensor g, Tensor v, Tensor a, Tensor mom, long n, float lr, float rho,
            float oneMinusRho, float momentum, float epsilon) {
        for (long i = 0; i < n; i++) {
            double gi = g.get(i);
            float vi = (float) (rho * (double) v.get(i) + oneMinusRho * gi * gi);
            v.set(i, vi);
            double d = (double) vi + epsilon;
            if (a != null) {
                float ai = (float) (rho * (double) a.get(i) + oneMinusRho * gi);
                a.set(i, ai);
                d = (double) vi - (double) ai * ai + epsilon;
            }
            double inc = lr * gi / Math.sqrt(d);
            if (mom != null) {
                float mi = (float) (momentum * (double) mom.get(i) + inc);
                mom.set(i, mi);
                w.set(i, w.get(i) - mi);
            } else {
                w.set(i, (float) (w.get(i) - inc));
            }
        }
    }

    @Override
    protected void adagradImpl(Tensor w, Tensor g, Tensor acc, long n, float lr, float epsilon) {
        for (long i = 0; i < n; i++) {
            double gi = g.get(i);
            float ai = (float) (acc.get(i) + gi * gi);
            acc.set(i, ai);
            w.set(i, (float) (w.get(i) - lr * gi / Math.sqrt((double) ai + epsilon)));
        }
    }

    @Override
    protected void adadeltaImpl(Tensor w, Tensor g, Tensor accGrad, Tensor accDelta, long n, float lr, float rho,
            float oneMinusRho, float epsilon) {
        for (long i = 0; i < n; i++) {
            double gi = g.get(i);
            float ag = (float) (rho * (double) accGrad.get(i) + oneMinusRho * gi * gi);
            accGrad.set(i, ag);
            double ad = accDelta.get(i);
            double delta = -Math.sqrt(ad + epsilon) * gi / Math.sqrt((double) ag + epsilon);
            accDelta.set(i, (float) (rho * ad + oneMinusRho * delta * delta));
            w.set(i, (float) (w.get(i) + lr * delta));
        }
    }

    @Override
    protected void adamaxImpl(Tensor w, Tensor g, Tensor m, Tensor u, long n, float lr, float oneMinusBeta1,
            float beta2, float epsilon, float beta1Power) {
        for (long i = 0; i < n; i++) {
            double gi = g.get(i);
            float mi = (float) (m.get(i) + (gi - m.get(i)) * oneMinusBeta1);
            float ui = (float) Math.max((double) beta2 * u.get(i), Math.abs(gi));
            m.set(i, mi);
            u.set(i, ui);
            w.set(i, (float) (w.get(i) - lr * (double) mi / ((1.0 - beta1Power) * ((double) ui + epsilon))));
        }
    }

    @Override
    protected void nadamImpl(Tensor w, Tensor g, Tensor m, Tensor v, long n, float lr, float beta1, float beta2,
            float epsilon, float uT, float uNext, float uProduct, float beta2Power) {
        double uProductNext = (double) uProduct * uNext;
        for (long i = 0; i < n; i++) {
            double gi = g.get(i);
            float mi = (float) (m.get(i) + (gi - m.get(i)) * (1.0 - beta1));
            float vi = (float) (v.get(i) + (gi * gi - v.get(i)) * (1.0 - beta2));
            m.set(i, mi);
            v.set(i, vi);
            double mHat = uNext * (double) mi / (1.0 - uProductNext) + (1.0 - uT) * gi / (1.0 - uProduct);
            double vHat = vi / (1.0 - beta2Power);
            w.set(i, (float) (w.get(i) - mHat * lr / (Math.sqrt(vHat) + epsilon)));
        }
    }

    @Override
    protected void lionImpl(Tensor w, Tensor g, Tensor m, long n, float lr, float beta1, float beta2) {
        for (long i = 0; i < n; i++) {
            double gi = g.get(i), mi = m.get(i);
            double c = mi * beta1 + gi * (1.0 - beta1);
            double sign = c > 0 ? 1 : c < 0 ? -1 : c; // 0 at 0, NaN stays NaN, as Keras's ops.sign
            w.set(i, (float) (w.get(i) - lr * sign));
            m.set(i, (float) (mi * beta2 + gi * (1.0 - beta2)));
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

    @Override
    protected void addImpl(Tensor y, Tensor a, Tensor b, long n) {
        for (long i = 0; i < n; i++) y.set(i, a.get(i) + b.get(i));
    }

    // ---- windows over NHWC images: one visitor, the five operations below are its uses.

    /** Calls {@code f(n, o, i, k)} for every output o = (n, oh, ow), window offset k = (kh, kw) and
     *  in-image pixel i = (h * W + w) * C of image n (channel 0; add c for channel c). */
    private interface WindowVisitor {
        void visit(int n, long o, long i, int k);
    }

    private static void forEachWindowPixel(int N, Window g, WindowVisitor f) {
        for (int n = 0; n < N; n++) {
            for (int oh = 0; oh < g.OH(); oh++) {
                for (int ow = 0; ow < g.OW(); ow++) {
                    long o = ((long) n * g.OH() + oh) * g.OW() + ow;
                    for (int kh = 0; kh < g.KH(); kh++) {
                        int h = oh * g.SH() - g.PT() + kh;
                        for (int kw = 0; kw < g.KW(); kw++) {
                            int w = ow * g.SW() - g.PL() + kw;
                            boolean inside = h >= 0 && h < g.H() && w >= 0 && w < g.W();
                            f.visit(n, o, inside ? ((long) h * g.W() + w) * g.C() : -1, kh * g.KW() + kw);
                        }
                    }
                }
            }
        }
    }

    @Override
    protected void im2colImpl(Tensor cols, Tensor x, int N, Window g) {
        int C = g.C();
        forEachWindowPixel(N, g, (n, o, i, k) -> {
            for (int c = 0; c < C; c++) {
                cols.set(o * g.patchSize() + (long) k * C + c, i < 0 ? 0f : x.get(n * g.inputSize() + i + c));
            }
        });
    }

    @Override
    protected void col2imImpl(Tensor dx, Tensor dcols, int N, Window g) {
        double[] acc = new double[(int) (N * g.inputSize())];
        int C = g.C();
        forEachWindowPixel(N, g, (n, o, i, k) -> {
            if (i < 0) return;
            for (int c = 0; c < C; c++) acc[(int) (n * g.inputSize() + i + c)] += dcols.get(o * g.patchSize() + (long) k * C + c);
        });
        for (int j = 0; j < acc.length; j++) dx.set(j, (float) acc[j]);
    }

    // The window frame: frame pixel (hp, wp) is image pixel (hp - PT, wp - PL), or zero outside.
    @Override
    protected void padWindowsImpl(Tensor xp, Tensor x, int N, Window g) {
        int C = g.C();
        for (int n = 0; n < N; n++) {
            for (int hp = 0; hp < g.framedH(); hp++) {
                for (int wp = 0; wp < g.framedW(); wp++) {
                    int h = hp - g.PT(), w = wp - g.PL();
                    boolean inside = h >= 0 && h < g.H() && w >= 0 && w < g.W();
                    long to = n * g.framedSize() + ((long) hp * g.framedW() + wp) * C;
                    long from = n * g.inputSize() + ((long) h * g.W() + w) * C;
                    for (int c = 0; c < C; c++) xp.set(to + c, inside ? x.get(from + c) : 0f);
                }
            }
        }
    }

    // Direct convolution, the definition: output (n, oh, ow) sums frame pixel (oh*SH + kh,
    // ow*SW + kw) times kernel tap (kh, kw), in double.
    @Override
    protected void conv2dImpl(Tensor y, Tensor xp, Tensor kernel, int N, Window g, int F) {
        double[] acc = new double[F];
        for (int n = 0; n < N; n++) {
            for (int oh = 0; oh < g.OH(); oh++) {
                for (int ow = 0; ow < g.OW(); ow++) {
                    Arrays.fill(acc, 0);
                    forEachTap(g, n, oh, ow, (p, k) -> {
                        double v = xp.get(p);
                        for (int f = 0; f < F; f++) acc[f] += v * kernel.get(k * F + f);
                    });
                    long o = (((long) n * g.OH() + oh) * g.OW() + ow) * F;
                    for (int f = 0; f < F; f++) y.set(o + f, (float) acc[f]);
                }
            }
        }
    }

    @Override
    protected void conv2dKernelGradientImpl(Tensor dKernel, Tensor xp, Tensor dy, int N, Window g, int F) {
        double[] acc = new double[g.patchSize() * F];
        for (int n = 0; n < N; n++) {
            for (int oh = 0; oh < g.OH(); oh++) {
                for (int ow = 0; ow < g.OW(); ow++) {
                    long o = (((long) n * g.OH() + oh) * g.OW() + ow) * F;
                    forEachTap(g, n, oh, ow, (p, k) -> {
                        double v = xp.get(p);
                        for (int f = 0; f < F; f++) acc[(int) (k * F + f)] += v * dy.get(o + f);
                    });
                }
            }
        }
        for (int j = 0; j < acc.length; j++) dKernel.set(j, (float) acc[j]);
    }

    private interface TapVisitor {
        void visit(long framePixelChannel, long patchIndex);
    }

    // Every (frame value, im2col column) of output (n, oh, ow)'s window, channel by channel.
    private static void forEachTap(Window g, int n, int oh, int ow, TapVisitor f) {
        for (int kh = 0; kh < g.KH(); kh++) {
            for (int kw = 0; kw < g.KW(); kw++) {
                long p = n * g.framedSize() + ((long) (oh * g.SH() + kh) * g.framedW() + (long) ow * g.SW() + kw) * g.C();
                for (int c = 0; c < g.C(); c++) f.visit(p + c, ((long) kh * g.KW() + kw) * g.C() + c);
            }
        }
    }

    @Override
    protected void flipKernelImpl(Tensor kt, Tensor kernel, int KH, int KW, int C, int F) {
        for (int kh = 0; kh < KH; kh++) {
            for (int kw = 0; kw < KW; kw++) {
                long from = ((long) kh * KW + kw) * C * F, to = ((long) (KH - 1 - kh) * KW + (KW - 1 - kw)) * F * C;
                for (int c = 0; c < C; c++) {
                    for (int f = 0; f < F; f++) kt.set(to + (long) f * C + c, kernel.get(from + (long) c * F + f));
                }
            }
        }
    }

    // Depthwise convolution: output channel c*M + m is input channel c under filter m. The window
    // visitor gives each (output position o, tap k, in-image pixel i) once; sums in double.
    @Override
    protected void depthwiseForwardImpl(Tensor y, Tensor x, Tensor kernel, int N, int M, Window g) {
        int C = g.C(), CM = C * M;
        double[] acc = new double[(int) ((long) N * g.positions() * CM)];
        forEachWindowPixel(N, g, (n, o, i, k) -> {
            if (i < 0) return; // padding: zero
            for (int c = 0; c < C; c++) {
                double v = x.get(n * g.inputSize() + i + c);
                for (int m = 0; m < M; m++) acc[(int) (o * CM + c * M + m)] += v * kernel.get((long) k * CM + c * M + m);
            }
        });
        for (int j = 0; j < acc.length; j++) y.set(j, (float) acc[j]);
    }

    @Override
    protected void depthwiseBackwardImpl(Tensor dx, Tensor dKernel, Tensor dBias, Tensor dy, Tensor x, Tensor kernel,
            int N, int M, Window g) {
        int C = g.C(), CM = C * M;
        double[] dk = new double[g.KH() * g.KW() * CM], db = new double[CM];
        double[] dxs = new double[dx == null ? 0 : (int) (N * g.inputSize())];
        for (long o = 0; o < (long) N * g.positions(); o++) {
            for (int j = 0; j < CM; j++) db[j] += dy.get(o * CM + j);
        }
        forEachWindowPixel(N, g, (n, o, i, k) -> {
            if (i < 0) return;
            for (int c = 0; c < C; c++) {
                long pixel = n * g.inputSize() + i + c;
                for (int m = 0; m < M; m++) {
                    double d = dy.get(o * CM + c * M + m);
                    dk[k * CM + c * M + m] += d * x.get(pixel);
                    if (dx != null) dxs[(int) pixel] += d * kernel.get((long) k * CM + c * M + m);
                }
            }
        });
        for (int j = 0; j < dk.length; j++) dKernel.set(j, (float) dk[j]);
        if (dBias != null) for (int j = 0; j < CM; j++) dBias.set(j, (float) db[j]);
        for (int j = 0; j < dxs.length; j++) dx.set(j, (float) dxs[j]);
    }

    /** Max pooling keeps its argmax as int32 in a tensor's memory, as the C kernel does. */
    private static int index(Tensor t, long i) {
        return t.segment().getAtIndex(ValueLayout.JAVA_INT, i);
    }

    private static void setIndex(Tensor t, long i, int v) {
        t.segment().setAtIndex(ValueLayout.JAVA_INT, i, v);
    }

    @Override
    protected void maxPoolImpl(Tensor y, Tensor argmax, Tensor x, int N, Window g) {
        int C = g.C();
        long outs = N * g.pooledSize();
        for (long j = 0; j < outs; j++) setIndex(argmax, j, -1);
        forEachWindowPixel(N, g, (n, o, i, k) -> {
            if (i < 0) return;
            for (int c = 0; c < C; c++) {
                long out = o * C + c;
                int best = index(argmax, out);
                float v = x.get(n * g.inputSize() + i + c);
                if (best < 0 || v > x.get(n * g.inputSize() + best)) {
                    setIndex(argmax, out, (int) (i + c));
                    y.set(out, v);
                }
            }
        });
    }

    @Override
    protected void maxPoolBackwardImpl(Tensor dx, Tensor dy, Tensor argmax, int N, Window g) {
        dx.segment().asSlice(0, N * g.inputSize() * Tensor.BYTES).fill((byte) 0);
        long per = g.pooledSize();
        for (int n = 0; n < N; n++) {
            for (long o = 0; o < per; o++) {
                int at = index(argmax, n * per + o);
                if (at < 0 || at >= g.inputSize()) continue;
                long j = n * g.inputSize() + at;
                dx.set(j, dx.get(j) + dy.get(n * per + o));
            }
        }
    }

    /** Pixels of each output window inside the image, by output position. */
    private static int[] windowCounts(int N, Window g) {
        int[] counts = new int[N * g.positions()];
        forEachWindowPixel(N, g, (n, o, i, k) -> {
            if (i >= 0) counts[(int) o]++;
        });
        return counts;
    }

    @Override
    protected void avgPoolImpl(Tensor y, Tensor x, int N, Window g) {
        int C = g.C();
        double[] acc = new double[(int) (N * g.pooledSize())];
        forEachWindowPixel(N, g, (n, o, i, k) -> {
            if (i < 0) return;
            for (int c = 0; c < C; c++) acc[(int) (o * C + c)] += x.get(n * g.inputSize() + i + c);
        });
        int[] counts = windowCounts(N, g);
        for (int j = 0; j < acc.length; j++) y.set(j, (float) (acc[j] / counts[j / C]));
    }

    @Override
    protected void avgPoolBackwardImpl(Tensor dx, Tensor dy, int N, Window g) {
        int C = g.C();
        int[] counts = windowCounts(N, g);
        double[] acc = new double[(int) (N * g.inputSize())];
        forEachWindowPixel(N, g, (n, o, i, k) -> {
            if (i < 0) return;
            for (int c = 0; c < C; c++) acc[(int) (n * g.inputSize() + i + c)] += (double) dy.get(o * C + c) / counts[(int) o];
        });
        for (int j = 0; j < acc.length; j++) dx.set(j, (float) acc[j]);
    }

    @Override
    protected void affineWarpImpl(Tensor y, Tensor x, Tensor transforms, int N, int H, int W, int C) {
        double cy = 0.5 * (H - 1), cx = 0.5 * (W - 1);
        long image = (long) H * W * C;
        for (int n = 0; n < N; n++) {
            float a = transforms.get(6L * n), b = transforms.get(6L * n + 1), c = transforms.get(6L * n + 2),
                    d = transforms.get(6L * n + 3), ty = transforms.get(6L * n + 4), tx = transforms.get(6L * n + 5);
            for (int h = 0; h < H; h++) {
                for (int w = 0; w < W; w++) {
                    // float arithmetic for the sample point, as in C, so both pick the same neighbours
                    float dh = h - (float) cy, dw = w - (float) cx;
                    float u = a * dh + b * dw + (float) cy + ty, v = c * dh + d * dw + (float) cx + tx;
                    if (!(u > -1f && u < H && v > -1f && v < W)) { // far outside, or NaN: zeros, as in C
                        for (int ch = 0; ch < C; ch++) y.set(n * image + ((long) h * W + w) * C + ch, 0f);
                        continue;
                    }
                    float u0 = (float) Math.floor(u), v0 = (float) Math.floor(v);
                    float fu = u - u0, fv = v - v0;
                    for (int ch = 0; ch < C; ch++) {
                        double sum = 0;
                        for (int k = 0; k < 4; k++) {
                            int uu = (int) u0 + (k >> 1), vv = (int) v0 + (k & 1);
                            if (uu < 0 || uu >= H || vv < 0 || vv >= W) continue;
                            double wgt = ((k >> 1) == 1 ? fu : 1 - fu) * (double) ((k & 1) == 1 ? fv : 1 - fv);
                            sum += wgt * x.get(n * image + ((long) uu * W + vv) * C + ch);
                        }
                        y.set(n * image + ((long) h * W + w) * C + ch, (float) sum);
                    }
                }
            }
        }
    }

    // ---- Normalisation: the twins of native/src/norm.c, in double.

    @Override
    protected void batchnormStatsImpl(Tensor mean, Tensor variance, Tensor x, long R, int C) {
        for (int c = 0; c < C; c++) {
            double s = 0;
            for (long r = 0; r < R; r++) s += x.get(r * C + c);
            float m = (float) (s / R);
            double q = 0; // about the rounded mean, the one the forward pass subtracts
            for (long r = 0; r < R; r++) {
                double d = (double) x.get(r * C + c) - m;
                q += d * d;
            }
            mean.set(c, m);
            variance.set(c, (float) (q / R));
        }
    }

    @Override
    protected void batchnormForwardImpl(Tensor y, Tensor x, Tensor mean, Tensor variance, Tensor gamma, Tensor beta,
            long R, int C, float eps) {
        for (int c = 0; c < C; c++) {
            double inv = 1 / Math.sqrt((double) variance.get(c) + eps), g = gamma == null ? 1 : gamma.get(c);
            double m = mean.get(c), b = beta == null ? 0 : beta.get(c);
            for (long r = 0; r < R; r++) y.set(r * C + c, (float) (g * (x.get(r * C + c) - m) * inv + b));
        }
    }

    @Override
    protected void batchnormBackwardSumsImpl(Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor mean,
            Tensor variance, long R, int C, float eps) {
        for (int c = 0; c < C; c++) {
            double inv = 1 / Math.sqrt((double) variance.get(c) + eps), m = mean.get(c), sdy = 0, sdyx = 0;
            for (long r = 0; r < R; r++) {
                double d = dy.get(r * C + c);
                sdy += d;
                sdyx += d * (x.get(r * C + c) - m) * inv;
            }
            dbeta.set(c, (float) sdy);
            dgamma.set(c, (float) sdyx);
        }
    }

    @Override
    protected void batchnormBackwardImpl(Tensor dx, Tensor dy, Tensor x, Tensor mean, Tensor variance, Tensor gamma,
            Tensor dgamma, Tensor dbeta, long R, int C, long M, float eps) {
        for (int c = 0; c < C; c++) {
            double inv = 1 / Math.sqrt((double) variance.get(c) + eps), m = mean.get(c);
            double a = (gamma == null ? 1 : gamma.get(c)) * inv;
            double mdy = dbeta == null ? 0 : (double) dbeta.get(c) / M, mdyx = dgamma == null ? 0 : (double) dgamma.get(c) / M;
            for (long r = 0; r < R; r++) {
                double xhat = (x.get(r * C + c) - m) * inv;
                dx.set(r * C + c, (float) (a * (dy.get(r * C + c) - mdy - xhat * mdyx)));
            }
        }
    }

    @Override
    protected void layernormForwardImpl(Tensor y, Tensor mean, Tensor invStd, Tensor x, Tensor gamma, Tensor beta,
            long R, int C, float eps) {
        for (long r = 0; r < R; r++) {
            long row = r * C;
            double s = 0, q = 0;
            for (int c = 0; c < C; c++) s += x.get(row + c);
            float m = (float) (s / C);
            for (int c = 0; c < C; c++) {
                double d = (double) x.get(row + c) - m;
                q += d * d;
            }
            double inv = 1 / Math.sqrt((float) (q / C) + (double) eps);
            mean.set(r, m);
            invStd.set(r, (float) inv);
            for (int c = 0; c < C; c++) {
                double g = gamma == null ? 1 : gamma.get(c), b = beta == null ? 0 : beta.get(c);
                y.set(row + c, (float) (g * (x.get(row + c) - m) * inv + b));
            }
        }
    }

    @Override
    protected void layernormBackwardImpl(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor mean,
            Tensor invStd, Tensor gamma, long R, int C) {
        double[] sdg = new double[C], sdb = new double[C];
        for (long r = 0; r < R; r++) {
            long row = r * C;
            double m = mean.get(r), inv = invStd.get(r), sg = 0, sgx = 0;
            for (int c = 0; c < C; c++) {
                double xhat = (x.get(row + c) - m) * inv, g = dy.get(row + c) * (gamma == null ? 1 : gamma.get(c));
                sg += g;
                sgx += g * xhat;
            }
            for (int c = 0; c < C; c++) {
                double xhat = (x.get(row + c) - m) * inv, d = dy.get(row + c);
                sdg[c] += d * xhat;
                sdb[c] += d;
                double g = d * (gamma == null ? 1 : gamma.get(c));
                dx.set(row + c, (float) (inv * (g - sg / C - xhat * sgx / C)));
            }
        }
        for (int c = 0; c < C; c++) {
            if (dgamma != null) dgamma.set(c, (float) sdg[c]);
            if (dbeta != null) dbeta.set(c, (float) sdb[c]);
        }
    }

    // ---- global pooling, zero padding, transpose

    @Override
    protected void globalAvgPoolImpl(Tensor y, Tensor x, int N, int HW, int C) {
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                double sum = 0;
                for (int p = 0; p < HW; p++) sum += x.get(((long) n * HW + p) * C + c);
                y.set((long) n * C + c, (float) (sum / HW));
            }
        }
    }

    @Override
    protected void globalAvgPoolBackwardImpl(Tensor dx, Tensor dy, int N, int HW, int C) {
        for (int n = 0; n < N; n++) {
            for (int p = 0; p < HW; p++) {
                for (int c = 0; c < C; c++) dx.set(((long) n * HW + p) * C + c, (float) ((double) dy.get((long) n * C + c) / HW));
            }
        }
    }

    @Override
    protected void globalMaxPoolImpl(Tensor y, Tensor argmax, Tensor x, int N, int HW, int C) {
        for (int n = 0; n < N; n++) {
            long image = (long) n * HW * C;
            for (int c = 0; c < C; c++) {
                int best = c; // strict >: the first maximum wins, as in C
                for (int p = 1; p < HW; p++) {
                    if (x.get(image + (long) p * C + c) > x.get(image + best)) best = p * C + c;
                }
                setIndex(argmax, (long) n * C + c, best);
                y.set((long) n * C + c, x.get(image + best));
            }
        }
    }

    @Override
    protected void globalMaxPoolBackwardImpl(Tensor dx, Tensor dy, Tensor argmax, int N, int HW, int C) {
        long image = (long) HW * C;
        dx.segment().asSlice(0, N * image * Tensor.BYTES).fill((byte) 0);
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                int at = index(argmax, (long) n * C + c);
                if (at < 0 || at >= image) continue;
                long j = n * image + at;
                dx.set(j, dx.get(j) + dy.get((long) n * C + c));
            }
        }
    }

    @Override
    protected void zeroPadImpl(Tensor y, Tensor x, int N, int H, int W, int C, int top, int bottom, int left,
            int right) {
        int PH = top + H + bottom, PW = left + W + right;
        for (int n = 0; n < N; n++) {
            for (int h = 0; h < PH; h++) {
                for (int w = 0; w < PW; w++) {
                    int ih = h - top, iw = w - left;
                    boolean inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
                    for (int c = 0; c < C; c++) {
                        y.set((((long) n * PH + h) * PW + w) * C + c,
                                inside ? x.get((((long) n * H + ih) * W + iw) * C + c) : 0f);
                    }
                }
            }
        }
    }

    @Override
    protected void zeroPadBackwardImpl(Tensor dx, Tensor dy, int N, int H, int W, int C, int top, int bottom,
            int left, int right) {
        int PH = top + H + bottom, PW = left + W + right;
        for (int n = 0; n < N; n++) {
            for (int h = 0; h < H; h++) {
                for (int w = 0; w < W; w++) {
                    for (int c = 0; c < C; c++) {
                        dx.set((((long) n * H + h) * W + w) * C + c, dy.get((((long) n * PH + h + top) * PW + w + left) * C + c));
                    }
                }
            }
        }
    }

    // Output element by element: its index split into the output's coordinates, which are the
    // input's coordinates in the order the axes give (input axis axis(j) = output coordinate j).
    @Override
    protected void transposeImpl(Tensor y, Tensor x, int N, Transpose t) {
        Shape in = t.inputShape(), out = t.outputShape();
        int r = in.rank();
        int[] at = new int[r];
        long size = t.size();
        for (int n = 0; n < N; n++) {
            for (long o = 0; o < size; o++) {
                long rest = o;
                for (int j = r - 1; j >= 0; j--) {
                    at[t.axis(j)] = (int) (rest % out.dim(j));
                    rest /= out.dim(j);
                }
                long i = 0;
                for (int k = 0; k < r; k++) i = i * in.dim(k) + at[k];
                y.set(n * size + o, x.get(n * size + i));
            }
        }
    }

    // The int8 twins: the same float operations as gemm_int8.c, and the int32 sums in plain loops
    // over the logical kernel (the packed index spelled out).

    @Override
    protected void int8QuantizeRowsImpl(Tensor xq, Tensor xscale, Tensor x, int M, int K) {
        int Kp = int8RowBytes(K);
        for (int m = 0; m < M; m++) {
            float amax = 0f;
            for (int k = 0; k < K; k++) amax = Math.max(amax, Math.abs(x.get((long) m * K + k)));
            float scale = 127f / (amax + 1e-7f);
            for (int k = 0; k < Kp; k++) {
                float q = k < K ? (float) Math.rint(x.get((long) m * K + k) * scale) : 0f; // rint: half to even
                xq.segment().set(ValueLayout.JAVA_BYTE, (long) m * Kp + k, (byte) Math.min(Math.max(q, -127f), 127f));
            }
            xscale.set(m, scale);
        }
    }

    @Override
    protected void int8GemmImpl(Tensor y, Tensor xq, Tensor xscale, Tensor wq, Tensor wscale, Tensor colsum,
            int M, int N, int K) {
        int Kp = int8RowBytes(K);
        for (int m = 0; m < M; m++) {
            for (int n = 0; n < N; n++) {
                int sum = 0;
                for (int k = 0; k < K; k++) {
                    sum += xq.segment().get(ValueLayout.JAVA_BYTE, (long) m * Kp + k) * int8KernelAt(wq, Kp, k, n);
                }
                y.set((long) m * N + n, (float) sum / (wscale.get(n) * xscale.get(m)));
            }
        }
    }

    /** wq[k][n] of a kernel packed as [n / 16][k / 4][n % 16][k % 4] (sinew.h), Kp bytes per unit. */
    private static byte int8KernelAt(Tensor wq, int Kp, int k, int n) {
        long at = ((long) (n / 16) * (Kp / 4) + k / 4) * 64 + (n % 16) * 4 + k % 4;
        return wq.segment().get(ValueLayout.JAVA_BYTE, at);
    }
}
