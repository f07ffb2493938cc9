/*
 * gemm_int8.c -- the int8 Dense forward of Keras's model.quantize("int8"), and its input quantizer.
 *
 * y[m][n] = (float) sum_k xq[m][k] wq[k][n] / (wscale[n] * xscale[m]). The sums are exact in
 * int32 (|x|, |w| <= 127, K <= 133143; vpdpbusd wraps, and the corrected sum fits), so every
 * variant below, and the Java reference, gives the same sums; the float epilogue is the same two
 * operations everywhere.
 *
 * Layouts are in sinew.h. The kernel is packed so that 64 bytes hold 16 units x 4 consecutive k:
 * one vpdpbusd adds 4 products into each of 16 int32 lanes. vpdpbusd multiplies unsigned bytes by
 * signed ones, so the input is shifted to unsigned, xq + 128 (an xor with 0x80), and 128 *
 * colsum[n] taken off afterwards. The AVX2 variant uses vpmaddubsw on |w| and x with w's sign,
 * whose int16 pair sums cannot saturate then (see tile_avx2).
 */
#include "sinew.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* 8 floats to 8 int8 in [-127, 127]: round half to even (as ops.round), clamp, narrow. */
static inline void quantize8(int8_t *q, const float *x, __m256 scale) {
    __m256 v = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x), scale), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(-127.0f)), _mm256_set1_ps(127.0f));
    __m256i i32 = _mm256_cvtps_epi32(v); // exact: v holds whole numbers
    __m128i i16 = _mm_packs_epi32(_mm256_castsi256_si128(i32), _mm256_extracti128_si256(i32, 1));
    _mm_storel_epi64((__m128i *) q, _mm_packs_epi16(i16, i16));
}

void sinew_int8_quantize_rows(int8_t *restrict xq, float *restrict xscale, const float *restrict x, int M, int K) {
    int Kp = (K + 3) & ~3, K8 = K & ~7;
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    for (int m = 0; m < M; m++) {
        const float *xr = x + (size_t) m * K;
        int8_t *qr = xq + (size_t) m * Kp;
        // max |x|: the order of a max does not change it, so lanes then a reduction is exact
        __m256 vmax = _mm256_setzero_ps();
        for (int k = 0; k < K8; k += 8) vmax = _mm256_max_ps(vmax, _mm256_and_ps(_mm256_loadu_ps(xr + k), absMask));
        float lanes[8], amax = 0.0f;
        _mm256_storeu_ps(lanes, vmax);
        for (int j = 0; j < 8; j++) amax = fmaxf(amax, lanes[j]);
        for (int k = K8; k < K; k++) amax = fmaxf(amax, fabsf(xr[k]));
        // Keras: scale = 127 / (max|x| + epsilon), so a zero row gives zeros, not NaN.
        float scale = 127.0f / (amax + 1e-7f);
        for (int k = 0; k < K8; k += 8) quantize8(qr + k, xr + k, _mm256_set1_ps(scale));
        for (int k = K8; k < K; k++) {
            float q = nearbyintf(xr[k] * scale); // round half to even, as ops.round
            qr[k] = (int8_t) fminf(fmaxf(q, -127.0f), 127.0f);
        }
        for (int k = K; k < Kp; k++) qr[k] = 0;
        xscale[m] = scale;
    }
}

/* The epilogue of one tile: rows [m0, m0 + R) and units [n0, n0 + 16 B) of acc, those inside M, N;
 * the same two float operations per value in the vector part and in the tail. */
static void store_tile(float *restrict y, const int32_t *restrict acc, const float *restrict xscale,
                       const float *restrict wscale, int m0, int R, int n0, int B, int N) {
    int width = n0 + 16 * B < N ? 16 * B : N - n0, w8 = width & ~7;
    for (int r = 0; r < R; r++) {
        float *yr = y + (size_t) (m0 + r) * N + n0;
        const int32_t *ar = acc + r * 64;
        __m256 xs = _mm256_set1_ps(xscale[m0 + r]);
        for (int j = 0; j < w8; j += 8) {
            __m256 scale = _mm256_mul_ps(_mm256_loadu_ps(wscale + n0 + j), xs);
            _mm256_storeu_ps(yr + j, _mm256_div_ps(_mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i *) (ar + j))), scale));
        }
        for (int j = w8; j < width; j++) yr[j] = (float) ar[j] / (wscale[n0 + j] * xscale[m0 + r]);
    }
}

static inline int32_t load4(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")))

/* R rows x B blocks of 16 units, in R*B zmm accumulators (R, B constant after inlining). */
static inline __attribute__((always_inline)) VNNI_TARGET void tile_vnni(int32_t *restrict acc, const int8_t *restrict xq,
        const int8_t *restrict wq, const int32_t *restrict colsum, int Kp, size_t blockBytes, const int R, const int B) {
    __m512i s[4][4];
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) s[r][b] = _mm512_setzero_si512();
    for (int kq = 0; kq < Kp / 4; kq++) {
        __m512i w[4];
        for (int b = 0; b < B; b++) w[b] = _mm512_loadu_si512(wq + b * blockBytes + (size_t) kq * 64);
        for (int r = 0; r < R; r++) {
            __m512i xu = _mm512_set1_epi32(load4(xq + (size_t) r * Kp + 4 * kq) ^ (int32_t) 0x80808080);
            for (int b = 0; b < B; b++) s[r][b] = _mm512_dpbusd_epi32(s[r][b], xu, w[b]);
        }
    }
    for (int b = 0; b < B; b++) {
        __m512i correction = _mm512_slli_epi32(_mm512_loadu_si512(colsum + 16 * b), 7); // 128 * colsum
        for (int r = 0; r < R; r++) _mm512_storeu_si512(acc + r * 64 + 16 * b, _mm512_sub_epi32(s[r][b], correction));
    }
}

