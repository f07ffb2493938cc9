/*
 * sinew.h -- the whole ABI of libsinew, Sinew's own C kernels.
 *
 * Conventions (llm.c style): every tensor is a dense row-major float32 array; dimension names
 * come from the maths (N rows = batch, C columns = features). Output pointers come first.
 * Nothing here allocates, keeps state, or checks bounds: the Java side (dev.sinew.backend)
 * validates every size before it calls in, so a kernel may assume its arrays are long enough.
 * Each kernel has a plain-Java twin in dev.sinew.backend.ReferenceBackend.
 */
#ifndef SINEW_H
#define SINEW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CPU features (bits) that kernels with several variants may use; see cpu.c. */
enum sinew_cpu_feature {
    SINEW_CPU_AVX2 = 1,         /* AVX2 + FMA: x86-64-v3, the baseline libsinew is compiled for */
    SINEW_CPU_AVX512 = 2,       /* AVX-512 F, BW, DQ, VL: x86-64-v4 */
    SINEW_CPU_AVX512_VNNI = 4,  /* vpdpbusd: int8 dot products */
    SINEW_CPU_AVX512_BF16 = 8   /* vdpbf16ps: bfloat16 dot products */
};

/* The features this CPU has (bits of sinew_cpu_feature; 0 off x86-64). */
int sinew_cpu_supported(void);
/* The features kernels use now: all supported ones unless narrowed (SINEW_CPU=x86-64-v3 or below). */
int sinew_cpu_enabled(void);
/* Narrows (or widens back) the features kernels use to features & supported; returns the result.
 * Not for use while kernels run on other threads (tests and start-up only). */
int sinew_cpu_enable(int features);

/* Activation codes, shared with dev.sinew.activations.Activation#code(). */
enum sinew_activation {
    SINEW_LINEAR = 0,
    SINEW_RELU = 1,
    SINEW_SIGMOID = 2,
    SINEW_TANH = 3,
    SINEW_SOFTMAX = 4,
    SINEW_LEAKY_RELU = 5,   /* z > 0 ? z : alpha z (alpha = negative_slope, Keras default 0.2) */
    SINEW_ELU = 6,          /* z > 0 ? z : alpha (e^z - 1) */
    SINEW_SELU = 7,         /* scale * elu(z, 1.67326324), scale 1.05070098 */
    SINEW_GELU = 8,         /* 0.5 z (1 + erf(z / sqrt 2)), the exact form (input-based backward) */
    SINEW_GELU_TANH = 9,    /* 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))) (input-based) */
    SINEW_SILU = 10,        /* z sigmoid(z) (input-based) */
    SINEW_SOFTPLUS = 11,    /* log(1 + e^z) */
    SINEW_SOFTSIGN = 12,    /* z / (1 + |z|) */
    SINEW_HARD_SIGMOID = 13,/* relu6(z + 3) / 6 */
    SINEW_HARD_SILU = 14,   /* z relu6(z + 3) / 6 (input-based) */
    SINEW_RELU6 = 15,       /* min(max(z, 0), 6) */
    SINEW_EXPONENTIAL = 16, /* e^z */
    SINEW_MISH = 17,        /* z tanh(softplus(z)) (input-based) */
    SINEW_LOG_SOFTMAX = 18  /* per row: z - log(sum e^z) */
};

/* y[n,c] = act(z[n,c] + b[c]) for z, y of shape (N, C) and b of shape (C) or NULL (no bias).
 * y may be z (in place). Softmax acts on each row. alpha is the activation's one parameter
 * (leaky_relu's negative_slope, elu's alpha); the others ignore it. */
void sinew_bias_act_forward(float *y, const float *z, const float *b, int N, int C, int act, float alpha);

