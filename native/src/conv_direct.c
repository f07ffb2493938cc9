/* Direct convolution: im2col + GEMM's products without unfolding the patches (NHWC).
 *
 * Why: for the few-channel convolutions of a small CNN (16-32 filters of 3x3), OpenBLAS reaches
 * only ~40-70 GFLOP/s on the tall, 16-column products, and im2col/col2im move a 9x copy of the
 * image through memory each way. Here the image is first copied once into its padded frame (every
 * window inside it, see sinew_pad_windows), and a register tile of R output pixels x 8V channels
 * is summed straight from it: per kernel value, V loads of the kernel, R broadcasts of the image,
 * R*V fused multiply-adds. R = 6, V = 2 keeps 12 accumulators + 2 + 1 in AVX2's 16 registers.
 *
 * The vectors are gcc's vector extension (8 floats, 256 bits): -march=x86-64-v3 makes them AVX2
 * + FMA; elsewhere gcc splits them into whatever the target has. F (the vector dimension) must be
 * a multiple of 8; Java checks it before each call. The Java twin is ReferenceBackend's.
 */
#include <string.h>
#include "sinew.h"

typedef float v8 __attribute__((vector_size(32)));
static inline v8 load8(const float *p) { v8 v; memcpy(&v, p, sizeof v); return v; }
static inline void store8(float *p, v8 v) { memcpy(p, &v, sizeof v); }
/* One value in every lane: a broadcast load (not (v8){0} + f, which costs an add: 0 + -0 is +0). */
static inline v8 broadcast8(float f) { return (v8){f, f, f, f, f, f, f, f}; }

enum { TILE_R = 6, TILE_V = 2 };

void sinew_pad_windows(float *restrict xp, const float *restrict x, int N, int H, int W, int C, int PT, int PL, int HP,
                       int WP) {
    const size_t pixel = sizeof(float) * (size_t)C;
    for (int n = 0; n < N; n++) {
        for (int hp = 0; hp < HP; hp++) {
            float *d = xp + ((int64_t)n * HP + hp) * WP * C;
            int h = hp - PT;
            if (h < 0 || h >= H) {
                memset(d, 0, pixel * (size_t)WP);
                continue;
            }
            /* Columns wp = w + PL for w in [0, W), clipped to [0, WP); zeros around them. */
            int first = PL, last = PL + W < WP ? PL + W : WP;
            memset(d, 0, pixel * (size_t)first);
            memcpy(d + (int64_t)first * C, x + ((int64_t)n * H + h) * W * C, pixel * (size_t)(last - first));
            memset(d + (int64_t)last * C, 0, pixel * (size_t)(WP - last));
        }
    }
}

/* R output pixels (their windows at x + at[r], their outputs at y + yo[r]) by 8V channels (from
 * k, row length F), over kernel rows [kh0, kh1) and columns [kw0, kw1). Called with constant R
 * and V, so gcc unrolls the tile into registers. */