VNNI_TARGET static void gemm_vnni(float *y, const int8_t *xq, const float *xscale, const int8_t *wq,
                                  const float *wscale, const int32_t *colsum, int M, int N, int K) {
    int Kp = (K + 3) & ~3, blocks = (N + 15) / 16;
    size_t blockBytes = (size_t) 16 * Kp;
    int32_t acc[4 * 64];
    for (int m = 0; m < M; m += 4) {
        int R = M - m < 4 ? M - m : 4;
        const int8_t *xr = xq + (size_t) m * Kp;
        for (int nb = 0; nb < blocks; nb += 4) {
            int B = blocks - nb < 4 ? blocks - nb : 4;
            const int8_t *wb = wq + nb * blockBytes;
            const int32_t *cs = colsum + 16 * nb;
            // Constant R and B for the common tiles, so that the accumulators stay in registers.
            if (R == 4 && B == 4) tile_vnni(acc, xr, wb, cs, Kp, blockBytes, 4, 4);
            else if (R == 4) for (int b = 0; b < B; b++) tile_vnni(acc + 16 * b, xr, wb + b * blockBytes, cs + 16 * b, Kp, blockBytes, 4, 1);
            else for (int r = 0; r < R; r++)
                for (int b = 0; b < B; b++) tile_vnni(acc + r * 64 + 16 * b, xr + (size_t) r * Kp, wb + b * blockBytes, cs + 16 * b, Kp, blockBytes, 1, 1);
            store_tile(y, acc, xscale, wscale, m, R, 16 * nb, B, N);
        }
    }
}

/* R rows x 16 units on AVX2, exact: vpmaddubsw multiplies unsigned by signed bytes and adds pairs
 * into int16 with saturation, so it gets |w| (<= 127) and x with w's sign (|x| <= 127): a pair sums
 * to at most 2 * 127 * 127 = 32258, which fits. vpmaddwd by ones then adds the pairs into int32, one
 * lane per unit, as vpdpbusd does. */
static inline __attribute__((always_inline)) void tile_avx2(int32_t *restrict acc, const int8_t *restrict xq,
        const int8_t *restrict wq, int Kp, const int R) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i s[4][2];
    for (int r = 0; r < R; r++) s[r][0] = s[r][1] = _mm256_setzero_si256();
    for (int kq = 0; kq < Kp / 4; kq++) {
        __m256i w0 = _mm256_loadu_si256((const __m256i *) (wq + (size_t) kq * 64));
        __m256i w1 = _mm256_loadu_si256((const __m256i *) (wq + (size_t) kq * 64 + 32));
        __m256i a0 = _mm256_abs_epi8(w0), a1 = _mm256_abs_epi8(w1);
        for (int r = 0; r < R; r++) {
            __m256i x = _mm256_set1_epi32(load4(xq + (size_t) r * Kp + 4 * kq));
            __m256i p0 = _mm256_maddubs_epi16(a0, _mm256_sign_epi8(x, w0));
            __m256i p1 = _mm256_maddubs_epi16(a1, _mm256_sign_epi8(x, w1));
            s[r][0] = _mm256_add_epi32(s[r][0], _mm256_madd_epi16(p0, ones));
            s[r][1] = _mm256_add_epi32(s[r][1], _mm256_madd_epi16(p1, ones));
        }
    }
    for (int r = 0; r < R; r++) {
        _mm256_storeu_si256((__m256i *) (acc + r * 64), s[r][0]);
        _mm256_storeu_si256((__m256i *) (acc + r * 64 + 8), s[r][1]);
    }
}

static void gemm_avx2(float *y, const int8_t *xq, const float *xscale, const int8_t *wq, const float *wscale,
                      int M, int N, int K) {
    int Kp = (K + 3) & ~3, blocks = (N + 15) / 16;
    size_t blockBytes = (size_t) 16 * Kp;
    int32_t acc[4 * 64];
    for (int m = 0; m < M; m += 4) {
        int R = M - m < 4 ? M - m : 4;
        const int8_t *xr = xq + (size_t) m * Kp;
        for (int nb = 0; nb < blocks; nb++) {
            // Constant R for the common tile, so that the accumulators stay in registers.
            if (R == 4) tile_avx2(acc, xr, wq + nb * blockBytes, Kp, 4);
            else for (int r = 0; r < R; r++) tile_avx2(acc + r * 64, xr + (size_t) r * Kp, wq + nb * blockBytes, Kp, 1);
            store_tile(y, acc, xscale, wscale, m, R, 16 * nb, 1, N);
        }
    }
}

void sinew_int8_gemm(float *y, const int8_t *xq, const float *xscale, const int8_t *wq, const float *wscale,
                     const int32_t *colsum, int M, int N, int K) {
    if (sinew_cpu_enabled() & SINEW_CPU_AVX512_VNNI) gemm_vnni(y, xq, xscale, wq, wscale, colsum, M, N, K);
    else gemm_avx2(y, xq, xscale, wq, wscale, M, N, K);
}