/* dz = dy * act'(z). Most activations' derivative is written from the OUTPUT y = act(z), so the
 * pre-activation need not be kept; the non-monotone ones (gelu, gelu_tanh, silu, hard_silu, mish)
 * cannot be, and read z (the activation's input, bias included), which is then required; for
 * the others z may be NULL. For softmax: dz[n,:] = y[n,:] * (dy[n,:] - dot(dy[n,:], y[n,:]));
 * for log_softmax: dz[n,:] = dy[n,:] - e^y[n,:] * sum(dy[n,:]).
 * dz may be dy (in place). */
void sinew_act_backward(float *dz, const float *z, const float *y, const float *dy, int N, int C,
                        int act, float alpha);

/* Keras's ReLU layer over n values, for threshold >= 0, negative_slope >= 0, max_value >= 0
 * (INFINITY for None): y = x > threshold ? min(x, max_value) : negative_slope (x - threshold).
 * The backward reads the input x: dx = dy * (x > threshold ? (x < max_value) : negative_slope).
 * y may be x; dx may be dy. */
void sinew_relu_forward(float *y, const float *x, int64_t n, float max_value, float negative_slope, float threshold);
void sinew_relu_backward(float *dx, const float *x, const float *dy, int64_t n, float max_value,
                         float negative_slope, float threshold);

/* Softmax followed by categorical cross-entropy, fused. p = softmax output (N, C), t = targets.
 * Writes dz = scale * (p - t), the gradient with respect to the softmax INPUT, unless dz is NULL.
 * Returns sum over rows of -sum_c t * log(max(p, 1e-7)) (Keras clips p the same way). */
double sinew_softmax_xent_backward(float *dz, const float *p, const float *t, int N, int C,
                                   float scale);

/* Categorical cross-entropy on probabilities from any activation. Writes
 * dp = -scale * t / max(p, 1e-7) unless dp is NULL; returns the summed loss as above. */
double sinew_xent_backward(float *dp, const float *p, const float *t, int N, int C, float scale);

/* The same two losses with sparse targets: label[n] is row n's class index (a whole number in
 * [0, C), stored as float and checked by the caller). As if t were its one-hot row. */
double sinew_sparse_softmax_xent_backward(float *dz, const float *p, const float *label, int N, int C,
                                          float scale);

double sinew_sparse_xent_backward(float *dp, const float *p, const float *label, int N, int C, float scale);

/* Squared error. Writes dp = scale * 2 * (p - t) unless dp is NULL; returns sum (p - t)^2. */
double sinew_mse_backward(float *dp, const float *p, const float *t, int N, int C, float scale);

/* Keras losses computed one element at a time, codes shared with dev.sinew.backend.PointwiseLoss.
 * e = p - t; eps = 1e-7 (Keras's backend.epsilon()). Per element (the gradient is d/dp):
 *   MAE            |e|                                              sign(e)
 *   MAPE           100 |e| / max(|t|, eps)                          100 sign(e) / max(|t|, eps)
 *   MSLE           (log(max(p,eps)+1) - log(max(t,eps)+1))^2        2 (that difference) / (p+1), 0 if p <= eps
 *   HUBER          |e| <= d ? e^2/2 : d|e| - d^2/2   (d = param)   |e| <= d ? e : d sign(e)
 *   LOG_COSH       e + softplus(-2e) - log 2                        tanh(e)
 *   BCE            -(s log q + (1-s) log(1-q)), q = clip(p, eps, 1-eps), s = t (1-ls) + ls/2 (ls = param)
 *                                                                   (q - s) / (q (1-q)), 0 where clipped
 *   BCE_SIGMOID    as BCE; gradient w.r.t. the sigmoid's INPUT:     p - s
 *   BCE_LOGITS     p are logits z: max(z,0) - z s + log1p(exp(-|z|))  sigmoid(z) - s
 *   POISSON        p - t log(p + eps)                               1 - t / (p + eps)
 *   KLD            u log(u / q), u = clip(t, eps, 1), q = clip(p, eps, 1)   -u / q, 0 where clipped
 *   HINGE          max(1 - y p, 0)                                  -y where 1 - y p > 0
 *   SQUARED_HINGE  max(1 - y p, 0)^2                                -2 y max(1 - y p, 0)
 *     (hinge: y = 2t - 1 when every target of the batch is 0 or 1, as Keras converts; else y = t)
 * Writes dp = scale * gradient unless dp is NULL; returns the sum of the per-element values. */
