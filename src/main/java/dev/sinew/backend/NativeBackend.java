package dev.sinew.backend;

import static dev.sinew.nativ.cblas_h.CblasNoTrans;
import static dev.sinew.nativ.cblas_h.CblasRowMajor;
import static dev.sinew.nativ.cblas_h.CblasTrans;

import dev.sinew.activations.Activation;
import dev.sinew.nativ.NativeLibraries;
import dev.sinew.nativ.cblas_h;
import dev.sinew.nativ.sinew_h;
import dev.sinew.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Runs every operation in native code: matrix products in OpenBLAS ({@code cblas_sgemm},
 * {@code cblas_saxpy}) or, for the small shapes where it measured faster ({@link SmallGemm}),
 * libsinew's {@code sinew_sgemm_small}; everything else in libsinew (one C function per operation, see
 * {@code native/include/sinew.h}). Sizes were checked by {@link Backend} before we get here.
 *
 * <p>Threads: Sinew uses {@code sinew.threads} (system property) or {@code SINEW_THREADS} threads
 * if set, else OpenBLAS's default (one per core, or {@code OPENBLAS_NUM_THREADS}), and runs them
 * itself: layers split the batch into shards ({@link #forEachShard}) and a large GEMM outside a
 * shard is split by rows, each part on its own core, while OpenBLAS is kept at one thread. Why
 * not OpenBLAS's threads: they spin between calls, so a second core never serves both OpenBLAS
 * and a shard without oversubscription, and at the notebook's shapes splitting every GEMM over the
 * cores gained little (a W2 step: 20-24 ms with two OpenBLAS threads, 23 ms with one; ~15 ms with
 * two shards). {@link #setThreads(int)} changes the count for the whole process.
 */
public final class NativeBackend extends Backend {
    /** Below this many floating-point operations a shard is not worth a hand-over (~10 µs). */
    private static final long MIN_WORK_PER_SHARD = 1L << 20;

    private static final NativeBackend INSTANCE = new NativeBackend();
    private static volatile boolean initialised;
    private static volatile int threads = 0; // 0: not chosen yet
    private static volatile ShardPool pool;

    private NativeBackend() {}

    /**
     * The native backend, loading OpenBLAS and libsinew on first use.
     *
     * @throws IllegalStateException naming every place searched, when a library cannot be loaded
     */
    public static NativeBackend get() {
        if (!initialised) {
            synchronized (NativeBackend.class) {
                if (!initialised) {
                    NativeLibraries.openblas();
                    NativeLibraries.sinew();
                    if (threads == 0) setThreads(defaultThreads());
                    initialised = true;
                }
            }
        }
        return INSTANCE;
    }

    private static int defaultThreads() {
        String t = System.getProperty("sinew.threads", System.getenv("SINEW_THREADS"));
        if (t == null || t.isBlank()) return Math.max(1, cblas_h.openblas_get_num_threads());
        try {
            int n = Integer.parseInt(t.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("sinew.threads / SINEW_THREADS must be a whole number of at least 1, got '"
                + t + "'");
    }

    /** Sets how many threads Sinew computes on, for this process (1 or more). */
    public static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        cblas_h.openblas_set_num_threads(1);
        NativeBackend.threads = threads;
    }

    /** The thread count Sinew computes on: the most shards a batch or a GEMM is split into. */
    public static int threads() {
        return threads == 0 ? get().shards() : threads;
    }

    @Override
    public int shards() {
        return threads;
    }

    @Override
    public int forEachShard(int n, long work, ShardTask task) {
        int shards = shardsFor(n, work);
        if (shards == 1) {
            task.run(0, 0, n);
        } else {
            pool(shards).run(n, shards, task);
        }
        return shards;
    }

    private static int shardsFor(int n, long work) {
        return (int) Math.max(1, Math.min(Math.min(threads, n), work / MIN_WORK_PER_SHARD));
    }

    private static ShardPool pool(int shards) {
        ShardPool p = pool;
        if (p == null || p.threads() < shards) {
            synchronized (NativeBackend.class) {
                p = pool;
                if (p == null || p.threads() < shards) pool = p = new ShardPool(shards);
            }
        }
        return p;
    }

    /** OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 NO_AFFINITY COOPERLAKE MAX_THREADS=64". */
    public static String openblasConfig() {
        return cblas_h.openblas_get_config().reinterpret(1024).getString(0);
    }

    @Override
    public String name() {
        return "native";
    }

    private static MemorySegment seg(Tensor t) {
        return t == null ? MemorySegment.NULL : t.segment();
    }

    @Override
    protected void gemmImpl(boolean transA, boolean transB, int M, int N, int K, float alpha,
            Tensor A, Tensor B, float beta, Tensor C) {
        // Inside a layer's shard the GEMM runs whole; outside, it is split by rows into a count
        // that depends only on its size and the thread count, run on the pool or, when another
        // caller holds the pool, in turn on this thread: the same arithmetic either way.
        int shards = ShardPool.insideShard() ? 1 : shardsFor(M, 2L * M * N * K);
        if (shards == 1) {
            sgemmRows(transA, transB, M, N, K, alpha, A, B, beta, C, 0, M);
        } else {
            // Rows [from, to) of C need rows [from, to) of op(A) and all of B.
            pool(shards).run(M, shards, (s, from, to) -> sgemmRows(transA, transB, M, N, K, alpha, A, B, beta, C, from, to));
        }
    }

    private static void sgemmRows(boolean transA, boolean transB, int M, int N, int K, float alpha,
            Tensor A, Tensor B, float beta, Tensor C, int from, int to) {
        // op(A)'s rows are A's rows (offset from * K) or, transposed, A's columns (offset from,
        // still with leading dimension M).
        // (No slice for the first part: a step must not allocate.)
        MemorySegment a = from == 0 ? A.segment() : A.segment().asSlice(Tensor.BYTES * (transA ? from : (long) from * K));
        MemorySegment c = from == 0 ? C.segment() : C.segment().asSlice(Tensor.BYTES * (long) from * N);
        // Leading dimensions follow from the sizes Backend.gemm checked (dense row-major tensors),
        // so both callees may rely on them; neither needs any alignment.
        if (SmallGemm.faster(transA, transB, to - from, N, K)) {
            sinew_h.sinew_sgemm_small(transA ? 1 : 0, transB ? 1 : 0, to - from, N, K, alpha,
                    a, transA ? M : K, B.segment(), transB ? K : N, beta, c, N);
        } else {
            cblas_h.cblas_sgemm(CblasRowMajor(), transA ? CblasTrans() : CblasNoTrans(),
                    transB ? CblasTrans() : CblasNoTrans(), to - from, N, K, alpha,
                    a, transA ? M : K, B.segment(), transB ? K : N, beta, c, N);
        }
    }

    @Override
    protected void biasActivationImpl(Tensor y, Tensor z, Tensor bias, int N, int C, Activation act, float alpha) {
        sinew_h.sinew_bias_act_forward(y.segment(), z.segment(), seg(bias), N, C, act.code(), alpha);
    }

    @Override
    protected void activationBackwardImpl(Tensor dz, Tensor z, Tensor y, Tensor dy, int N, int C,
            Activation act, float alpha) {
        sinew_h.sinew_act_backward(dz.segment(), seg(z), y.segment(), dy.segment(), N, C, act.code(), alpha);
    }

    @Override
    protected void reluImpl(Tensor y, Tensor x, long n, float maxValue, float negativeSlope, float threshold) {
        sinew_h.sinew_relu_forward(y.segment(), x.segment(), n, maxValue, negativeSlope, threshold);
    }

    @Override
    protected void reluBackwardImpl(Tensor dx, Tensor x, Tensor dy, long n, float maxValue, float negativeSlope,
            float threshold) {
        sinew_h.sinew_relu_backward(dx.segment(), x.segment(), dy.segment(), n, maxValue, negativeSlope, threshold);
    }

    @Override
    protected double softmaxCrossEntropyImpl(Tensor dz, Tensor p, Tensor t, int N, int C, float scale) {
        return sinew_h.sinew_softmax_xent_backward(seg(dz), p.segment(), t.segment(), N, C, scale);
    }

    @Override
    protected double crossEntropyImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        return sinew_h.sinew_xent_backward(seg(dp), p.segment(), t.segment(), N, C, scale);
    }

    @Override
    protected double squaredErrorImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        return sinew_h.sinew_mse_backward(seg(dp), p.segment(), t.segment(), N, C, scale);
    }

    @Override
    protected double pointwiseLossImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale, PointwiseLoss loss,
            float param) {
        return sinew_h.sinew_pointwise_loss_backward(seg(dp), p.segment(), t.segment(), N, C, scale, loss.code(), param);
    }

    @Override
    protected double crossEntropySmoothedImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale,
            CrossEntropyInput input, float ls) {
        return sinew_h.sinew_xent_smooth_backward(seg(dp), p.segment(), t.segment(), N, C, scale, input.code(), ls);
    }

    @Override
    protected double categoricalHingeImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        return sinew_h.sinew_categorical_hinge_backward(seg(dp), p.segment(), t.segment(), N, C, scale);
    }

    @Override
    protected double cosineSimilarityImpl(Tensor dp, Tensor p, Tensor t, int N, int C, float scale) {
        return sinew_h.sinew_cosine_similarity_backward(seg(dp), p.segment(), t.segment(), N, C, scale);
    }

    @Override
    protected void columnSumImpl(Tensor out, Tensor x, int N, int C) {
        sinew_h.sinew_col_sum(out.segment(), x.segment(), N, C);
    }

    @Override
    protected int countArgmaxMatchesImpl(Tensor p, Tensor t, int N, int C) {
        return sinew_h.sinew_count_argmax_match(p.segment(), t.segment(), N, C);
    }

    @Override
    protected long countThresholdMatchesImpl(Tensor p, Tensor t, long n, float threshold) {
        return sinew_h.sinew_count_threshold_match(p.segment(), t.segment(), n, threshold);
    }

    @Override
    protected long countNonFiniteImpl(Tensor x, long n) {
        return sinew_h.sinew_count_nonfinite(x.segment(), n);
    }

    @Override
    protected void axpyImpl(int n, float alpha, Tensor x, Tensor y) {
        cblas_h.cblas_saxpy(n, alpha, x.segment(), 1, y.segment(), 1);
    }

    @Override
    protected void sgdMomentumImpl(Tensor w, Tensor v, Tensor g, long n, float lr, float momentum,
            boolean nesterov) {
        sinew_h.sinew_sgd_momentum(w.segment(), v.segment(), g.segment(), n, lr, momentum, nesterov ? 1 : 0);
    }

    @Override
    protected double sparseSoftmaxCrossEntropyImpl(Tensor dz, Tensor p, Tensor labels, int N, int C, float scale) {
        return sinew_h.sinew_sparse_softmax_xent_backward(seg(dz), p.segment(), labels.segment(), N, C, scale);
    }

    @Override
    protected double sparseCrossEntropyImpl(Tensor dp, Tensor p, Tensor labels, int N, int C, float scale) {
        return sinew_h.sinew_sparse_xent_backward(seg(dp), p.segment(), labels.segment(), N, C, scale);
    }

    @Override
    protected int countSparseMatchesImpl(Tensor p, Tensor labels, int N, int C) {
        return sinew_h.sinew_count_sparse_match(p.segment(), labels.segment(), N, C);
    }

    @Override
    protected double sumSquaresImpl(Tensor x, long n) {
        return sinew_h.sinew_sum_squares(x.segment(), n);
    }

    @Override
    protected void scaleImpl(Tensor x, long n, float a) {
        sinew_h.sinew_scale(x.segment(), n, a);
    }

    @Override
    protected void clipImpl(Tensor x, long n, float lo, float hi) {
        sinew_h.sinew_clip(x.segment(), n, lo, hi);
    }

    @Override
    protected void weightDecayImpl(Tensor w, long n, float wd, float lr) {
        sinew_h.sinew_weight_decay(w.segment(), n, wd, lr);
    }

    @Override
    protected void movingAverageImpl(Tensor avg, Tensor w, long n, float momentum) {
        sinew_h.sinew_moving_average(avg.segment(), w.segment(), n, momentum);
    }

    @Override
    protected void adamImpl(Tensor w, Tensor g, Tensor m, Tensor v, Tensor vhat, long n, float alpha, float beta1,
            float beta2, float epsilon) {
        sinew_h.sinew_adam(w.segment(), g.segment(), m.segment(), v.segment(), seg(vhat), n, alpha, beta1, beta2, epsilon);
    }

    @Override
    protected void rmspropImpl(Tensor w, Tensor g, Tensor v, Tensor a, Tensor mom, long n, float lr, float rho,
            float oneMinusRho, float momentum, float epsilon) {
        sinew_h.sinew_rmsprop(w.segment(), g.segment(), v.segment(), seg(a), seg(mom), n, lr, rho, oneMinusRho, momentum,
                epsilon);
    }

    @Override
    protected void adagradImpl(Tensor w, Tensor g, Tensor acc, long n, float lr, float epsilon) {
        sinew_h.sinew_adagrad(w.segment(), g.segment(), acc.segment(), n, lr, epsilon);
    }

    @Override
    protected void adadeltaImpl(Tensor w, Tensor g, Tensor accGrad, Tensor accDelta, long n, float lr, float rho,
            float oneMinusRho, float epsilon) {
        sinew_h.sinew_adadelta(w.segment(), g.segment(), accGrad.segment(), accDelta.segment(), n, lr, rho, oneMinusRho,
                epsilon);
    }

    @Override
    protected void adamaxImpl(Tensor w, Tensor g, Tensor m, Tensor u, long n, float lr, float oneMinusBeta1,
            float beta2, float epsilon, float beta1Power) {
        sinew_h.sinew_adamax(w.segment(), g.segment(), m.segment(), u.segment(), n, lr, oneMinusBeta1, beta2, epsilon,
                beta1Power);
    }

    @Override
    protected void nadamImpl(Tensor w, Tensor g, Tensor m, Tensor v, long n, float lr, float beta1, float beta2,
            float epsilon, float uT, float uNext, float uProduct, float beta2Power) {
        sinew_h.sinew_nadam(w.segment(), g.segment(), m.segment(), v.segment(), n, lr, beta1, beta2, epsilon, uT, uNext,
                uProduct, beta2Power);
    }

    @Override
    protected void lionImpl(Tensor w, Tensor g, Tensor m, long n, float lr, float beta1, float beta2) {
        sinew_h.sinew_lion(w.segment(), g.segment(), m.segment(), n, lr, beta1, beta2);
    }

    @Override
    protected void dropoutImpl(Tensor y, Tensor mask, Tensor x, long n, float rate, long seed) {
        sinew_h.sinew_dropout_forward(y.segment(), mask.segment(), x.segment(), n, rate, seed);
    }

    @Override
    protected void multiplyImpl(Tensor y, Tensor a, Tensor b, long n) {
        sinew_h.sinew_mul(y.segment(), a.segment(), b.segment(), n);
    }

    @Override
    protected void addImpl(Tensor y, Tensor a, Tensor b, long n) {
        sinew_h.sinew_add(y.segment(), a.segment(), b.segment(), n);
    }

    @Override
    protected void im2colImpl(Tensor cols, Tensor x, int N, Window g) {
        sinew_h.sinew_im2col(cols.segment(), x.segment(), N, g.H(), g.W(), g.C(), g.KH(), g.KW(), g.SH(), g.SW(),
                g.PT(), g.PL(), g.OH(), g.OW());
    }

    @Override
    protected void col2imImpl(Tensor dx, Tensor dcols, int N, Window g) {
        sinew_h.sinew_col2im(dx.segment(), dcols.segment(), N, g.H(), g.W(), g.C(), g.KH(), g.KW(), g.SH(), g.SW(),
                g.PT(), g.PL(), g.OH(), g.OW());
    }

    @Override
    protected void padWindowsImpl(Tensor xp, Tensor x, int N, Window g) {
        sinew_h.sinew_pad_windows(xp.segment(), x.segment(), N, g.H(), g.W(), g.C(), g.PT(), g.PL(), g.framedH(), g.framedW());
    }

    @Override
    protected void conv2dImpl(Tensor y, Tensor xp, Tensor kernel, int N, Window g, int F) {
        sinew_h.sinew_conv2d(y.segment(), xp.segment(), kernel.segment(), N, g.framedH(), g.framedW(), g.C(), g.KH(), g.KW(),
                g.SH(), g.SW(), g.OH(), g.OW(), F, g.imageTop(), g.imageBottom(), g.imageLeft(), g.imageRight());
    }

    @Override
    protected void conv2dKernelGradientImpl(Tensor dKernel, Tensor xp, Tensor dy, int N, Window g, int F) {
        sinew_h.sinew_conv2d_kernel_gradient(dKernel.segment(), xp.segment(), dy.segment(), N, g.framedH(), g.framedW(), g.C(),
                g.KH(), g.KW(), g.SH(), g.SW(), g.OH(), g.OW(), F, g.imageTop(), g.imageBottom());
    }

    @Override
    protected void flipKernelImpl(Tensor kt, Tensor kernel, int KH, int KW, int C, int F) {
        sinew_h.sinew_flip_kernel(kt.segment(), kernel.segment(), KH, KW, C, F);
    }

    @Override
    protected void depthwiseForwardImpl(Tensor y, Tensor x, Tensor kernel, int N, int M, Window g) {
        sinew_h.sinew_depthwise_forward(y.segment(), x.segment(), kernel.segment(), N, g.H(), g.W(), g.C(), M, g.KH(),
                g.KW(), g.SH(), g.SW(), g.PT(), g.PL(), g.OH(), g.OW());
    }

    @Override
    protected void depthwiseBackwardImpl(Tensor dx, Tensor dKernel, Tensor dBias, Tensor dy, Tensor x, Tensor kernel,
            int N, int M, Window g) {
        sinew_h.sinew_depthwise_backward(seg(dx), dKernel.segment(), seg(dBias), dy.segment(), x.segment(),
                kernel.segment(), N, g.H(), g.W(), g.C(), M, g.KH(), g.KW(), g.SH(), g.SW(), g.PT(), g.PL(), g.OH(), g.OW());
    }

    @Override
    protected void maxPoolImpl(Tensor y, Tensor argmax, Tensor x, int N, Window g) {
        sinew_h.sinew_maxpool_forward(y.segment(), argmax.segment(), x.segment(), N, g.H(), g.W(), g.C(), g.KH(),
                g.KW(), g.SH(), g.SW(), g.PT(), g.PL(), g.OH(), g.OW());
    }

    @Override
    protected void maxPoolBackwardImpl(Tensor dx, Tensor dy, Tensor argmax, int N, Window g) {
        sinew_h.sinew_maxpool_backward(dx.segment(), dy.segment(), argmax.segment(), N, g.H(), g.W(), g.C(), g.KH(),
                g.KW(), g.SH(), g.SW(), g.PT(), g.PL(), g.OH(), g.OW());
    }

    @Override
    protected void avgPoolImpl(Tensor y, Tensor x, int N, Window g) {
        sinew_h.sinew_avgpool_forward(y.segment(), x.segment(), N, g.H(), g.W(), g.C(), g.KH(), g.KW(), g.SH(),
                g.SW(), g.PT(), g.PL(), g.OH(), g.OW());
    }

    @Override
    protected void avgPoolBackwardImpl(Tensor dx, Tensor dy, int N, Window g) {
        sinew_h.sinew_avgpool_backward(dx.segment(), dy.segment(), N, g.H(), g.W(), g.C(), g.KH(), g.KW(), g.SH(),
                g.SW(), g.PT(), g.PL(), g.OH(), g.OW());
    }

    @Override
    protected void affineWarpImpl(Tensor y, Tensor x, Tensor transforms, int N, int H, int W, int C) {
        sinew_h.sinew_affine_warp(y.segment(), x.segment(), transforms.segment(), N, H, W, C);
    }

    @Override
    protected void batchnormStatsImpl(Tensor mean, Tensor variance, Tensor x, long R, int C) {
        sinew_h.sinew_batchnorm_stats(mean.segment(), variance.segment(), x.segment(), R, C);
    }

    @Override
    protected void batchnormForwardImpl(Tensor y, Tensor x, Tensor mean, Tensor variance, Tensor gamma, Tensor beta,
            long R, int C, float eps) {
        sinew_h.sinew_batchnorm_forward(y.segment(), x.segment(), mean.segment(), variance.segment(), seg(gamma),
                seg(beta), R, C, eps);
    }

    @Override
    protected void batchnormBackwardSumsImpl(Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor mean,
            Tensor variance, long R, int C, float eps) {
        sinew_h.sinew_batchnorm_backward_sums(dgamma.segment(), dbeta.segment(), dy.segment(), x.segment(),
                mean.segment(), variance.segment(), R, C, eps);
    }

    @Override
    protected void batchnormBackwardImpl(Tensor dx, Tensor dy, Tensor x, Tensor mean, Tensor variance, Tensor gamma,
            Tensor dgamma, Tensor dbeta, long R, int C, long M, float eps) {
        sinew_h.sinew_batchnorm_backward(dx.segment(), dy.segment(), x.segment(), mean.segment(), variance.segment(),
                seg(gamma), seg(dgamma), seg(dbeta), R, C, M, eps);
    }

    @Override
    protected void layernormForwardImpl(Tensor y, Tensor mean, Tensor invStd, Tensor x, Tensor gamma, Tensor beta,
            long R, int C, float eps) {
        sinew_h.sinew_layernorm_forward(y.segment(), mean.segment(), invStd.segment(), x.segment(), seg(gamma),
                seg(beta), R, C, eps);
    }

    @Override
    protected void layernormBackwardImpl(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor mean,
            Tensor invStd, Tensor gamma, long R, int C) {
        sinew_h.sinew_layernorm_backward(dx.segment(), seg(dgamma), seg(dbeta), dy.segment(), x.segment(),
                mean.segment(), invStd.segment(), seg(gamma), R, C);
    }

    @Override
    protected void globalAvgPoolImpl(Tensor y, Tensor x, int N, int HW, int C) {
        sinew_h.sinew_global_avgpool_forward(y.segment(), x.segment(), N, HW, C);
    }

    @Override
    protected void globalAvgPoolBackwardImpl(Tensor dx, Tensor dy, int N, int HW, int C) {
        sinew_h.sinew_global_avgpool_backward(dx.segment(), dy.segment(), N, HW, C);
    }

    @Override
    protected void globalMaxPoolImpl(Tensor y, Tensor argmax, Tensor x, int N, int HW, int C) {
        sinew_h.sinew_global_maxpool_forward(y.segment(), argmax.segment(), x.segment(), N, HW, C);
    }

    @Override
    protected void globalMaxPoolBackwardImpl(Tensor dx, Tensor dy, Tensor argmax, int N, int HW, int C) {
        sinew_h.sinew_global_maxpool_backward(dx.segment(), dy.segment(), argmax.segment(), N, HW, C);
    }

    @Override
    protected void zeroPadImpl(Tensor y, Tensor x, int N, int H, int W, int C, int top, int bottom, int left,
            int right) {
        sinew_h.sinew_zero_pad_forward(y.segment(), x.segment(), N, H, W, C, top, bottom, left, right);
    }

    @Override
    protected void zeroPadBackwardImpl(Tensor dx, Tensor dy, int N, int H, int W, int C, int top, int bottom,
            int left, int right) {
        sinew_h.sinew_zero_pad_backward(dx.segment(), dy.segment(), N, H, W, C, top, bottom, left, right);
    }

    @Override
    protected void transposeImpl(Tensor y, Tensor x, int N, Transpose t) {
        sinew_h.sinew_transpose(y.segment(), x.segment(), N, t.D(0), t.D(1), t.D(2), t.D(3), t.S(0), t.S(1), t.S(2),
                t.S(3));
    }

    @Override
    protected void int8QuantizeRowsImpl(Tensor xq, Tensor xscale, Tensor x, int M, int K) {
        sinew_h.sinew_int8_quantize_rows(xq.segment(), xscale.segment(), x.segment(), M, K);
    }

    @Override
    protected void int8GemmImpl(Tensor y, Tensor xq, Tensor xscale, Tensor wq, Tensor wscale, Tensor colsum,
            int M, int N, int K) {
        sinew_h.sinew_int8_gemm(y.segment(), xq.segment(), xscale.segment(), wq.segment(), wscale.segment(),
                colsum.segment(), M, N, K);
    }
}
