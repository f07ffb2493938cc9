/* gemm_small_variant.h -- one vector width's small GEMM; gemm_small.c includes it once per width.
 *
 * Before including, define W (floats per vector: 8 for AVX2, 16 for AVX-512), MR and NV (the
 * largest register tile: MR rows of C by NV vectors) and V(name) (appends the variant's suffix).
 * The tile keeps MR * NV accumulators, NV vectors of B and one broadcast of A in registers; MR and
 * NV are chosen so that fits the variant's register file (16 ymm, 32 zmm).
 */

typedef float V(vec) __attribute__((vector_size(4 * W)));

static inline V(vec) V(load)(const float *p) { V(vec) v; memcpy(&v, p, sizeof v); return v; }
static inline void V(store)(float *p, V(vec) v) { memcpy(p, &v, sizeof v); }
/* One value in every lane as a broadcast load (not (vec){0} + f, which costs an add). */
static inline V(vec) V(splat)(float f) {
#if W == 8
    return (V(vec)){f, f, f, f, f, f, f, f};
#else
    return (V(vec)){f, f, f, f, f, f, f, f, f, f, f, f, f, f, f, f};
#endif
}

/* C = alpha * acc + beta * C for one vector of m (1..W) columns; beta == 0 never reads C. (Plain
 * loops for the partial vector: a libc memcpy call per tile would cost more than the tile.) */
static inline void V(update)(float *c, int m, V(vec) acc, float alpha, float beta) {
    V(vec) out = V(splat)(alpha) * acc;
    if (m == W) {
        if (beta != 0.0f) out += V(splat)(beta) * V(load)(c);
        V(store)(c, out);
    } else {
        for (int l = 0; l < m; l++) c[l] = beta != 0.0f ? out[l] + beta * c[l] : out[l];
    }
}

/* C's R rows by n columns (n > (NVEC - 1) * W) = alpha * sum_{k < kc} A(r, k) B(k, :) + beta * C,
 * A(r, k) at a[r * ai + k * ak], B's row k at b + k * bs with NVEC whole vectors readable. Called
 * with constant R and NVEC, so gcc unrolls the tile into registers. The sum over k runs in order:
 * a given shape always gives the same bits. */
static inline __attribute__((always_inline)) void V(tile)(const int R, const int NVEC, float *restrict c, int64_t ldc,
        int n, const float *restrict a, int64_t ai, int64_t ak, const float *restrict b, int64_t bs, int kc,
        float alpha, float beta) {
    V(vec) acc[MR][NV];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NVEC; v++) acc[r][v] = (V(vec)){0};
    for (int k = 0; k < kc; k++, a += ak, b += bs) {
        V(vec) bv[NV];
        for (int v = 0; v < NVEC; v++) bv[v] = V(load)(b + v * W);
        for (int r = 0; r < R; r++) {
            V(vec) av = V(splat)(a[r * ai]);
            for (int v = 0; v < NVEC; v++) acc[r][v] += av * bv[v];
        }
    }
    if (n == NVEC * W) {
        /* Whole vectors (all but the last panel): straight from the registers. */
        for (int r = 0; r < R; r++)
            for (int v = 0; v < NVEC; v++) V(update)(c + r * ldc + v * W, W, acc[r][v], alpha, beta);
    } else {
        for (int r = 0; r < R; r++)
            for (int v = 0; v < NVEC; v++) {
                int m = n - v * W < W ? n - v * W : W;
                V(update)(c + r * ldc + v * W, m, acc[r][v], alpha, beta);
            }
    }
}

#define V_TILE(R_, NV_) V(tile)(R_, NV_, c, ldc, n, a, ai, ak, b, bs, kc, alpha, beta)
/* A case for every row count up to MR (no tile of more rows than its accumulators hold). */
#define V_ROWS_4(NV_) case 1: V_TILE(1, NV_); break; case 2: V_TILE(2, NV_); break; \
    case 3: V_TILE(3, NV_); break; case 4: V_TILE(4, NV_); break;