enum sinew_pointwise_loss {
    SINEW_LOSS_MAE = 0,
    SINEW_LOSS_MAPE = 1,
    SINEW_LOSS_MSLE = 2,
    SINEW_LOSS_HUBER = 3,
    SINEW_LOSS_LOG_COSH = 4,
    SINEW_LOSS_BCE = 5,
    SINEW_LOSS_BCE_SIGMOID = 6,
    SINEW_LOSS_BCE_LOGITS = 7,
    SINEW_LOSS_POISSON = 8,
    SINEW_LOSS_KLD = 9,
    SINEW_LOSS_HINGE = 10,
    SINEW_LOSS_SQUARED_HINGE = 11
};
double sinew_pointwise_loss_backward(float *dp, const float *p, const float *t, int N, int C,
                                     float scale, int loss, float param);

/* Categorical cross-entropy with label smoothing s = t (1-ls) + ls/C, on probabilities
 * (mode 0: -sum s log max(p, 1e-7), dp = -scale s / max(p, 1e-7), 0 where clipped), after a
 * softmax fused (mode 1: same value, dz = scale (p sum(s) - s)) or on logits (mode 2:
 * sum s (logsumexp(z) - z), dz = scale (softmax(z) sum(s) - s)). The modes are dev.sinew.backend.CrossEntropyInput. Returns the summed loss. */
double sinew_xent_smooth_backward(float *dp, const float *p, const float *t, int N, int C,
                                  float scale, int mode, float ls);

/* categorical_hinge per row: max(max_c (1-t_c) p_c - sum_c t_c p_c + 1, 0); dp = scale * its
 * gradient (first maximum wins). Returns the sum over rows. */
double sinew_categorical_hinge_backward(float *dp, const float *p, const float *t, int N, int C,
                                        float scale);

/* cosine_similarity per row, Keras's sign: -sum_c t^_c p^_c with x^ = x min(1/|x|, 1e7).
 * dp = scale * its gradient. Returns the sum over rows. */
double sinew_cosine_similarity_backward(float *dp, const float *p, const float *t, int N, int C,
                                        float scale);

/* out[c] = sum_n x[n,c]: the bias gradient of a layer whose output gradient is x (N, C). */
void sinew_col_sum(float *out, const float *x, int N, int C);

/* Rows n where argmax(p[n,:]) == argmax(t[n,:]) (first maximum wins, as numpy's argmax). */
int sinew_count_argmax_match(const float *p, const float *t, int N, int C);

/* Rows n where argmax(p[n,:]) == label[n] (sparse categorical accuracy). */
int sinew_count_sparse_match(const float *p, const float *label, int N, int C);

/* Elements i where (p[i] > threshold ? 1 : 0) == t[i]: Keras's binary accuracy. */
int64_t sinew_count_threshold_match(const float *p, const float *t, int64_t n, float threshold);

/* How many of x[0..n) are NaN or infinite. */
int64_t sinew_count_nonfinite(const float *x, int64_t n);

/* Inverted dropout over n values: element i is kept when u_i >= rate, where u_i in [0, 1) is a
 * hash of (seed, i) (splitmix64, top 24 bits), so the Java twin draws the same mask.
 * mask[i] = kept ? 1 / (1 - rate) : 0 and y[i] = x[i] * mask[i]; y may be x. */
void sinew_dropout_forward(float *y, float *mask, const float *x, int64_t n, float rate, uint64_t seed);

/* y[i] = a[i] * b[i] over n values (dropout's backward: dx = dy * mask). y may be a or b. */
void sinew_mul(float *y, const float *a, const float *b, int64_t n);

