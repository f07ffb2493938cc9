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
        Check.positive("multiply", "n", n);
        Check.holds("multiply", "y", y, n);
        Check.holds("multiply", "a", a, n);
        Check.holds("multiply", "b", b, n);
        multiplyImpl(y, a, b, n);
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

    protected abstract void affineWarpImpl(Tensor y, Tensor x, Tensor transforms, int N, int H, int W, int C);

    protected abstract void im2colImpl(Tensor cols, Tensor x, int N, Window g);

    protected abstract void col2imImpl(Tensor dx, Tensor dcols, int N, Window g);

    protected abstract void depthwiseForwardImpl(Tensor y, Tensor x, Tensor kernel, int N, int M, Window g);

    protected abstract void depthwiseBackwardImpl(Tensor dx, Tensor dKernel, Tensor dBias, Tensor dy, Tensor x,
            Tensor kernel, int N, int M, Window g);

    protected abstract void maxPoolImpl(Tensor y, Tensor argmax, Tensor x, int N, Window g);

    protected abstract void maxPoolBackwardImpl(Tensor dx, Tensor dy, Tensor argmax, int N, Window g);

    protected abstract void avgPoolImpl(Tensor y, Tensor x, int N, Window g);

    protected abstract void avgPoolBackwardImpl(Tensor dx, Tensor dy, int N, Window g);

    @Override
    public String toString() {
        return name();
    }
}
