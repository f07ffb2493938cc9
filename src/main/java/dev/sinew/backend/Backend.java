package dev.sinew.backend;

import dev.sinew.activations.Activation;
import dev.sinew.tensor.Tensor;

/**
 * The only place that knows how the maths is done. Layers, losses, metrics and optimizers call
 * these operations; {@link NativeBackend} runs them in OpenBLAS and libsinew, and
 * {@link ReferenceBackend} in plain Java loops (the oracle for every gradient check).
 *
 * <p>Tensors are buffers: every operation says how many rows ({@code N}) and columns ({@code C})
 * of them it uses, so a buffer sized for the largest batch serves smaller ones too. Each public
 * method here checks every size against the buffers <em>before</em> the implementation runs; an
 * implementation may then trust its arguments (native code never sees an out-of-bounds size).
 * Matrices are row-major.
 */
public abstract class Backend {

    /** A short name for messages and reports, e.g. {@code "native"}. */
    public abstract String name();

    /** Work on rows {@code [from, to)} of a batch, the shard numbered {@code shard}. */
    @FunctionalInterface
    public interface ShardTask {
        void run(int shard, int from, int to);
    }

    /** The most shards {@link #forEachShard} splits a batch into; 1 unless the backend runs them in parallel. */
    public int shards() {
        return 1;
    }

    /**
     * Runs {@code task} over {@code n} rows split into at most {@code min(shards(), n)} contiguous
     * non-empty shards, concurrently where the backend can, and returns how many there were;
     * {@code work} (about the floating-point operations of the whole batch) lets a backend keep a
     * small job in one piece. A layer whose
     * rows are independent (convolution, pooling) computes each shard's part of the output; parts
     * of a sum over the batch (a kernel's gradient) go to separate buffers, added in shard order so
     * that results do not depend on timing. Here: one shard, the whole batch, in the caller.
     */
    public int forEachShard(int n, long work, ShardTask task) {
        task.run(0, 0, n);
        return 1;
    }

    /**
     * The {@code work} of {@link #forEachShard} for a memory-bound pass over n samples of
     * {@code valuesPerSample} values (an activation, a merge, a normalisation, pooling, a batch
     * copy): a load and a store or two per value, weighted up against a GEMM's floating-point
     * operations, for which a backend's threshold is set.
     */
    public static long memoryPass(int n, long valuesPerSample) {
        return 8L * n * valuesPerSample;
    }