/* y[i] = a[i] + b[i] over n values (Add, and a gradient summed where a tensor feeds two layers):
 * one pass where a copy and an axpy make two. y may be a or b. */
void sinew_add(float *y, const float *a, const float *b, int64_t n);

/* ---- Convolution and pooling. Images are NHWC: x[n][h][w][c], row-major. A window's top-left
 * input pixel for output (oh, ow) is (oh * SH - PT, ow * SW - PL); pixels outside the image are
 * padding (zero for convolution, ignored for pooling). ---- */

/* Unfolds image patches into rows: cols has N*OH*OW rows of KH*KW*C values, ordered (kh, kw, c)
 * to match a Keras kernel (KH, KW, C, F) read as a (KH*KW*C, F) matrix, so that
 * conv(x) = cols * kernel is one GEMM whose output is already NHWC. */
void sinew_im2col(float *cols, const float *x, int N, int H, int W, int C, int KH, int KW, int SH,
                  int SW, int PT, int PL, int OH, int OW);

/* The adjoint of im2col: dx = sum of every patch row of dcols back into its pixels (dx is
 * overwritten, padding contributions are dropped). */
void sinew_col2im(float *dx, const float *dcols, int N, int H, int W, int C, int KH, int KW, int SH,
                  int SW, int PT, int PL, int OH, int OW);

/* Direct convolution (native/src/conv_direct.c). The image is first placed in its window frame:
 * xp (N, HP, WP, C) with HP = (OH-1)*SH + KH, WP = (OW-1)*SW + KW holds input pixel (h, w) at
 * (h + PT, w + PL) and zeros around it (rows and columns no window reaches are left out). */
void sinew_pad_windows(float *xp, const float *x, int N, int H, int W, int C, int PT, int PL, int HP, int WP);

/* C (M, N) = alpha * op(A) op(B) + beta * C, row major with BLAS's meaning of every argument:
 * op(A) is A (M, K; lda >= K) or, transA, A^T with A (K, M; lda >= M); op(B) likewise (K, N) or
 * B^T (N, K); ldc >= N; beta == 0 never reads C. For small products (see gemm_small.c); uses
 * AVX-512 when sinew_cpu_enabled() has it. Same bits for the same shape, arguments and variant. */
void sinew_sgemm_small(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                       const float *B, int ldb, float beta, float *C, int ldc);

/* y (N, OH, OW, F) = the windows of xp times k (KH, KW, C, F): im2col(x) * k without the
 * unfolding. F must be a multiple of 8. Framed rows outside [R0, R1) and columns outside
 * [C0, C1) must be zeros (as sinew_pad_windows writes them): the kernel skips their products (see
 * conv_direct.c for what that means for NaN and infinite weights). */
void sinew_conv2d(float *y, const float *xp, const float *k, int N, int HP, int WP, int C, int KH, int KW, int SH,
                  int SW, int OH, int OW, int F, int R0, int R1, int C0, int C1);

/* dk (KH, KW, C, F, overwritten) = im2col(x)^T * dy over the N images, from the framed xp and
 * dy (N, OH, OW, F). F must be a multiple of 8. Framed rows outside [R0, R1) must be zeros, as
 * for sinew_conv2d. */
void sinew_conv2d_kernel_gradient(float *dk, const float *xp, const float *dy, int N, int HP, int WP, int C, int KH,
                                  int KW, int SH, int SW, int OH, int OW, int F, int R0, int R1);

/* kt (KH, KW, F, C) = k (KH, KW, C, F) turned half a turn and transposed per tap:
 * kt[KH-1-kh][KW-1-kw][f][c] = k[kh][kw][c][f]. A stride-1 convolution's input gradient is the
 * convolution of its framed output gradient with kt. */
void sinew_flip_kernel(float *kt, const float *k, int KH, int KW, int C, int F);

/* Max pooling over KH x KW windows, per channel. argmax (int32, N*OH*OW*C) receives each maximum's
 * index within its image, (h * W + w) * C + c, for the backward pass. */