#define V_ROWS_6(NV_) V_ROWS_4(NV_) case 5: V_TILE(5, NV_); break; case 6: V_TILE(6, NV_); break;
#define V_ROWS_8(NV_) V_ROWS_6(NV_) case 7: V_TILE(7, NV_); break; case 8: V_TILE(8, NV_); break;
#if MR == 4
#define V_ROWS(NV_) switch (R) { V_ROWS_4(NV_) }
#elif MR == 6
#define V_ROWS(NV_) switch (R) { V_ROWS_6(NV_) }
#elif MR == 8
#define V_ROWS(NV_) switch (R) { V_ROWS_8(NV_) }
#else
#error "MR must be 4, 6 or 8"
#endif

/* One tile of R (1..MR) rows by nvec (1..NV) vectors. */
static void V(tile_any)(int R, int nvec, float *restrict c, int64_t ldc, int n, const float *restrict a, int64_t ai,
                        int64_t ak, const float *restrict b, int64_t bs, int kc, float alpha, float beta) {
    switch (nvec) {
    case 1: V_ROWS(1) break;
#if NV >= 2
    case 2: V_ROWS(2) break;
#endif
#if NV >= 3
    case 3: V_ROWS(3) break;
#endif
#if NV >= 4
    case 4: V_ROWS(4) break;
#endif
    }
}
#undef V_TILE
#undef V_ROWS
#undef V_ROWS_4
#undef V_ROWS_6
#undef V_ROWS_8

/* pack (kc rows of width) = the kc x n block of B^T whose row k is column k of src's n rows (row
 * stride ldb), zeros in columns n .. width. Eight rows of B by eight k at a time, transposed in
 * registers (unpack, shuffle, swap halves: the usual 8 x 8 transpose), so both the reads and the
 * writes are whole rows; element by element, the transpose cost as much as the product itself
 * for 20 x 150 x 150 (16.5 us against OpenBLAS's 13.5). The edges go element by element. */
static void V(pack_transposed)(float *restrict pack, int width, const float *restrict src, int64_t ldb, int kc, int n) {
    const int n8 = n & ~7, k8 = kc & ~7;
    for (int jj = 0; jj < n8; jj += 8) {
        const float *s = src + (int64_t)jj * ldb;
        for (int k = 0; k < k8; k += 8) {
            __m256 r[8], t[8], u[8];
            for (int q = 0; q < 8; q++) r[q] = _mm256_loadu_ps(s + q * ldb + k);
            for (int q = 0; q < 8; q += 2) {
                t[q] = _mm256_unpacklo_ps(r[q], r[q + 1]);
                t[q + 1] = _mm256_unpackhi_ps(r[q], r[q + 1]);
            }
            for (int q = 0; q < 8; q += 4) {
                u[q] = _mm256_shuffle_ps(t[q], t[q + 2], 0x44);
                u[q + 1] = _mm256_shuffle_ps(t[q], t[q + 2], 0xEE);
                u[q + 2] = _mm256_shuffle_ps(t[q + 1], t[q + 3], 0x44);
                u[q + 3] = _mm256_shuffle_ps(t[q + 1], t[q + 3], 0xEE);
            }
            for (int q = 0; q < 4; q++) {
                _mm256_storeu_ps(pack + (int64_t)(k + q) * width + jj, _mm256_permute2f128_ps(u[q], u[q + 4], 0x20));
                _mm256_storeu_ps(pack + (int64_t)(k + q + 4) * width + jj, _mm256_permute2f128_ps(u[q], u[q + 4], 0x31));
            }
        }
        for (int k = k8; k < kc; k++)
            for (int q = 0; q < 8; q++) pack[(int64_t)k * width + jj + q] = s[q * ldb + k];
    }
    for (int k = 0; k < kc; k++) {
        for (int jj = n8; jj < n; jj++) pack[(int64_t)k * width + jj] = src[jj * ldb + k];
        for (int jj = n; jj < width; jj++) pack[(int64_t)k * width + jj] = 0.0f;
    }
}