static inline __attribute__((always_inline)) void forward_tile(const int R, const int V, float *restrict y,
        const int64_t *yo, int F, const float *restrict x, const int64_t *at, int row, const float *restrict k, int kh0,
        int kh1, int kw0, int kw1, int KW, int C) {
    v8 acc[TILE_R][TILE_V];
    const float *xr[TILE_R];
    for (int r = 0; r < R; r++) {
        xr[r] = x + at[r];
        for (int v = 0; v < V; v++) acc[r][v] = (v8){0};
    }
    for (int kh = kh0; kh < kh1; kh++) {
        for (int kw = kw0; kw < kw1; kw++) {
            const int64_t tap = (int64_t)kh * row + (int64_t)kw * C;
            const float *ks = k + (int64_t)(kh * KW + kw) * C * F;
            for (int c = 0; c < C; c++, ks += F) {
                v8 b[TILE_V];
                for (int v = 0; v < V; v++) b[v] = load8(ks + 8 * v);
                for (int r = 0; r < R; r++) {
                    v8 a = broadcast8(xr[r][tap + c]);
                    for (int v = 0; v < V; v++) acc[r][v] += a * b[v];
                }
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) store8(y + yo[r] + 8 * v, acc[r][v]);
}

#define FORWARD_TILE(V) \
    switch (R) { \
    case 6: forward_tile(6, V, yf, yo, F, xn, at, row, k + f, kh0, kh1, kw0, kw1, KW, C); break; \
    case 5: forward_tile(5, V, yf, yo, F, xn, at, row, k + f, kh0, kh1, kw0, kw1, KW, C); break; \
    case 4: forward_tile(4, V, yf, yo, F, xn, at, row, k + f, kh0, kh1, kw0, kw1, KW, C); break; \
    case 3: forward_tile(3, V, yf, yo, F, xn, at, row, k + f, kh0, kh1, kw0, kw1, KW, C); break; \
    case 2: forward_tile(2, V, yf, yo, F, xn, at, row, k + f, kh0, kh1, kw0, kw1, KW, C); break; \
    default: forward_tile(1, V, yf, yo, F, xn, at, row, k + f, kh0, kh1, kw0, kw1, KW, C); break; \
    }

/* Rows [R0, R1) and columns [C0, C1) of each framed image hold the image; around them are the
 * frame's zeros. A tile skips the kernel rows and columns that would read only frame values for
 * all of its pixels: their products are zeros, and adding a zero leaves a partial sum as it was,
 * so for finite weights the result is the full sum's, bit for bit, but for the sign of a zero
 * (an FMA whose product underflows can leave -0, which a skipped +0 would have turned into +0).
 * A NaN or infinite weight is another matter: the full sum multiplies it by the frame's zeros
 * (NaN), the skipped one does not; padding contributes nothing either way, as in Keras.
 *
 * Skipping columns needs tiles whose pixels share their edge: a tile of a row's first six pixels
 * still needs every kernel column for its sixth. So each image's output columns are taken in
 * three groups: those whose windows reach into the left frame, those clear of both frames, and
 * those reaching into the right one; each group's pixels are tiled in (oh, ow) order, across row
 * ends (a 13x13 input gradient's two left columns make tiles of 6 pixels from 3 rows). The deep
 * frame of an input gradient (the output gradient framed by KH - 1 on every side) is where this
 * pays: for the notebook CNN's 13x13x32 input gradient, 1,521 taps per channel pair without any
 * skipping (13 x 13 pixels x 9), 1,089 that touch data; the kernel runs 20% faster than the full
 * sum (rows alone: 14-16%). */
void sinew_conv2d(float *restrict y, const float *restrict xp, const float *restrict k, int N, int HP, int WP, int C,
                  int KH, int KW, int SH, int SW, int OH, int OW, int F, int R0, int R1, int C0, int C1) {
    const int row = WP * C;
    const int P = OH * OW;
    /* Output column ow reads framed columns [ow * SW, ow * SW + KW): left-edge columns start
     * before C0, right-edge ones end after C1. */
    int left = C0 > 0 ? (C0 + SW - 1) / SW : 0;
    if (left > OW) left = OW;
    int right = 0;
    while (right < OW - left && (OW - 1 - right) * SW + KW > C1) right++;
    /* The edge groups cost partial tiles of their own: worth it only when they skip at least a
     * sixteenth of a row's kernel columns (measured: a 1-column frame gains on 7x7, loses on 28x28). */
    int skipped = 0;
    for (int ow = 0; ow < left; ow++) skipped += C0 - ow * SW < KW ? C0 - ow * SW : KW;
    for (int ow = OW - right; ow < OW; ow++) skipped += ow * SW + KW - C1 < KW ? ow * SW + KW - C1 : KW;
    if (16 * skipped < OW * KW) left = right = 0;
    const int groups[3][2] = {{0, left}, {left, OW - right}, {OW - right, OW}};
    for (int n = 0; n < N; n++) {
        const float *xn = xp + (int64_t)n * HP * row;
        float *yn = y + (int64_t)n * P * F;
        for (int gi = 0; gi < 3; gi++) {
            const int ca = groups[gi][0], width = groups[gi][1] - ca;
            if (width <= 0) continue;
            const int count = OH * width;
            for (int q = 0; q < count; q += TILE_R) {
                const int R = count - q < TILE_R ? count - q : TILE_R;
                int64_t at[TILE_R], yo[TILE_R];
                int owMin = OW, owMax = -1;
                for (int r = 0; r < R; r++) {
                    const int oh = (q + r) / width, ow = ca + (q + r) % width;
                    at[r] = (int64_t)oh * SH * row + (int64_t)ow * SW * C;
                    yo[r] = ((int64_t)oh * OW + ow) * F;
                    if (ow < owMin) owMin = ow;
                    if (ow > owMax) owMax = ow;
                }
                /* Kernel row kh of output row oh reads framed row oh * SH + kh (and column kw of
                 * ow, column ow * SW + kw): the tile's extreme rows and columns bound the kernel
                 * rows and columns that reach the image. */
                const int first = q / width, last = (q + R - 1) / width;
                const int kh0 = R0 - last * SH > 0 ? R0 - last * SH : 0;
                const int kh1 = R1 - first * SH < KH ? R1 - first * SH : KH;
                const int kw0 = C0 - owMax * SW > 0 ? C0 - owMax * SW : 0;
                const int kw1 = C1 - owMin * SW < KW ? C1 - owMin * SW : KW;
                for (int f = 0; f < F; f += 8 * TILE_V) {
                    float *yf = yn + f;
                    if (F - f >= 16) {
                        FORWARD_TILE(2)
                    } else {
                        FORWARD_TILE(1)
                    }
                }
            }
        }
    }
}

/* dk rows [m, m+R) (columns f .. f+8V) += the sum over output rows [oh0, oh1) of image n of the
 * window value times dy. The tile starts from zero and is added to dk at the end: a chunk's sum
 * is formed apart from the running total, which keeps the rounding of long sums down. */
static inline __attribute__((always_inline)) void kernel_gradient_tile(const int R, const int V, float *restrict dk,
        int F, const float *restrict x, const float *restrict dy, int n, int oh0, int oh1, int OH, int OW, int HP,
        int row, int SH, int sx) {
    v8 acc[TILE_R][TILE_V];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) acc[r][v] = (v8){0};
    for (int oh = oh0; oh < oh1; oh++) {
        const float *xs = x + ((int64_t)n * HP + (int64_t)oh * SH) * row;
        const float *ds = dy + ((int64_t)n * OH + oh) * OW * F;
        for (int ow = 0; ow < OW; ow++, xs += sx, ds += F) {
            v8 b[TILE_V];
            for (int v = 0; v < V; v++) b[v] = load8(ds + 8 * v);
            for (int r = 0; r < R; r++) {
                v8 a = broadcast8(xs[r]);
                for (int v = 0; v < V; v++) acc[r][v] += a * b[v];
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < V; v++) store8(dk + (int64_t)r * F + 8 * v, load8(dk + (int64_t)r * F + 8 * v) + acc[r][v]);
}

#define KERNEL_GRADIENT_TILE(V) \
    switch (R) { \
    case 6: kernel_gradient_tile(6, V, dkt, F, xt, dyf, n, oh0, oh1, OH, OW, HP, row, SH, sx); break; \
    case 5: kernel_gradient_tile(5, V, dkt, F, xt, dyf, n, oh0, oh1, OH, OW, HP, row, SH, sx); break; \
    case 4: kernel_gradient_tile(4, V, dkt, F, xt, dyf, n, oh0, oh1, OH, OW, HP, row, SH, sx); break; \
    case 3: kernel_gradient_tile(3, V, dkt, F, xt, dyf, n, oh0, oh1, OH, OW, HP, row, SH, sx); break; \
    case 2: kernel_gradient_tile(2, V, dkt, F, xt, dyf, n, oh0, oh1, OH, OW, HP, row, SH, sx); break; \
    default: kernel_gradient_tile(1, V, dkt, F, xt, dyf, n, oh0, oh1, OH, OW, HP, row, SH, sx); break; \
    }

/* As in sinew_conv2d, framed rows outside [R0, R1) are zeros: for each kernel row kh, the output
 * rows whose window row oh * SH + kh falls there add nothing and are skipped (the same bits for
 * finite dy: each tile is added to dk, which starts at +0, so not even a zero's sign differs). */
void sinew_conv2d_kernel_gradient(float *restrict dk, const float *restrict xp, const float *restrict dy, int N, int HP,
                                  int WP, int C, int KH, int KW, int SH, int SW, int OH, int OW, int F, int R0, int R1) {
    const int row = WP * C, sx = SW * C;
    memset(dk, 0, sizeof(float) * (size_t)KH * KW * C * F);
    /* About 256 output pixels at a time: their rows of dy stay in L1 while every tap passes. */
    const int rows = OW >= 256 ? 1 : 256 / OW;
    for (int n = 0; n < N; n++) {
        for (int ohs = 0; ohs < OH; ohs += rows) {
            const int ohe = ohs + rows < OH ? ohs + rows : OH;
            /* A tile is R consecutive values of one window row (kw, c): in NHWC they are
             * consecutive in the frame too, and consecutive rows of dk. */
            for (int kh = 0; kh < KH; kh++) {
                /* oh * SH + kh in [R0, R1): oh from ceil((R0 - kh) / SH) to below ceil((R1 - kh) / SH). */
                const int lo = R0 - kh > 0 ? (R0 - kh + SH - 1) / SH : 0;
                const int hi = R1 - kh > 0 ? (R1 - kh + SH - 1) / SH : 0;
                const int oh0 = lo > ohs ? lo : ohs, oh1 = hi < ohe ? hi : ohe;
                if (oh0 >= oh1) continue;
                for (int j = 0; j < KW * C; j += TILE_R) {
                    int R = KW * C - j < TILE_R ? KW * C - j : TILE_R;
                    const float *xt = xp + (int64_t)kh * row + j;
                    for (int f = 0; f < F; f += 8 * TILE_V) {
                        float *dkt = dk + ((int64_t)kh * KW * C + j) * F + f;
                        const float *dyf = dy + f;
                        if (F - f >= 16) {
                            KERNEL_GRADIENT_TILE(2)
                        } else {
                            KERNEL_GRADIENT_TILE(1)
                        }
                    }
                }
            }
        }
    }
}

void sinew_flip_kernel(float *restrict kt, const float *restrict k, int KH, int KW, int C, int F) {
    for (int kh = 0; kh < KH; kh++)
        for (int kw = 0; kw < KW; kw++) {
            const float *src = k + (int64_t)(kh * KW + kw) * C * F;
            float *dst = kt + (int64_t)((KH - 1 - kh) * KW + (KW - 1 - kw)) * F * C;
            for (int c = 0; c < C; c++)
                for (int f = 0; f < F; f++) dst[(int64_t)f * C + c] = src[(int64_t)c * F + f];
        }
}