void sinew_maxpool_forward(float *y, int32_t *argmax, const float *x, int N, int H, int W, int C,
                           int KH, int KW, int SH, int SW, int PT, int PL, int OH, int OW);

/* dx = 0, then each dy added at its argmax. The window (KH, KW, SH, SW, PT, PL) is the forward's:
 * 2x2 windows of stride 2 that tile the image are written in one pass. */
void sinew_maxpool_backward(float *dx, const float *dy, const int32_t *argmax, int N, int H, int W,
                            int C, int KH, int KW, int SH, int SW, int PT, int PL, int OH, int OW);

/* Average pooling; a window's mean is over its pixels inside the image (padding not counted, as
 * Keras). */
void sinew_avgpool_forward(float *y, const float *x, int N, int H, int W, int C, int KH, int KW,
                           int SH, int SW, int PT, int PL, int OH, int OW);

/* dx = 0, then each dy spread evenly over its window's pixels inside the image. */
void sinew_avgpool_backward(float *dx, const float *dy, int N, int H, int W, int C, int KH, int KW,
                            int SH, int SW, int PT, int PL, int OH, int OW);

/* Affine warp of N images (NHWC) with bilinear sampling, zero outside the image: output pixel
 * (h, w) of image n takes the input at
 *   (u, v) = [[a, b], [c, d]] (h - cy, w - cx) + (cy + ty, cx + tx),   cy = (H-1)/2, cx = (W-1)/2,
 * with transforms[6n..6n+5] = {a, b, c, d, ty, tx}. The one kernel behind rotation, zoom and
 * translation augmentation. */
void sinew_affine_warp(float *y, const float *x, const float *transforms, int N, int H, int W, int C);

/* SGD with momentum, Keras's formulation, over n parameters:
 *   v = momentum * v - lr * g;  w += v                      (nesterov = 0)
 *   v = momentum * v - lr * g;  w += momentum * v - lr * g  (nesterov = 1) */
void sinew_sgd_momentum(float *w, float *v, const float *g, int64_t n, float lr, float momentum,
                        int nesterov);

/* ---- What every optimizer shares (Optimizer.java): clipping, weight decay, moving average. */

/* sum of x[i]^2, accumulated in double. */
double sinew_sum_squares(const float *x, int64_t n);

/* x *= a. */
void sinew_scale(float *x, int64_t n, float a);

/* x = min(max(x, lo), hi). */
void sinew_clip(float *x, int64_t n, float lo, float hi);

/* Keras's decoupled weight decay: w = w - w * wd * lr. */
void sinew_weight_decay(float *w, int64_t n, float wd, float lr);

/* avg = momentum * avg + (1 - momentum) * w (use_ema). */
void sinew_moving_average(float *avg, const float *w, int64_t n, float momentum);

/* Adam (keras/src/optimizers/adam.py), with alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t):
 *   m += (g - m)(1 - beta1);  v += (g^2 - v)(1 - beta2);  [amsgrad: vhat = max(vhat, v), v = vhat]
 *   w -= m alpha / (sqrt(v) + epsilon)
 * vhat is NULL unless amsgrad. */
void sinew_adam(float *w, const float *g, float *m, float *v, float *vhat, int64_t n, float alpha,
                float beta1, float beta2, float epsilon);

/* The complements one_minus_rho, one_minus_beta1 below are passed in, not computed here: Keras
 * computes 1 - rho from the Python double and rounds the result to float32, which can differ by an
 * ulp from 1 - (float) rho. */

/* RMSprop (keras/src/optimizers/rmsprop.py), over n values:
 *   v = rho v + (1 - rho) g^2
 *   centered:   a = rho a + (1 - rho) g;  d = v - a^2 + epsilon      otherwise d = v + epsilon
 *   inc = lr g / sqrt(d)
 *   momentum:   mom = momentum mom + inc;  w -= mom                   otherwise w -= inc
 * a is NULL unless centered; mom is NULL unless momentum > 0. */