    /**
     * C = alpha * op(A) * op(B) + beta * C, where op(A) is M x K and op(B) is K x N. A is stored
     * M x K (K x M when {@code transA}), B is K x N (N x K when {@code transB}), C is M x N.
     */
    public final void gemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
            Tensor A, Tensor B, float beta, Tensor C) {
        Check.positive("gemm", "M", M);
        Check.positive("gemm", "N", N);
        Check.positive("gemm", "K", K);
        Check.holds("gemm", "A", A, (long) M * K);
        Check.holds("gemm", "B", B, (long) K * N);
        Check.holds("gemm", "C", C, (long) M * N);
        gemmImpl(transA, transB, M, N, K, alpha, A, B, beta, C);
    }

    /**
     * y = act(z + bias) over N rows of C columns; {@code bias} (C values) may be null. y may be z.
     * The activation's parameter is its Keras default ({@link Activation#defaultAlpha()}).
     */
    public final void biasActivation(Tensor y, Tensor z, Tensor bias, int N, int C, Activation act) {
        biasActivation(y, z, bias, N, C, act, act.defaultAlpha());
    }

    /**
     * y = act(z + bias) with the activation's parameter {@code alpha} (leaky_relu's
     * negative_slope, elu's alpha; ignored by the others).
     */
    public final void biasActivation(Tensor y, Tensor z, Tensor bias, int N, int C, Activation act, float alpha) {
        Check.positive("biasActivation", "N", N);
        Check.positive("biasActivation", "C", C);
        Check.holds("biasActivation", "y", y, (long) N * C);
        Check.holds("biasActivation", "z", z, (long) N * C);
        if (bias != null) Check.holds("biasActivation", "bias", bias, C);
        checkAlpha("biasActivation", act, alpha);
        biasActivationImpl(y, z, bias, N, C, act, alpha);
    }

    /**
     * dz = dy * act'(z), from the activation's output y (see {@link Activation}), for the
     * activations that do not need z. dz may be dy.
     */
    public final void activationBackward(Tensor dz, Tensor y, Tensor dy, int N, int C, Activation act) {
        activationBackward(dz, null, y, dy, N, C, act, act.defaultAlpha());
    }

    /**
     * dz = dy * act'(z), from the output y, or from the pre-activation z (bias included) for the
     * activations that need it ({@link Activation#needsInput()}); z may be null for the others.
     * dz may be dy.
     */
    public final void activationBackward(Tensor dz, Tensor z, Tensor y, Tensor dy, int N, int C,
            Activation act, float alpha) {
        Check.positive("activationBackward", "N", N);
        Check.positive("activationBackward", "C", C);
        Check.holds("activationBackward", "dz", dz, (long) N * C);
        Check.holds("activationBackward", "y", y, (long) N * C);
        Check.holds("activationBackward", "dy", dy, (long) N * C);
        if (z != null) Check.holds("activationBackward", "z", z, (long) N * C);
        else if (act.needsInput()) {
            throw new IllegalArgumentException("activationBackward: " + act
                    + " is differentiated from its input z, got z=null");
        }
        checkAlpha("activationBackward", act, alpha);
        activationBackwardImpl(dz, z, y, dy, N, C, act, alpha);
    }

    // The derivative of leaky_relu and elu is read from the output's sign, which is the input's
    // sign only when alpha >= 0.
    private static void checkAlpha(String op, Activation act, float alpha) {
        if (!Float.isFinite(alpha) || ((act == Activation.LEAKY_RELU || act == Activation.ELU) && alpha < 0)) {
            throw new IllegalArgumentException(op + ": " + act
                    + " needs a finite parameter >= 0, got alpha=" + alpha);
        }
    }

    /**
     * Keras's ReLU layer over n values: y = x &gt; threshold ? min(x, maxValue) :
     * negativeSlope (x - threshold); maxValue may be +infinity (Keras's None). y may be x.
     */
    public final void relu(Tensor y, Tensor x, long n, float maxValue, float negativeSlope, float threshold) {
        Check.positive("relu", "n", n);
        Check.holds("relu", "y", y, n);
        Check.holds("relu", "x", x, n);
        checkRelu("relu", maxValue, negativeSlope, threshold);
        reluImpl(y, x, n, maxValue, negativeSlope, threshold);
    }

    /** dx = dy * relu'(x), from the input x: x &gt; threshold ? [x &lt; maxValue] : negativeSlope. dx may be dy. */
    public final void reluBackward(Tensor dx, Tensor x, Tensor dy, long n, float maxValue, float negativeSlope,
            float threshold) {
        Check.positive("reluBackward", "n", n);
        Check.holds("reluBackward", "dx", dx, n);
        Check.holds("reluBackward", "x", x, n);
        Check.holds("reluBackward", "dy", dy, n);
        checkRelu("reluBackward", maxValue, negativeSlope, threshold);
        reluBackwardImpl(dx, x, dy, n, maxValue, negativeSlope, threshold);
    }

    private static void checkRelu(String op, float maxValue, float negativeSlope, float threshold) {
        if (!(maxValue >= 0) || !(negativeSlope >= 0) || !Float.isFinite(negativeSlope) || !(threshold >= 0)
                || !Float.isFinite(threshold)) {
            throw new IllegalArgumentException(op + ": needs max_value >= 0 and finite negative_slope, threshold >= 0,"
                    + " got max_value=" + maxValue + ", negative_slope=" + negativeSlope + ", threshold=" + threshold);
        }
    }

    /**
     * Softmax + categorical cross-entropy, fused: with p the softmax output, writes
     * dz = scale * (p - t) (gradient w.r.t. the softmax input) unless dz is null, and returns the
     * summed loss -sum t log(max(p, 1e-7)).
     */
    public final double softmaxCrossEntropy(Tensor dz, Tensor p, Tensor t, int N, int C, float scale) {
        checkLoss("softmaxCrossEntropy", dz, p, t, N, C);
        return softmaxCrossEntropyImpl(dz, p, t, N, C, scale);
    }

    /** Cross-entropy on probabilities: dp = -scale * t / max(p, 1e-7); returns the summed loss. */
    public final double crossEntropy(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        checkLoss("crossEntropy", dp, p, t, N, C);
        return crossEntropyImpl(dp, p, t, N, C, scale);
    }

    /**
     * Softmax + cross-entropy with sparse targets: {@code labels} holds each row's class index.
     * dz = scale * (p - onehot(label)); returns the summed loss. Every label is checked here to be
     * a whole number in [0, C) (it indexes p in native code).
     */
    public final double sparseSoftmaxCrossEntropy(Tensor dz, Tensor p, Tensor labels, int N, int C, float scale) {
        checkSparse("sparseSoftmaxCrossEntropy", dz, p, labels, N, C);
        return sparseSoftmaxCrossEntropyImpl(dz, p, labels, N, C, scale);
    }

    /** Cross-entropy on probabilities with sparse targets: dp = -scale / max(p, 1e-7) at the label, 0 elsewhere. */
    public final double sparseCrossEntropy(Tensor dp, Tensor p, Tensor labels, int N, int C, float scale) {
        checkSparse("sparseCrossEntropy", dp, p, labels, N, C);
        return sparseCrossEntropyImpl(dp, p, labels, N, C, scale);
    }

    /** Rows whose argmax(p) equals their label (sparse categorical accuracy). */
    public final int countSparseMatches(Tensor p, Tensor labels, int N, int C) {
        checkSparse("countSparseMatches", null, p, labels, N, C);
        return countSparseMatchesImpl(p, labels, N, C);
    }

    private static void checkSparse(String op, Tensor grad, Tensor p, Tensor labels, int N, int C) {
        Check.positive(op, "N", N);
        Check.positive(op, "C", C);
        Check.holds(op, "p", p, (long) N * C);
        Check.holds(op, "labels", labels, N);
        if (grad != null) Check.holds(op, "gradient", grad, (long) N * C);
        for (int n = 0; n < N; n++) {
            float k = labels.get(n);
            if (!(k >= 0 && k < C && k == Math.rint(k))) {
                throw new IllegalArgumentException("label " + k + " at row " + n + " is not a class index in [0, " + C
                        + "): sparse targets are whole numbers, one per sample");
            }
        }
    }

    /** Squared error: dp = scale * 2 (p - t) unless dp is null; returns sum (p - t)^2. */
    public final double squaredError(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        checkLoss("squaredError", dp, p, t, N, C);
        return squaredErrorImpl(dp, p, t, N, C, scale);
    }

    /**
     * A loss computed element by element ({@code sinew_pointwise_loss_backward}): writes
     * dp = scale * d(loss)/dp unless dp is null and returns the sum of the per-element values.
     */
    public final double pointwiseLoss(Tensor dp, Tensor p, Tensor t, int N, int C, float scale, PointwiseLoss loss,
            float param) {
        checkLoss("pointwiseLoss", dp, p, t, N, C);
        if (loss == null) throw new IllegalArgumentException("pointwiseLoss: loss is null");
        return pointwiseLossImpl(dp, p, t, N, C, scale, loss, param);
    }

    /**
     * Categorical cross-entropy with label smoothing {@code ls} ({@code sinew_xent_smooth_backward})
     * on probabilities, fused after a softmax, or on logits. Returns the summed loss.
     */
    public final double crossEntropySmoothed(Tensor dp, Tensor p, Tensor t, int N, int C, float scale,
            CrossEntropyInput input, float ls) {
        checkLoss("crossEntropySmoothed", dp, p, t, N, C);
        if (input == null) throw new IllegalArgumentException("crossEntropySmoothed: input is null");
        return crossEntropySmoothedImpl(dp, p, t, N, C, scale, input, ls);
    }

    /** Keras's categorical_hinge summed over rows; dp = scale * gradient unless null. */
    public final double categoricalHinge(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        checkLoss("categoricalHinge", dp, p, t, N, C);
        return categoricalHingeImpl(dp, p, t, N, C, scale);
    }

    /** Keras's cosine_similarity loss (-cosine) summed over rows; dp = scale * gradient unless null. */
    public final double cosineSimilarity(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        checkLoss("cosineSimilarity", dp, p, t, N, C);
        return cosineSimilarityImpl(dp, p, t, N, C, scale);
    }

    /** out[c] = sum over N rows of x[n, c]. */
    public final void columnSum(Tensor out, Tensor x, int N, int C) {
        Check.positive("columnSum", "N", N);
        Check.positive("columnSum", "C", C);
        Check.holds("columnSum", "out", out, C);
        Check.holds("columnSum", "x", x, (long) N * C);
        columnSumImpl(out, x, N, C);
    }

    /** Rows where argmax(p) equals argmax(t) (first maximum wins). */
    public final int countArgmaxMatches(Tensor p, Tensor t, int N, int C) {
        Check.positive("countArgmaxMatches", "N", N);
        Check.positive("countArgmaxMatches", "C", C);
        Check.holds("countArgmaxMatches", "p", p, (long) N * C);
        Check.holds("countArgmaxMatches", "t", t, (long) N * C);
        return countArgmaxMatchesImpl(p, t, N, C);
    }

    /** Elements where (p &gt; threshold ? 1 : 0) equals t: Keras's binary accuracy. */
    public final long countThresholdMatches(Tensor p, Tensor t, long n, float threshold) {
        Check.positive("countThresholdMatches", "n", n);
        Check.holds("countThresholdMatches", "p", p, n);
        Check.holds("countThresholdMatches", "t", t, n);
        return countThresholdMatchesImpl(p, t, n, threshold);
    }

    /** How many of the first n elements of x are NaN or infinite. */
    public final long countNonFinite(Tensor x, long n) {
        Check.positive("countNonFinite", "n", n);
        Check.holds("countNonFinite", "x", x, n);
        return countNonFiniteImpl(x, n);
    }

    /** y += alpha * x over n elements. */
    public final void axpy(long n, float alpha, Tensor x, Tensor y) {
        Check.positive("axpy", "n", n);
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("axpy: n = " + n + " exceeds int range");
        Check.holds("axpy", "x", x, n);
        Check.holds("axpy", "y", y, n);
        axpyImpl((int) n, alpha, x, y);
    }

    /** Keras's SGD with momentum: v = momentum v - lr g; w += v (or, Nesterov, w += momentum v - lr g). */
    public final void sgdMomentum(Tensor w, Tensor v, Tensor g, long n, float lr, float momentum,
            boolean nesterov) {
        Check.positive("sgdMomentum", "n", n);
        Check.holds("sgdMomentum", "w", w, n);
        Check.holds("sgdMomentum", "v", v, n);
        Check.holds("sgdMomentum", "g", g, n);
        sgdMomentumImpl(w, v, g, n, lr, momentum, nesterov);
    }

    /** The sum of x[i]^2 over n values, accumulated in double (gradient norms for clipping). */
    public final double sumSquares(Tensor x, long n) {
        Check.positive("sumSquares", "n", n);
        Check.holds("sumSquares", "x", x, n);
        return sumSquaresImpl(x, n);
    }

    /** x *= a over n values. */
    public final void scale(Tensor x, long n, float a) {
        Check.positive("scale", "n", n);
        Check.holds("scale", "x", x, n);
        scaleImpl(x, n, a);
    }

    /** x = min(max(x, lo), hi) over n values (Keras's clipvalue). */
    public final void clip(Tensor x, long n, float lo, float hi) {
        Check.positive("clip", "n", n);
        Check.holds("clip", "x", x, n);
        if (!(lo <= hi)) throw new IllegalArgumentException("clip: lo = " + lo + " must not exceed hi = " + hi);
        clipImpl(x, n, lo, hi);
    }

    /** Keras's decoupled weight decay over n values: w = w - w * wd * lr. */
    public final void weightDecay(Tensor w, long n, float wd, float lr) {
        Check.positive("weightDecay", "n", n);
        Check.holds("weightDecay", "w", w, n);
        weightDecayImpl(w, n, wd, lr);
    }

    /** avg = momentum * avg + (1 - momentum) * w over n values (an optimizer's use_ema). */
    public final void movingAverage(Tensor avg, Tensor w, long n, float momentum) {
        Check.positive("movingAverage", "n", n);
        Check.holds("movingAverage", "avg", avg, n);
        Check.holds("movingAverage", "w", w, n);
        movingAverageImpl(avg, w, n, momentum);
    }

    /**
     * Adam's update over n values (keras/src/optimizers/adam.py), with the bias corrections folded
     * into {@code alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)}: m += (g - m)(1 - beta1);
     * v += (g^2 - v)(1 - beta2); with amsgrad (vhat not null) vhat = max(vhat, v) replaces v;
     * w -= m alpha / (sqrt(v) + epsilon).
     */
    public final void adam(Tensor w, Tensor g, Tensor m, Tensor v, Tensor vhat, long n, float alpha, float beta1,
            float beta2, float epsilon) {
        Check.positive("adam", "n", n);
        Check.holds("adam", "w", w, n);
        Check.holds("adam", "g", g, n);
        Check.holds("adam", "m", m, n);
        Check.holds("adam", "v", v, n);
        if (vhat != null) Check.holds("adam", "vhat", vhat, n);
        adamImpl(w, g, m, v, vhat, n, alpha, beta1, beta2, epsilon);
    }

    /**
     * RMSprop's update over n values (keras/src/optimizers/rmsprop.py), given {@code oneMinusRho}
     * (Keras rounds 1 - rho computed in double, which may differ by an ulp from 1 - (float) rho):
     * v = rho v + (1 - rho) g^2;
     * centered (a not null): a = rho a + (1 - rho) g, d = v - a^2 + epsilon, else d = v + epsilon;
     * inc = lr g / sqrt(d); with momentum (mom not null) mom = momentum mom + inc, w -= mom, else
     * w -= inc.
     */
    public final void rmsprop(Tensor w, Tensor g, Tensor v, Tensor a, Tensor mom, long n, float lr, float rho,
            float oneMinusRho, float momentum, float epsilon) {
        Check.positive("rmsprop", "n", n);
        Check.holds("rmsprop", "w", w, n);
        Check.holds("rmsprop", "g", g, n);
        Check.holds("rmsprop", "v", v, n);
        if (a != null) Check.holds("rmsprop", "a", a, n);
        if (mom != null) Check.holds("rmsprop", "mom", mom, n);
        rmspropImpl(w, g, v, a, mom, n, lr, rho, oneMinusRho, momentum, epsilon);
    }

    /** Adagrad's update over n values (keras/src/optimizers/adagrad.py): acc += g^2; w -= lr g / sqrt(acc + epsilon). */
    public final void adagrad(Tensor w, Tensor g, Tensor acc, long n, float lr, float epsilon) {
        Check.positive("adagrad", "n", n);
        Check.holds("adagrad", "w", w, n);
        Check.holds("adagrad", "g", g, n);
        Check.holds("adagrad", "acc", acc, n);
        adagradImpl(w, g, acc, n, lr, epsilon);
    }

    /**
     * Adadelta's update over n values (keras/src/optimizers/adadelta.py), rms(x) = sqrt(x + epsilon),
     * given {@code oneMinusRho} as for {@link #rmsprop}:
     * accGrad = rho accGrad + (1 - rho) g^2; delta = -rms(accDelta) g / rms(accGrad);
     * accDelta = rho accDelta + (1 - rho) delta^2; w += lr delta.
     */
    public final void adadelta(Tensor w, Tensor g, Tensor accGrad, Tensor accDelta, long n, float lr, float rho,
            float oneMinusRho, float epsilon) {
        Check.positive("adadelta", "n", n);
        Check.holds("adadelta", "w", w, n);
        Check.holds("adadelta", "g", g, n);
        Check.holds("adadelta", "accGrad", accGrad, n);
        Check.holds("adadelta", "accDelta", accDelta, n);
        adadeltaImpl(w, g, accGrad, accDelta, n, lr, rho, oneMinusRho, epsilon);
    }

    /**
     * Adamax's update over n values (keras/src/optimizers/adamax.py), beta1Power = beta1^t,
     * {@code oneMinusBeta1} as {@link #rmsprop}'s oneMinusRho:
     * m += (g - m)(1 - beta1); u = max(beta2 u, |g|); w -= lr m / ((1 - beta1Power)(u + epsilon)).
     */
    public final void adamax(Tensor w, Tensor g, Tensor m, Tensor u, long n, float lr, float oneMinusBeta1,
            float beta2, float epsilon, float beta1Power) {
        Check.positive("adamax", "n", n);
        Check.holds("adamax", "w", w, n);
        Check.holds("adamax", "g", g, n);
        Check.holds("adamax", "m", m, n);
        Check.holds("adamax", "u", u, n);
        adamaxImpl(w, g, m, u, n, lr, oneMinusBeta1, beta2, epsilon, beta1Power);
    }

    /**
     * Nadam's update over n values (keras/src/optimizers/nadam.py), given this step's scalars
     * uT = beta1 (1 - 0.5 * 0.96^t), uNext (the same at t + 1), uProduct = u_1 ... u_t and
     * beta2Power = beta2^t: m += (g - m)(1 - beta1); v += (g^2 - v)(1 - beta2);
     * mHat = uNext m / (1 - uProduct uNext) + (1 - uT) g / (1 - uProduct);
     * w -= mHat lr / (sqrt(v / (1 - beta2Power)) + epsilon).
     */
    public final void nadam(Tensor w, Tensor g, Tensor m, Tensor v, long n, float lr, float beta1, float beta2,
            float epsilon, float uT, float uNext, float uProduct, float beta2Power) {
        Check.positive("nadam", "n", n);
        Check.holds("nadam", "w", w, n);
        Check.holds("nadam", "g", g, n);
        Check.holds("nadam", "m", m, n);
        Check.holds("nadam", "v", v, n);
        nadamImpl(w, g, m, v, n, lr, beta1, beta2, epsilon, uT, uNext, uProduct, beta2Power);
    }

    /** Lion's update over n values (keras/src/optimizers/lion.py): w -= lr sign(beta1 m + (1 - beta1) g); m = beta2 m + (1 - beta2) g. */
    public final void lion(Tensor w, Tensor g, Tensor m, long n, float lr, float beta1, float beta2) {
        Check.positive("lion", "n", n);
        Check.holds("lion", "w", w, n);
        Check.holds("lion", "g", g, n);
        Check.holds("lion", "m", m, n);
        lionImpl(w, g, m, n, lr, beta1, beta2);
    }

    /**
     * Inverted dropout over n values: keeps each with probability 1 - rate (decided by a hash of
     * {@code seed} and the index, identical in both backends), writing mask = 1/(1-rate) or 0 and
     * y = x * mask. y may be x.
     */
    public final void dropout(Tensor y, Tensor mask, Tensor x, long n, float rate, long seed) {
        Check.positive("dropout", "n", n);
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException("dropout: rate must be in [0, 1), got " + rate);
        Check.holds("dropout", "y", y, n);
        Check.holds("dropout", "mask", mask, n);
        Check.holds("dropout", "x", x, n);
        dropoutImpl(y, mask, x, n, rate, seed);
    }

    /** y = a * b elementwise over n values; y may be a or b. */
    public final void multiply(Tensor y, Tensor a, Tensor b, long n) {
        checkElementwise("multiply", y, a, b, n);
        multiplyImpl(y, a, b, n);
    }

    /** y = a + b elementwise over n values; y may be a or b. */
    public final void add(Tensor y, Tensor a, Tensor b, long n) {
        checkElementwise("add", y, a, b, n);
        addImpl(y, a, b, n);
    }

    private static void checkElementwise(String op, Tensor y, Tensor a, Tensor b, long n) {
        Check.positive(op, "n", n);
        Check.holds(op, "y", y, n);
        Check.holds(op, "a", a, n);
        Check.holds(op, "b", b, n);
    }

    /** Unfolds N images into rows of patches: cols (N*OH*OW, KH*KW*C). See native/src/conv.c. */
    public final void im2col(Tensor cols, Tensor x, int N, Window g) {
        Check.positive("im2col", "N", N);
        Check.holds("im2col", "cols", cols, (long) N * g.positions() * g.patchSize());
        Check.holds("im2col", "x", x, N * g.inputSize());
        im2colImpl(cols, x, N, g);
    }

    /** The adjoint of {@link #im2col}: dx (overwritten) = patch rows of dcols summed back into pixels. */
    public final void col2im(Tensor dx, Tensor dcols, int N, Window g) {
        Check.positive("col2im", "N", N);
        Check.holds("col2im", "dcols", dcols, (long) N * g.positions() * g.patchSize());
        Check.holds("col2im", "dx", dx, N * g.inputSize());
        col2imImpl(dx, dcols, N, g);
    }

    /**
     * Places N images x (N, H, W, C) in their window frame xp (N, framedH, framedW, C): pixel
     * (h, w) at (h + PT, w + PL), zeros where windows reach padding, and rows or columns no window
     * reaches left out. The frame is what {@link #conv2d} and {@link #conv2dKernelGradient} read.
     */
    public final void padWindows(Tensor xp, Tensor x, int N, Window g) {
        Check.positive("padWindows", "N", N);
        checkFrame("padWindows", g);
        Check.holds("padWindows", "xp", xp, N * g.framedSize());
        Check.holds("padWindows", "x", x, N * g.inputSize());
        padWindowsImpl(xp, x, N, g);
    }

    /**
     * Direct convolution without bias: y (N, OH, OW, F) = im2col(x) * kernel, read from x's window
     * frame xp (see {@link #padWindows}); kernel (KH, KW, C, F). F must be a multiple of 8 (the
     * native kernel's vector width). The frame around the image (rows above and below, columns
     * left and right) must be zeros, as padWindows writes them: the native kernel skips their
     * products, so a NaN or infinite kernel value meets no padding there (the reference twin
     * multiplies it by the zeros: NaN). See native/src/conv_direct.c.
     */
    public final void conv2d(Tensor y, Tensor xp, Tensor kernel, int N, Window g, int F) {
        checkDirect("conv2d", N, g, F);
        Check.holds("conv2d", "y", y, (long) N * g.positions() * F);
        Check.holds("conv2d", "xp", xp, N * g.framedSize());
        Check.holds("conv2d", "kernel", kernel, (long) g.patchSize() * F);
        conv2dImpl(y, xp, kernel, N, g, F);
    }

    /** dKernel (KH, KW, C, F; overwritten) = im2col(x)^T * dy over N images, from x's frame xp and dy (N, OH, OW, F). */
    public final void conv2dKernelGradient(Tensor dKernel, Tensor xp, Tensor dy, int N, Window g, int F) {
        checkDirect("conv2dKernelGradient", N, g, F);
        Check.holds("conv2dKernelGradient", "dKernel", dKernel, (long) g.patchSize() * F);
        Check.holds("conv2dKernelGradient", "xp", xp, N * g.framedSize());
        Check.holds("conv2dKernelGradient", "dy", dy, (long) N * g.positions() * F);
        conv2dKernelGradientImpl(dKernel, xp, dy, N, g, F);
    }

    /**
     * kt (KH, KW, F, C) = kernel (KH, KW, C, F) turned half a turn, each tap transposed: the kernel
     * of a stride-1 convolution's input gradient (see {@link Window#transposed}).
     */
    public final void flipKernel(Tensor kt, Tensor kernel, int KH, int KW, int C, int F) {
        Check.positive("flipKernel", "KH", KH); // (one by one: an array of them was allocated every step)
        Check.positive("flipKernel", "KW", KW);
        Check.positive("flipKernel", "C", C);
        Check.positive("flipKernel", "F", F);
        long n = (long) KH * KW * C * F;
        Check.holds("flipKernel", "kt", kt, n);
        Check.holds("flipKernel", "kernel", kernel, n);
        flipKernelImpl(kt, kernel, KH, KW, C, F);
    }

    private static void checkDirect(String op, int N, Window g, int F) {
        Check.positive(op, "N", N);
        Check.positive(op, "F", F);
        if (F % 8 != 0) throw new IllegalArgumentException(op + ": F must be a multiple of 8, got " + F);
        checkFrame(op, g);
    }

    private static void checkFrame(String op, Window g) {
        // The kernels index an image's frame with int32 (its rows of WP * C values): a window whose
        // frame is larger (a hand-made one; Window.of makes none) must not reach them.
        if (g.framedSize() > Window.MAX_VALUES) {
            throw new IllegalArgumentException(op + ": the window frame " + g.framedH() + "x" + g.framedW() + "x" + g.C()
                    + " of " + g + " holds more than " + Window.MAX_VALUES + " values per image");
        }
    }

    /**
     * Depthwise convolution without bias (Keras's {@code DepthwiseConv2D} before its bias): each
     * input channel c convolved with its own M filters, y[n, oh, ow, c*M + m] = sum over the window
     * of x[.., c] kernel[kh, kw, c, m]. x (N, H, W, C), kernel (KH, KW, C, M), y (N, OH, OW, C*M);
     * y must not overlap x. See native/src/depthwise.c.
     */
    public final void depthwiseForward(Tensor y, Tensor x, Tensor kernel, int N, int M, Window g) {
        long out = depthwiseSizes("depthwiseForward", N, M, g);
        Check.holds("depthwiseForward", "y", y, N * out);
        Check.holds("depthwiseForward", "x", x, N * g.inputSize());
        Check.holds("depthwiseForward", "kernel", kernel, (long) g.KH() * g.KW() * g.C() * M);
        disjoint("depthwiseForward", "y", y, N * out, "x", x, N * g.inputSize());
        depthwiseForwardImpl(y, x, kernel, N, M, g);
    }

    /**
     * The gradients of {@link #depthwiseForward} given dy (N, OH, OW, C*M), each overwritten:
     * dKernel (KH, KW, C, M); dBias (C*M), the sum of dy over the batch and positions, unless null;
     * dx (N, H, W, C) unless null. None may overlap another tensor of the call.
     */
    public final void depthwiseBackward(Tensor dx, Tensor dKernel, Tensor dBias, Tensor dy, Tensor x, Tensor kernel,
            int N, int M, Window g) {
        String op = "depthwiseBackward";
        long out = depthwiseSizes(op, N, M, g), taps = (long) g.KH() * g.KW() * g.C() * M;
        Check.holds(op, "dy", dy, N * out);
        Check.holds(op, "x", x, N * g.inputSize());
        Check.holds(op, "kernel", kernel, taps);
        Check.holds(op, "dKernel", dKernel, taps);
        disjoint(op, "dKernel", dKernel, taps, "dy", dy, N * out);
        disjoint(op, "dKernel", dKernel, taps, "x", x, N * g.inputSize());
        disjoint(op, "dKernel", dKernel, taps, "kernel", kernel, taps);
        if (dBias != null) {
            Check.holds(op, "dBias", dBias, (long) g.C() * M);
            disjoint(op, "dBias", dBias, (long) g.C() * M, "dy", dy, N * out);
            disjoint(op, "dBias", dBias, (long) g.C() * M, "dKernel", dKernel, taps);
        }
        if (dx != null) {
            Check.holds(op, "dx", dx, N * g.inputSize());
            disjoint(op, "dx", dx, N * g.inputSize(), "dy", dy, N * out);
            disjoint(op, "dx", dx, N * g.inputSize(), "x", x, N * g.inputSize());
            disjoint(op, "dx", dx, N * g.inputSize(), "dKernel", dKernel, taps);
            if (dBias != null) disjoint(op, "dx", dx, N * g.inputSize(), "dBias", dBias, (long) g.C() * M);
        }
        depthwiseBackwardImpl(dx, dKernel, dBias, dy, x, kernel, N, M, g);
    }

    /**
     * Checks N and M and that C*M channels fit the kernels' int32 indices, per image output and
     * kernel included; returns the output values per image, OH*OW*C*M.
     */
    private static long depthwiseSizes(String op, int N, int M, Window g) {
        Check.positive(op, "N", N);
        Check.positive(op, "M", M);
        long out = (long) g.positions() * g.C() * M, taps = (long) g.KH() * g.KW() * g.C() * M;
        if (out > Integer.MAX_VALUE || taps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + g.C() + " channels x depth multiplier " + M + " give "
                    + out + " output values per image and " + taps + " kernel values; at most " + Integer.MAX_VALUE);
        }
        return out;
    }

    /**
     * Rejects two tensors whose first {@code na} and {@code nb} values share memory: the C kernels
     * read and write through {@code restrict} pointers, so overlap would give wrong results.
     */
    private static void disjoint(String op, String a, Tensor ta, long na, String b, Tensor tb, long nb) {
        long a0 = ta.segment().address(), b0 = tb.segment().address();
        if (a0 < b0 + nb * Tensor.BYTES && b0 < a0 + na * Tensor.BYTES) {
            throw new IllegalArgumentException(op + ": " + a + " and " + b + " must not share memory");
        }
    }

    /**
     * Max pooling: y (N, OH, OW, C) and, in {@code argmax} (used as int32 storage), each maximum's
     * index within its image.
     */
    public final void maxPool(Tensor y, Tensor argmax, Tensor x, int N, Window g) {
        Check.positive("maxPool", "N", N);
        Check.holds("maxPool", "y", y, N * g.pooledSize());
        Check.holds("maxPool", "argmax", argmax, N * g.pooledSize());
        Check.holds("maxPool", "x", x, N * g.inputSize());
        maxPoolImpl(y, argmax, x, N, g);
    }

    /** dx (overwritten) = each dy added at its argmax; indices outside the image are ignored. */
    public final void maxPoolBackward(Tensor dx, Tensor dy, Tensor argmax, int N, Window g) {
        Check.positive("maxPoolBackward", "N", N);
        Check.holds("maxPoolBackward", "dx", dx, N * g.inputSize());
        Check.holds("maxPoolBackward", "dy", dy, N * g.pooledSize());
        Check.holds("maxPoolBackward", "argmax", argmax, N * g.pooledSize());
        maxPoolBackwardImpl(dx, dy, argmax, N, g);
    }

    /** Average pooling over each window's pixels inside the image. */
    public final void avgPool(Tensor y, Tensor x, int N, Window g) {
        Check.positive("avgPool", "N", N);
        Check.holds("avgPool", "y", y, N * g.pooledSize());
        Check.holds("avgPool", "x", x, N * g.inputSize());
        avgPoolImpl(y, x, N, g);
    }

    /** dx (overwritten) = each dy spread evenly over its window's pixels inside the image. */
    public final void avgPoolBackward(Tensor dx, Tensor dy, int N, Window g) {
        Check.positive("avgPoolBackward", "N", N);
        Check.holds("avgPoolBackward", "dx", dx, N * g.inputSize());
        Check.holds("avgPoolBackward", "dy", dy, N * g.pooledSize());
        avgPoolBackwardImpl(dx, dy, N, g);
    }

    /**
     * Warps N images of H x W x C by one affine map each ({@code transforms}: 6 values per image,
     * see native/include/sinew.h), bilinear, zero outside. y must not be x.
     */
    public final void affineWarp(Tensor y, Tensor x, Tensor transforms, int N, int H, int W, int C) {
        Check.positive("affineWarp", "N", N);
        Check.positive("affineWarp", "H", H);
        Check.positive("affineWarp", "W", W);
        Check.positive("affineWarp", "C", C);
        long size = (long) N * H * W * C;
        Check.holds("affineWarp", "y", y, size);
        Check.holds("affineWarp", "x", x, size);
        Check.holds("affineWarp", "transforms", transforms, 6L * N);
        if (y.segment().address() == x.segment().address()) {
            throw new IllegalArgumentException("affineWarp: y and x must be different buffers");
        }
        affineWarpImpl(y, x, transforms, N, H, W, C);
    }

    // ---- Normalisation (native/src/norm.c). x is R rows of C values, C the normalised (last) axis;
    // gamma and beta may be null (Keras's scale=False, center=False).

    /**
     * BatchNormalization's statistics of R rows: per channel the mean and the biased variance
     * (Keras's {@code ops.moments}), for one shard of a batch.
     */
    public final void batchnormStats(Tensor mean, Tensor variance, Tensor x, long R, int C) {
        Check.positive("batchnormStats", "R", R);
        Check.positive("batchnormStats", "C", C);
        Check.holds("batchnormStats", "mean", mean, C);
        Check.holds("batchnormStats", "variance", variance, C);
        Check.holds("batchnormStats", "x", x, R * C);
        batchnormStatsImpl(mean, variance, x, R, C);
    }

    /**
     * y = gamma (x - mean) / sqrt(variance + eps) + beta per channel, over R rows. y may be x.
     */
    public final void batchnormForward(Tensor y, Tensor x, Tensor mean, Tensor variance, Tensor gamma, Tensor beta,
            long R, int C, float eps) {
        checkNorm("batchnormForward", R, C, eps);
        Check.holds("batchnormForward", "y", y, R * C);
        Check.holds("batchnormForward", "x", x, R * C);
        Check.holds("batchnormForward", "mean", mean, C);
        Check.holds("batchnormForward", "variance", variance, C);
        optional("batchnormForward", "gamma", gamma, C);
        optional("batchnormForward", "beta", beta, C);
        batchnormForwardImpl(y, x, mean, variance, gamma, beta, R, C, eps);
    }

    /** Over R rows: dbeta = sum dy and dgamma = sum dy * xhat per channel (overwritten). */
    public final void batchnormBackwardSums(Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor mean,
            Tensor variance, long R, int C, float eps) {
        checkNorm("batchnormBackwardSums", R, C, eps);
        Check.holds("batchnormBackwardSums", "dgamma", dgamma, C);
        Check.holds("batchnormBackwardSums", "dbeta", dbeta, C);
        Check.holds("batchnormBackwardSums", "dy", dy, R * C);
        Check.holds("batchnormBackwardSums", "x", x, R * C);
        Check.holds("batchnormBackwardSums", "mean", mean, C);
        Check.holds("batchnormBackwardSums", "variance", variance, C);
        batchnormBackwardSumsImpl(dgamma, dbeta, dy, x, mean, variance, R, C, eps);
    }

    /**
     * dx = gamma inv_std (dy - dbeta / M - xhat dgamma / M) over R rows, given dgamma and dbeta
     * summed over all M rows of the batch; with dgamma and dbeta null (statistics that were
     * constants) dx = gamma inv_std dy. dx may be dy.
     */
    public final void batchnormBackward(Tensor dx, Tensor dy, Tensor x, Tensor mean, Tensor variance, Tensor gamma,
            Tensor dgamma, Tensor dbeta, long R, int C, long M, float eps) {
        checkNorm("batchnormBackward", R, C, eps);
        if (M < R) throw new IllegalArgumentException("batchnormBackward: M (rows of the batch) = " + M + " < R = " + R);
        if ((dgamma == null) != (dbeta == null)) {
            throw new IllegalArgumentException("batchnormBackward: dgamma and dbeta are both given or both null");
        }
        Check.holds("batchnormBackward", "dx", dx, R * C);
        Check.holds("batchnormBackward", "dy", dy, R * C);
        Check.holds("batchnormBackward", "x", x, R * C);
        Check.holds("batchnormBackward", "mean", mean, C);
        Check.holds("batchnormBackward", "variance", variance, C);
        optional("batchnormBackward", "gamma", gamma, C);
        optional("batchnormBackward", "dgamma", dgamma, C);
        optional("batchnormBackward", "dbeta", dbeta, C);
        batchnormBackwardImpl(dx, dy, x, mean, variance, gamma, dgamma, dbeta, R, C, M, eps);
    }

    /**
     * LayerNormalization over R rows of C values: each row's mean and inv_std = 1 / sqrt(var + eps)
     * (kept for the backward pass, R values each) and y = gamma (x - mean) inv_std + beta.
     */
    public final void layernormForward(Tensor y, Tensor mean, Tensor invStd, Tensor x, Tensor gamma, Tensor beta,
            long R, int C, float eps) {
        checkNorm("layernormForward", R, C, eps);
        Check.holds("layernormForward", "y", y, R * C);
        Check.holds("layernormForward", "mean", mean, R);
        Check.holds("layernormForward", "invStd", invStd, R);
        Check.holds("layernormForward", "x", x, R * C);
        optional("layernormForward", "gamma", gamma, C);
        optional("layernormForward", "beta", beta, C);
        layernormForwardImpl(y, mean, invStd, x, gamma, beta, R, C, eps);
    }

    /**
     * LayerNormalization's backward over R rows: dx (may be dy) and, unless null, dgamma and dbeta
     * summed over the R rows (overwritten).
     */
    public final void layernormBackward(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor mean,
            Tensor invStd, Tensor gamma, long R, int C) {
        Check.positive("layernormBackward", "R", R);
        Check.positive("layernormBackward", "C", C);
        Check.holds("layernormBackward", "dx", dx, R * C);
        Check.holds("layernormBackward", "dy", dy, R * C);
        Check.holds("layernormBackward", "x", x, R * C);
        Check.holds("layernormBackward", "mean", mean, R);
        Check.holds("layernormBackward", "invStd", invStd, R);
        optional("layernormBackward", "gamma", gamma, C);
        optional("layernormBackward", "dgamma", dgamma, C);
        optional("layernormBackward", "dbeta", dbeta, C);
        layernormBackwardImpl(dx, dgamma, dbeta, dy, x, mean, invStd, gamma, R, C);
    }

    private static void checkNorm(String op, long R, int C, float eps) {
        Check.positive(op, "R", R);
        Check.positive(op, "C", C);
        if (!(eps >= 0) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException(op + ": epsilon must be finite and >= 0, got " + eps);
        }
    }

    /** A tensor that may be null (no gamma, no beta); when given, it must hold n values. */
    private static void optional(String op, String what, Tensor t, long n) {
        if (t != null) Check.holds(op, what, t, n);
    }

    private static void checkLoss(String op, Tensor grad, Tensor p, Tensor t, int N, int C) {
        Check.positive(op, "N", N);
        Check.positive(op, "C", C);
        if (grad != null) Check.holds(op, "gradient", grad, (long) N * C);
        Check.holds(op, "p", p, (long) N * C);
        Check.holds(op, "t", t, (long) N * C);
    }

    protected abstract void gemmImpl(boolean transA, boolean transB, int M, int N, int K, float alpha,
            Tensor A, Tensor B, float beta, Tensor C);

    protected abstract void biasActivationImpl(Tensor y, Tensor z, Tensor bias, int N, int C, Activation act,
            float alpha);

    protected abstract void activationBackwardImpl(Tensor dz, Tensor z, Tensor y, Tensor dy, int N, int C,
            Activation act, float alpha);

    protected abstract void reluImpl(Tensor y, Tensor x, long n, float maxValue, float negativeSlope, float threshold);

    protected abstract void reluBackwardImpl(Tensor dx, Tensor x, Tensor dy, long n, float maxValue,
            float negativeSlope, float threshold);

    protected abstract double softmaxCrossEntropyImpl(Tensor dz, Tensor p, Tensor t, int N, int C, float scale);

    protected abstract double crossEntropyImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale);

    protected abstract double squaredErrorImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale);

    protected abstract double pointwiseLossImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale,
            PointwiseLoss loss, float param);

    protected abstract double crossEntropySmoothedImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale,
            CrossEntropyInput input, float ls);

    protected abstract double categoricalHingeImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale);

    protected abstract double cosineSimilarityImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale);

    protected abstract void columnSumImpl(Tensor out, Tensor x, int N, int C);

    protected abstract double sparseSoftmaxCrossEntropyImpl(Tensor dz, Tensor p, Tensor labels, int N, int C, float scale);

    protected abstract double sparseCrossEntropyImpl(Tensor dp, Tensor p, Tensor labels, int N, int C, float scale);

    protected abstract int countSparseMatchesImpl(Tensor p, Tensor labels, int N, int C);

    protected abstract int countArgmaxMatchesImpl(Tensor p, Tensor t, int N, int C);

    protected abstract long countThresholdMatchesImpl(Tensor p, Tensor t, long n, float threshold);

    protected abstract long countNonFiniteImpl(Tensor x, long n);

    protected abstract void axpyImpl(int n, float alpha, Tensor x, Tensor y);

    protected abstract void sgdMomentumImpl(Tensor w, Tensor v, Tensor g, long n, float lr, float momentum,
            boolean nesterov);

    protected abstract double sumSquaresImpl(Tensor x, long n);

    protected abstract void scaleImpl(Tensor x, long n, float a);

    protected abstract void clipImpl(Tensor x, long n, float lo, float hi);

    protected abstract void weightDecayImpl(Tensor w, long n, float wd, float lr);

    protected abstract void movingAverageImpl(Tensor avg, Tensor w, long n, float momentum);

    protected abstract void adamImpl(Tensor w, Tensor g, Tensor m, Tensor v, Tensor vhat, long n, float alpha,
            float beta1, float beta2, float epsilon);

    protected abstract void rmspropImpl(Tensor w, Tensor g, Tensor v, Tensor a, Tensor mom, long n, float lr, float rho,
            float oneMinusRho, float momentum, float epsilon);

    protected abstract void adagradImpl(Tensor w, Tensor g, Tensor acc, long n, float lr, float epsilon);

    protected abstract void adadeltaImpl(Tensor w, Tensor g, Tensor accGrad, Tensor accDelta, long n, float lr, float rho,
            float oneMinusRho, float epsilon);

    protected abstract void adamaxImpl(Tensor w, Tensor g, Tensor m, Tensor u, long n, float lr, float oneMinusBeta1,
            float beta2, float epsilon, float beta1Power);

    protected abstract void nadamImpl(Tensor w, Tensor g, Tensor m, Tensor v, long n, float lr, float beta1, float beta2,
            float epsilon, float uT, float uNext, float uProduct, float beta2Power);

    protected abstract void lionImpl(Tensor w, Tensor g, Tensor m, long n, float lr, float beta1, float beta2);

    protected abstract void dropoutImpl(Tensor y, Tensor mask, Tensor x, long n, float rate, long seed);

    protected abstract void multiplyImpl(Tensor y, Tensor a, Tensor b, long n);

    protected abstract void addImpl(Tensor y, Tensor a, Tensor b, long n);

    protected abstract void affineWarpImpl(Tensor y, Tensor x, Tensor transforms, int N, int H, int W, int C);

    protected abstract void im2colImpl(Tensor cols, Tensor x, int N, Window g);

    protected abstract void col2imImpl(Tensor dx, Tensor dcols, int N, Window g);

    protected abstract void padWindowsImpl(Tensor xp, Tensor x, int N, Window g);

    protected abstract void conv2dImpl(Tensor y, Tensor xp, Tensor kernel, int N, Window g, int F);

    protected abstract void conv2dKernelGradientImpl(Tensor dKernel, Tensor xp, Tensor dy, int N, Window g, int F);

    protected abstract void flipKernelImpl(Tensor kt, Tensor kernel, int KH, int KW, int C, int F);

    protected abstract void depthwiseForwardImpl(Tensor y, Tensor x, Tensor kernel, int N, int M, Window g);

    protected abstract void depthwiseBackwardImpl(Tensor dx, Tensor dKernel, Tensor dBias, Tensor dy, Tensor x,
            Tensor kernel, int N, int M, Window g);

    protected abstract void maxPoolImpl(Tensor y, Tensor argmax, Tensor x, int N, Window g);

    protected abstract void maxPoolBackwardImpl(Tensor dx, Tensor dy, Tensor argmax, int N, Window g);

    protected abstract void avgPoolImpl(Tensor y, Tensor x, int N, Window g);

    protected abstract void avgPoolBackwardImpl(Tensor dx, Tensor dy, int N, Window g);

    protected abstract void batchnormStatsImpl(Tensor mean, Tensor variance, Tensor x, long R, int C);

    protected abstract void batchnormForwardImpl(Tensor y, Tensor x, Tensor mean, Tensor variance, Tensor gamma,
            Tensor beta, long R, int C, float eps);

    protected abstract void batchnormBackwardSumsImpl(Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor mean,
            Tensor variance, long R, int C, float eps);

    protected abstract void batchnormBackwardImpl(Tensor dx, Tensor dy, Tensor x, Tensor mean, Tensor variance,
            Tensor gamma, Tensor dgamma, Tensor dbeta, long R, int C, long M, float eps);

    protected abstract void layernormForwardImpl(Tensor y, Tensor mean, Tensor invStd, Tensor x, Tensor gamma,
            Tensor beta, long R, int C, float eps);

    protected abstract void layernormBackwardImpl(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x,
            Tensor mean, Tensor invStd, Tensor gamma, long R, int C);

    // ---- Global pooling, zero padding, transpose (GlobalAveragePooling2D, GlobalMaxPooling2D,
    // ZeroPadding2D, Permute). Images are NHWC; HW = H*W pixels per image.

    /** y (N, C) = each image's mean over its HW pixels, per channel. */
    public final void globalAvgPool(Tensor y, Tensor x, int N, int HW, int C) {
        checkGlobalPool("globalAvgPool", y, null, x, N, HW, C);
        globalAvgPoolImpl(y, x, N, HW, C);
    }

    /** dx (overwritten) = dy / HW at every pixel. */
    public final void globalAvgPoolBackward(Tensor dx, Tensor dy, int N, int HW, int C) {
        checkGlobalPool("globalAvgPoolBackward", dy, null, dx, N, HW, C);
        globalAvgPoolBackwardImpl(dx, dy, N, HW, C);
    }

    /**
     * y (N, C) = each image's maximum per channel, and in {@code argmax} (int32 storage) its index
     * within the image, p * C + c (the first maximum wins).
     */
    public final void globalMaxPool(Tensor y, Tensor argmax, Tensor x, int N, int HW, int C) {
        checkGlobalPool("globalMaxPool", y, argmax, x, N, HW, C);
        globalMaxPoolImpl(y, argmax, x, N, HW, C);
    }

    /** dx (overwritten) = each dy added at its argmax; indices outside the image are ignored. */
    public final void globalMaxPoolBackward(Tensor dx, Tensor dy, Tensor argmax, int N, int HW, int C) {
        checkGlobalPool("globalMaxPoolBackward", dy, argmax, dx, N, HW, C);
        globalMaxPoolBackwardImpl(dx, dy, argmax, N, HW, C);
    }

    // pooled: the (N, C) side; image: the (N, HW, C) side. The kernels index an image with int32.
    private static void checkGlobalPool(String op, Tensor pooled, Tensor argmax, Tensor image, int N, int HW, int C) {
        Check.positive(op, "N", N);
        Check.positive(op, "HW", HW);
        Check.positive(op, "C", C);
        if ((long) HW * C > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": an image of HW x C = " + HW + " x " + C
                    + " values is too large for int32 indices");
        }
        Check.holds(op, "pooled", pooled, (long) N * C);
        if (argmax != null) Check.holds(op, "argmax", argmax, (long) N * C);
        Check.holds(op, "image", image, product(op, N, HW, C));
    }

    /**
     * y (N, top + H + bottom, left + W + right, C) = x (N, H, W, C) surrounded by zeros, as Keras's
     * ZeroPadding2D.
     */
    public final void zeroPad(Tensor y, Tensor x, int N, int H, int W, int C, int top, int bottom, int left,
            int right) {
        checkZeroPad("zeroPad", y, x, N, H, W, C, top, bottom, left, right);
        zeroPadImpl(y, x, N, H, W, C, top, bottom, left, right);
    }

    /** The crop that is zeroPad's gradient: dx (N, H, W, C, overwritten) = dy without its padding. */
    public final void zeroPadBackward(Tensor dx, Tensor dy, int N, int H, int W, int C, int top, int bottom,
            int left, int right) {
        checkZeroPad("zeroPadBackward", dy, dx, N, H, W, C, top, bottom, left, right);
        zeroPadBackwardImpl(dx, dy, N, H, W, C, top, bottom, left, right);
    }

    private static void checkZeroPad(String op, Tensor padded, Tensor image, int N, int H, int W, int C, int top,
            int bottom, int left, int right) {
        Check.positive(op, "N", N);
        Check.positive(op, "H", H);
        Check.positive(op, "W", W);
        Check.positive(op, "C", C);
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException(op + ": padding must be >= 0, got top=" + top + ", bottom=" + bottom
                    + ", left=" + left + ", right=" + right);
        }
        long ph = (long) top + H + bottom, pw = (long) left + W + right;
        if (ph > Integer.MAX_VALUE || pw > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": padded image " + ph + " x " + pw + " exceeds the int range");
        }
        Check.holds(op, "image", image, product(op, N, H, W, C));
        Check.holds(op, "padded", padded, product(op, N, ph, pw, C));
    }

    // A size as the product of dimensions; one too large for a long is no tensor's, and must not
    // wrap around to a small number that some buffer holds.
    /** a x b x c, or an error naming op when it is beyond a long (no varargs: checks run every step, and must not allocate). */
    private static long product(String op, long a, long b, long c) {
        try {
            return Math.multiplyExact(Math.multiplyExact(a, b), c);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(op + ": sizes [" + a + ", " + b + ", " + c + "] multiply beyond a long");
        }
    }

    /** a x b x c x d, or an error naming op when it is beyond a long. */
    private static long product(String op, long a, long b, long c, long d) {
        try {
            return Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(a, b), c), d);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(op + ": sizes [" + a + ", " + b + ", " + c + ", " + d + "] multiply beyond a long");
        }
    }

    /** Transposes each of N samples as {@code t} says (see {@link Transpose}). y must not be x. */
    public final void transpose(Tensor y, Tensor x, int N, Transpose t) {
        Check.positive("transpose", "N", N);
        if (t == null) throw new IllegalArgumentException("transpose: t is null");
        Check.holds("transpose", "y", y, N * t.size());
        Check.holds("transpose", "x", x, N * t.size());
        if (y.segment().address() == x.segment().address()) {
            throw new IllegalArgumentException("transpose: y and x must be different buffers");
        }
        transposeImpl(y, x, N, t);
    }

    protected abstract void globalAvgPoolImpl(Tensor y, Tensor x, int N, int HW, int C);

    protected abstract void globalAvgPoolBackwardImpl(Tensor dx, Tensor dy, int N, int HW, int C);

    protected abstract void globalMaxPoolImpl(Tensor y, Tensor argmax, Tensor x, int N, int HW, int C);

    protected abstract void globalMaxPoolBackwardImpl(Tensor dx, Tensor dy, Tensor argmax, int N, int HW, int C);

    protected abstract void zeroPadImpl(Tensor y, Tensor x, int N, int H, int W, int C, int top, int bottom,
            int left, int right);

    protected abstract void zeroPadBackwardImpl(Tensor dx, Tensor dy, int N, int H, int W, int C, int top,
            int bottom, int left, int right);

    protected abstract void transposeImpl(Tensor y, Tensor x, int N, Transpose t);

    // ---- int8 inference (Keras's model.quantize("int8") for Dense; see dev.sinew.layers.Int8Dense).
    // int8 and int32 data live in float tensors as raw bytes; the layouts are in native/include/sinew.h.

    /** The most inputs K an int8 product may sum: 127 * 127 * K must stay within an int32. */
    public static final int INT8_MAX_K = Integer.MAX_VALUE / (127 * 127);

    /** K rounded up to a multiple of 4: the bytes of one quantized input row. */
    public static int int8RowBytes(int K) {
        return (K + 3) & ~3;
    }

    /** The bytes of a packed int8 kernel of K inputs and N units: N rounded up to 16, times {@link #int8RowBytes}. */
    public static long int8KernelBytes(int K, int N) {
        return (long) ((N + 15) / 16) * 16 * int8RowBytes(K);
    }

    /**
     * Per row of x (M, K): scale = 127 / (max |x| + 1e-7), xq = clip(round_half_even(x * scale),
     * -127, 127) as int8 (rows of {@link #int8RowBytes} bytes, zero-padded), xscale[m] = scale:
     * Keras's {@code abs_max_quantize(x, axis=-1)}.
     */
    public final void int8QuantizeRows(Tensor xq, Tensor xscale, Tensor x, int M, int K) {
        checkInt8K("int8QuantizeRows", M, K);
        Check.holds("int8QuantizeRows", "x", x, (long) M * K);
        Check.holds("int8QuantizeRows", "xq", xq, (long) M * int8RowBytes(K) / Float.BYTES);
        Check.holds("int8QuantizeRows", "xscale", xscale, M);
        int8QuantizeRowsImpl(xq, xscale, x, M, K);
    }

    /**
     * y (M, N) = (float) (xq . wq) / (wscale[n] * xscale[m]), the int32 sums exact: Keras's int8
     * Dense before bias and activation. wq is the kernel packed as sinew.h describes, colsum its
     * column sums (int32, N rounded up to 16 of them).
     */
    public final void int8Gemm(Tensor y, Tensor xq, Tensor xscale, Tensor wq, Tensor wscale, Tensor colsum,
            int M, int N, int K) {
        checkInt8K("int8Gemm", M, K);
        Check.positive("int8Gemm", "N", N);
        Check.holds("int8Gemm", "y", y, (long) M * N);
        Check.holds("int8Gemm", "xq", xq, (long) M * int8RowBytes(K) / Float.BYTES);
        Check.holds("int8Gemm", "xscale", xscale, M);
        Check.holds("int8Gemm", "wq", wq, int8KernelBytes(K, N) / Float.BYTES);
        Check.holds("int8Gemm", "wscale", wscale, N);
        Check.holds("int8Gemm", "colsum", colsum, (N + 15) / 16 * 16L);
        int8GemmImpl(y, xq, xscale, wq, wscale, colsum, M, N, K);
    }

    private static void checkInt8K(String op, int M, int K) {
        Check.positive(op, "M", M);
        Check.positive(op, "K", K);
        if (K > INT8_MAX_K) {
            throw new IllegalArgumentException(op + ": K must be at most " + INT8_MAX_K
                    + " for exact int32 sums, got " + K);
        }
    }

    protected abstract void int8QuantizeRowsImpl(Tensor xq, Tensor xscale, Tensor x, int M, int K);

    protected abstract void int8GemmImpl(Tensor y, Tensor xq, Tensor xscale, Tensor wq, Tensor wscale, Tensor colsum,
            int M, int N, int K);

    @Override
    public String toString() {
        return name();
    }
}