/* pack (kc rows of nvec * W, 64-byte aligned) = op(B)'s rows k0 .. k0 + kc, columns j .. j + n,
 * zeros beyond n: every load of the tile is then whole and aligned, whatever N and ldb are
 * (in place, rows of 150 floats made most 16-float loads straddle two cache lines: 91 GF/s
 * against 110 for 144 columns). */
static void V(pack)(float *restrict pack, int nvec, int transB, const float *restrict B, int64_t ldb, int k0, int kc,
                    int j, int n) {
    const int width = nvec * W;
    if (transB) {
        V(pack_transposed)(pack, width, B + (int64_t)j * ldb + k0, ldb, kc, n);
        return;
    }
    for (int k = 0; k < kc; k++) {
        float *dst = pack + (int64_t)k * width;
        const float *src = B + (int64_t)(k0 + k) * ldb + j;
        for (int v = 0; v < nvec; v++, dst += W, src += W) {
            const int m = n - v * W < W ? n - v * W : W;
            if (m == W) {
                V(store)(dst, V(load)(src));
            } else {
                /* Lane by lane into memory (a vector built lane by lane in a register
                 * round-trips through the stack and stalls the load that follows). */
                V(store)(dst, (V(vec)){0});
                for (int l = 0; l < m; l++) dst[l] = src[l];
            }
        }
    }
}

/* op(A) op(B) with op(B) in rows: C is cut into panels of up to NV vectors and those into tiles
 * of up to MR rows, both evenly (20 rows in tiles of at most 8 are 7 + 7 + 6, not 8 + 8 + 4), so
 * no tile is a sliver. op(B) is read in place when the panel is whole vectors of B's rows; otherwise (B
 * transposed, or the last, partial panel) it is packed in chunks of up to KC rows of k, each
 * chunk's sum added into C after the first (beta applies once). (Packing every panel, for
 * aligned loads, measured slower at 20 rows: 11.3 us against 9.9 for 20x150x150.) */
static void V(gemm_rows)(int transA, int transB, int M, int N, int K, float alpha, const float *A, int64_t lda,
                         const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    _Alignas(64) float pack[KC * NV * W];
    const int64_t ai = transA ? 1 : lda, ak = transA ? lda : 1;
    const int vectors = (N + W - 1) / W, panels = (vectors + NV - 1) / NV;
    const int tiles = (M + MR - 1) / MR;
    int j = 0;
    for (int p = 0; p < panels; p++) {
        const int nvec = vectors / panels + (p < vectors % panels);
        const int n = N - j < nvec * W ? N - j : nvec * W;
        const int packed = transB || n < nvec * W;
        const int chunks = packed ? (K + KC - 1) / KC : 1;
        int k0 = 0;
        for (int q = 0; q < chunks; q++) {
            const int kc = K / chunks + (q < K % chunks);
            const float *b = B + k0 * ldb + j;
            int64_t bs = ldb;
            if (packed) {
                V(pack)(pack, nvec, transB, B, ldb, k0, kc, j, n);
                b = pack;
                bs = nvec * W;
            }
            int i = 0;
            for (int t = 0; t < tiles; t++) {
                const int R = M / tiles + (t < M % tiles);
                V(tile_any)(R, nvec, C + i * ldc + j, ldc, n, A + i * ai + k0 * ak, ai, ak, b, bs, kc, alpha,
                            q == 0 ? beta : 1.0f);
                i += R;
            }
            k0 += kc;
        }
        j += n;
    }
}

static void V(gemm)(int transA, int transB, int M, int N, int K, float alpha, const float *A, int64_t lda,
                    const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    V(gemm_rows)(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