void sinew_rmsprop(float *w, const float *g, float *v, float *a, float *mom, int64_t n, float lr,
                   float rho, float one_minus_rho, float momentum, float epsilon);

/* Adagrad (keras/src/optimizers/adagrad.py): acc += g^2;  w -= lr g / sqrt(acc + epsilon).
 * acc starts at initial_accumulator_value (the Java side fills it). */
void sinew_adagrad(float *w, const float *g, float *acc, int64_t n, float lr, float epsilon);

/* Adadelta (keras/src/optimizers/adadelta.py), with rms(x) = sqrt(x + epsilon):
 *   acc_grad = rho acc_grad + (1 - rho) g^2
 *   delta = -rms(acc_delta) g / rms(acc_grad)
 *   acc_delta = rho acc_delta + (1 - rho) delta^2
 *   w += lr delta */
void sinew_adadelta(float *w, const float *g, float *acc_grad, float *acc_delta, int64_t n, float lr,
                    float rho, float one_minus_rho, float epsilon);

/* Adamax (keras/src/optimizers/adamax.py), with beta1_power = beta1^t:
 *   m += (g - m)(1 - beta1);  u = max(beta2 u, |g|)
 *   w -= lr m / ((1 - beta1_power)(u + epsilon)) */
void sinew_adamax(float *w, const float *g, float *m, float *u, int64_t n, float lr,
                  float one_minus_beta1, float beta2, float epsilon, float beta1_power);

/* Nadam (keras/src/optimizers/nadam.py). The per-step scalars come from the Java side:
 * u_t = beta1 (1 - 0.5 * 0.96^t), u_next = the same at t + 1, u_product = u_1 u_2 ... u_t,
 * beta2_power = beta2^t. With u_product_next = u_product u_next:
 *   m += (g - m)(1 - beta1);  v += (g^2 - v)(1 - beta2)
 *   m_hat = u_next m / (1 - u_product_next) + (1 - u_t) g / (1 - u_product)
 *   v_hat = v / (1 - beta2_power)
 *   w -= m_hat lr / (sqrt(v_hat) + epsilon)
 * (Keras casts beta1, beta2 to float32 before 1 - beta, so here the complements are computed.) */
void sinew_nadam(float *w, const float *g, float *m, float *v, int64_t n, float lr, float beta1,
                 float beta2, float epsilon, float u_t, float u_next, float u_product, float beta2_power);

/* Lion (keras/src/optimizers/lion.py):
 *   w -= lr sign(beta1 m + (1 - beta1) g);  m = beta2 m + (1 - beta2) g
 * (as Nadam: Keras casts the betas to float32 first, so the complements are computed here). */
void sinew_lion(float *w, const float *g, float *m, int64_t n, float lr, float beta1, float beta2);

/* ---- Depthwise convolution (issue 12: DepthwiseConv2D, SeparableConv2D), native/src/depthwise.c.
 * NHWC and the window geometry of the convolution block above. The kernel is Keras's depthwise
 * layout k[kh][kw][c][m], (KH, KW, C, M) with M the depth multiplier, and output channel c*M + m
 * is input channel c convolved with its m-th filter:
 *   y[n,oh,ow,c*M+m] = sum_{kh,kw} x[n, oh*SH-PT+kh, ow*SW-PL+kw, c] k[kh,kw,c,m]
 * (pixels outside the image are zero). No bias here: sinew_bias_act_forward adds it with the
 * activation, as for the other layers. y (N, OH, OW, C*M) must not overlap x. ---- */
void sinew_depthwise_forward(float *y, const float *x, const float *k, int N, int H, int W, int C, int M,
                             int KH, int KW, int SH, int SW, int PT, int PL, int OH, int OW);

/* The gradients of sinew_depthwise_forward (plus a bias over the C*M output channels), given
 * dy = dL/dy (N, OH, OW, C*M); each is overwritten, none accumulated into:
 *   dk[kh,kw,c,m] = sum_{n,oh,ow} x[n, h, w, c] dy[n,oh,ow,c*M+m]   (h, w: the pixel under tap kh, kw)
 *   db[c*M+m]     = sum_{n,oh,ow} dy[n,oh,ow,c*M+m]                  (unless db is NULL)
 *   dx[n,h,w,c]   = sum over the taps that read (h, w) of sum_m k[kh,kw,c,m] dy[..., c*M+m]
 *                                                                    (unless dx is NULL)
 * The outputs must not overlap each other or the inputs. */
void sinew_depthwise_backward(float *dx, float *dk, float *db, const float *dy, const float *x, const float *k,
                              int N, int H, int W, int C, int M, int KH, int KW, int SH, int SW, int PT, int PL,
                              int OH, int OW);

/* ==== Global pooling, zero padding and transpose (issue 12: GlobalAveragePooling2D,
 * GlobalMaxPooling2D, ZeroPadding2D, Permute), in native/src/global_pool.c and reshaping.c.
 * Images are NHWC as above; HW = H*W pixels per image. ==== */

/* Global average pooling: y[n][c] = mean over the HW pixels p of x[n][p][c]; y is (N, C). */
void sinew_global_avgpool_forward(float *y, const float *x, int N, int HW, int C);

/* dx[n][p][c] = dy[n][c] / HW (dx overwritten). */
void sinew_global_avgpool_backward(float *dx, const float *dy, int N, int HW, int C);

/* Global max pooling: y[n][c] = max over p of x[n][p][c]; argmax (int32, N*C) receives the
 * maximum's index within its image, p * C + c (first maximum wins), as sinew_maxpool_forward. */
void sinew_global_maxpool_forward(float *y, int32_t *argmax, const float *x, int N, int HW, int C);

/* dx = 0, then each dy[n][c] added at its argmax. */
void sinew_global_maxpool_backward(float *dx, const float *dy, const int32_t *argmax, int N, int HW, int C);

/* Zero padding: y (N, top + H + bottom, left + W + right, C) holds x (N, H, W, C) at row top,
 * column left, and zeros around it. Pads are >= 0. */
void sinew_zero_pad_forward(float *y, const float *x, int N, int H, int W, int C, int top, int bottom,
                            int left, int right);

/* Its gradient, the crop: dx[n][h][w][c] = dy[n][top + h][left + w][c] (dx overwritten). */
void sinew_zero_pad_backward(float *dx, const float *dy, int N, int H, int W, int C, int top, int bottom,
                             int left, int right);

/* Transpose of each of N images of D0*D1*D2*D3 values, as a strided gather: y is dense
 * (N, D0, D1, D2, D3) and y[n][i0][i1][i2][i3] = x[n * D0*D1*D2*D3 + i0*S0 + i1*S1 + i2*S2 + i3*S3].
 * For a sample of shape (d_0, ..., d_{r-1}) (r <= 4) permuted by axes a: D_j = d_{a_j} and S_j =
 * the input stride of axis a_j, with leading axes of size 1 (stride 0) when r < 4. Example:
 * (2, 3) -> (3, 2) is D = (1, 1, 3, 2), S = (0, 0, 1, 3). y must not overlap x. */
void sinew_transpose(float *y, const float *x, int N, int D0, int D1, int D2, int D3, int S0, int S1,
                     int S2, int S3);

/* ---- Normalisation layers (native/src/norm.c): BatchNormalization and LayerNormalization. ----
 * Channels last: x is read as R rows of C values, C the normalised (last) axis and R the batch
 * times every other axis (N*H*W for images). inv_std = 1 / sqrt(var + eps). gamma and beta may
 * be NULL (Keras's scale=False: gamma = 1; center=False: beta = 0). */

/* BatchNormalization's statistics of R rows: per channel the mean and the biased variance (as
 * Keras's ops.moments), two passes accumulated in double. Called per shard of a batch; the Java
 * side combines the shards' statistics in shard order. */
void sinew_batchnorm_stats(float *mean, float *variance, const float *x, int64_t R, int C);

/* y = (x - mean) * a + beta per channel, a = gamma * inv_std (Keras's ops.batch_normalization;
 * not in its order x * a + (beta - mean * a), which cancels when |mean| >> std). Training passes
 * the batch's statistics, inference the moving ones. y may be x. */
void sinew_batchnorm_forward(float *y, const float *x, const float *mean, const float *variance, const float *gamma,
                             const float *beta, int64_t R, int C, float eps);

/* The backward pass's sums over R rows, with xhat = (x - mean) * inv_std:
 *   dbeta[c] = sum_r dy[r,c];  dgamma[c] = sum_r dy[r,c] xhat[r,c]   (overwritten; double accumulation).
 * Per shard of a batch, as the statistics. */
void sinew_batchnorm_backward_sums(float *dgamma, float *dbeta, const float *dy, const float *x, const float *mean,
                                   const float *variance, int64_t R, int C, float eps);

/* dx over R rows, given dgamma and dbeta summed over all M rows of the batch:
 *   dx = gamma inv_std (dy - dbeta / M - xhat dgamma / M)
 * (the batch's mean and variance move with every row). dgamma = dbeta = NULL: the statistics were
 * constants (the moving ones), dx = gamma inv_std dy. dx may be dy. */
void sinew_batchnorm_backward(float *dx, const float *dy, const float *x, const float *mean, const float *variance,
                              const float *gamma, const float *dgamma, const float *dbeta, int64_t R, int C, int64_t M,
                              float eps);

/* LayerNormalization: each of R rows normalised over its C values (mean and biased variance, two
 * passes in double). Writes the row's mean and inv_std (kept for the backward pass) and
 * y = (x - mean) * inv_std * gamma + beta (Keras's ops.layer_normalization). */
void sinew_layernorm_forward(float *y, float *mean, float *inv_std, const float *x, const float *gamma,
                             const float *beta, int64_t R, int C, float eps);

/* LayerNormalization's backward over R rows, xhat = (x - mean) * inv_std, g = dy * gamma:
 *   dx = inv_std (g - mean_c(g) - xhat mean_c(g xhat))      (dx may be dy)
 *   dgamma[c] = sum_r dy xhat;  dbeta[c] = sum_r dy          (overwritten; NULL to skip). */
void sinew_layernorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy, const float *x,
                              const float *mean, const float *inv_std, const float *gamma, int64_t R, int C);

/* ---- int8 inference (Keras's quantize("int8") for Dense; see gemm_int8.c) ----
 * Shapes: x (M, K) float; xq (M, Kp) int8 with Kp = K rounded up to a multiple of 4 (the padding
 * is zero); the kernel W (K, N) quantized per output unit and packed as wq[N16 / 16][Kp / 4][16][4]
 * (N16 = N rounded up to 16, padding zero): 16 units x 4 consecutive k per 64 bytes, the operand
 * of one vpdpbusd. colsum[N16] = sum_k wq[k][n] (for the VNNI path's unsigned-input correction). */

/* Per row: scale = 127 / (max |x| + 1e-7), xq = clip(round_half_even(x * scale), -127, 127),
 * xscale[m] = scale (Keras's abs_max_quantize over the last axis). */
void sinew_int8_quantize_rows(int8_t *xq, float *xscale, const float *x, int M, int K);

/* y (M, N) = (float) (xq . wq) / (wscale[n] * xscale[m]), the int32 sums exact; no bias, no
 * activation (sinew_bias_act_forward adds them). AVX-512 VNNI when enabled, else AVX2. */
void sinew_int8_gemm(float *y, const int8_t *xq, const float *xscale, const int8_t *wq, const float *wscale,
                     const int32_t *colsum, int M, int N, int K);

#ifdef __cplusplus
}
#endif

#endif /* SINEW_H */
