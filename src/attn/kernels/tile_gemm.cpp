#include "attn/kernels/tile_gemm.h"

#include <algorithm>
#include <cmath>

#include "attn/core/error.h"
#include "attn/kernels/reference_mode.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ATTN_TILE_GEMM_X86 1
#include <immintrin.h>
#endif

namespace attn::kernels {

void tile_gemm_portable(bool a_transposed, std::int64_t m, std::int64_t n, std::int64_t k,
                        const float* a, std::int64_t lda, const float* b, std::int64_t ldb,
                        float* c, std::int64_t ldc, bool accumulate) {
  // A(r, p) = a[r * a_row + p * a_col]
  const std::int64_t a_row = a_transposed ? 1 : lda, a_col = a_transposed ? lda : 1;
  constexpr std::int64_t kCols = 64;
  float acc[kCols];
  for (std::int64_t j0 = 0; j0 < n; j0 += kCols) {
    const std::int64_t nb = std::min(kCols, n - j0);
    for (std::int64_t i = 0; i < m; ++i) {
      std::fill(acc, acc + nb, 0.0f);
      for (std::int64_t p = 0; p < k; ++p) {
        const float ap = a[i * a_row + p * a_col];
        const float* bp = b + p * ldb + j0;
        for (std::int64_t j = 0; j < nb; ++j) acc[j] = std::fma(ap, bp[j], acc[j]);
      }
      float* ci = c + i * ldc + j0;
      if (accumulate) {
        for (std::int64_t j = 0; j < nb; ++j) ci[j] += acc[j];
      } else {
        std::copy(acc, acc + nb, ci);
      }
    }
  }
}

#ifdef ATTN_TILE_GEMM_X86
namespace {

// R rows × V vectors of 16 columns of C, the last vector masked by `tail`. With
// R = 6 and V = 4 the 24 accumulators, 4 B vectors and one broadcast fill 29 of
// the 32 vector registers: each k step is 4 loads, 6 broadcasts and 24 FMAs.
// A(r, p) is a[r * a_row + p * a_col].
template <int R, int V>
__attribute__((target("avx512f"))) void block_avx512(std::int64_t k, const float* a,
                                                     std::int64_t a_row, std::int64_t a_col,
                                                     const float* b, std::int64_t ldb, float* c,
                                                     std::int64_t ldc, bool accumulate,
                                                     __mmask16 tail) {
  __m512 acc[R][V];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[r][v] = _mm512_setzero_ps();
  for (std::int64_t p = 0; p < k; ++p) {
    __m512 bv[V];
    const float* bp = b + p * ldb;
    const float* ap = a + p * a_col;
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v)
      bv[v] = v == V - 1 ? _mm512_maskz_loadu_ps(tail, bp + 16 * v) : _mm512_loadu_ps(bp + 16 * v);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(ap[r * a_row]);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) {
      const __mmask16 mask = v == V - 1 ? tail : static_cast<__mmask16>(0xFFFF);
      float* cp = c + r * ldc + 16 * v;
      __m512 x = acc[r][v];
      if (accumulate) x = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, cp), x);
      _mm512_mask_storeu_ps(cp, mask, x);
    }
}

using BlockFn = void (*)(std::int64_t, const float*, std::int64_t, std::int64_t, const float*,
                         std::int64_t, float*, std::int64_t, bool, __mmask16);

constexpr int kRows = 6;

template <int R>
constexpr BlockFn block_for(int v) {
  return v == 1   ? block_avx512<R, 1>
         : v == 2 ? block_avx512<R, 2>
         : v == 3 ? block_avx512<R, 3>
                  : block_avx512<R, 4>;
}

BlockFn pick_block(int rows, int vectors) {
  switch (rows) {
    case 1:
      return block_for<1>(vectors);
    case 2:
      return block_for<2>(vectors);
    case 3:
      return block_for<3>(vectors);
    case 4:
      return block_for<4>(vectors);
    case 5:
      return block_for<5>(vectors);
    default:
      return block_for<6>(vectors);
  }
}

void tile_gemm_avx512(std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
                      std::int64_t a_row, std::int64_t a_col, const float* b, std::int64_t ldb,
                      float* c, std::int64_t ldc, bool accumulate) {
  for (std::int64_t j0 = 0; j0 < n; j0 += 64) {
    const std::int64_t nb = std::min<std::int64_t>(64, n - j0);
    const int vectors = static_cast<int>((nb + 15) / 16);
    const int last = static_cast<int>(nb - 16 * (vectors - 1));  // 1..16 columns
    const auto tail = static_cast<__mmask16>((1u << last) - 1u);
    const BlockFn full = pick_block(kRows, vectors);
    std::int64_t i = 0;
    for (; i + kRows <= m; i += kRows)
      full(k, a + i * a_row, a_row, a_col, b + j0, ldb, c + i * ldc + j0, ldc, accumulate, tail);
    if (i < m)
      pick_block(static_cast<int>(m - i), vectors)(k, a + i * a_row, a_row, a_col, b + j0, ldb,
                                                   c + i * ldc + j0, ldc, accumulate, tail);
  }
}

// The AVX2 + FMA path for CPUs without AVX-512 (Zen 2/3, most client Intel
// parts): R rows × V vectors of 8 columns. With R = 6 and V = 2 the 12
// accumulators, 2 B vectors and one broadcast fill 15 of the 16 ymm registers.
// Tail masks the last vector's columns (AVX2 masked loads/stores take an integer
// lane mask and never touch the masked-off memory).
template <int R, int V, bool Tail>
__attribute__((target("avx2,fma"))) void block_avx2(std::int64_t k, const float* a,
                                                    std::int64_t a_row, std::int64_t a_col,
                                                    const float* b, std::int64_t ldb, float* c,
                                                    std::int64_t ldc, bool accumulate, int last) {
  // Lane l is on when l < last (1..8): the sign bit of (l - last) is set.
  const __m256i tail =
      _mm256_sub_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(last));
  __m256 acc[R][V];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_ps();
  for (std::int64_t p = 0; p < k; ++p) {
    __m256 bv[V];
    const float* bp = b + p * ldb;
    const float* ap = a + p * a_col;
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v)
      bv[v] =
          Tail && v == V - 1 ? _mm256_maskload_ps(bp + 8 * v, tail) : _mm256_loadu_ps(bp + 8 * v);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(ap + r * a_row);
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) {
      float* cp = c + r * ldc + 8 * v;
      __m256 x = acc[r][v];
      if (Tail && v == V - 1) {
        if (accumulate) x = _mm256_add_ps(_mm256_maskload_ps(cp, tail), x);
        _mm256_maskstore_ps(cp, tail, x);
      } else {
        if (accumulate) x = _mm256_add_ps(_mm256_loadu_ps(cp), x);
        _mm256_storeu_ps(cp, x);
      }
    }
}

// The tail is passed as a column count, not a vector mask, so no AVX type crosses
// a function-pointer call (that would change the ABI outside AVX code).
using Avx2BlockFn = void (*)(std::int64_t, const float*, std::int64_t, std::int64_t, const float*,
                             std::int64_t, float*, std::int64_t, bool, int);

template <int R>
Avx2BlockFn avx2_block_for(int vectors, bool tail) {
  if (vectors == 1) return tail ? block_avx2<R, 1, true> : block_avx2<R, 1, false>;
  return tail ? block_avx2<R, 2, true> : block_avx2<R, 2, false>;
}

Avx2BlockFn pick_avx2_block(int rows, int vectors, bool tail) {
  switch (rows) {
    case 1:
      return avx2_block_for<1>(vectors, tail);
    case 2:
      return avx2_block_for<2>(vectors, tail);
    case 3:
      return avx2_block_for<3>(vectors, tail);
    case 4:
      return avx2_block_for<4>(vectors, tail);
    case 5:
      return avx2_block_for<5>(vectors, tail);
    default:
      return avx2_block_for<6>(vectors, tail);
  }
}

void tile_gemm_avx2(std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
                    std::int64_t a_row, std::int64_t a_col, const float* b, std::int64_t ldb,
                    float* c, std::int64_t ldc, bool accumulate) {
  constexpr std::int64_t kCols = 16;
  for (std::int64_t j0 = 0; j0 < n; j0 += kCols) {
    const std::int64_t nb = std::min(kCols, n - j0);
    const int vectors = static_cast<int>((nb + 7) / 8);
    const int last = static_cast<int>(nb - 8 * (vectors - 1));  // 1..8 columns
    const bool masked = last < 8;
    const Avx2BlockFn full = pick_avx2_block(kRows, vectors, masked);
    std::int64_t i = 0;
    for (; i + kRows <= m; i += kRows)
      full(k, a + i * a_row, a_row, a_col, b + j0, ldb, c + i * ldc + j0, ldc, accumulate, last);
    if (i < m)
      pick_avx2_block(static_cast<int>(m - i), vectors, masked)(
          k, a + i * a_row, a_row, a_col, b + j0, ldb, c + i * ldc + j0, ldc, accumulate, last);
  }
}

}  // namespace
#endif

bool tile_gemm_has_avx512() {
#ifdef ATTN_TILE_GEMM_X86
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
#else
  return false;
#endif
}

bool tile_gemm_has_avx2() {
#ifdef ATTN_TILE_GEMM_X86
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
#else
  return false;
#endif
}

std::vector<TileGemmPath> tile_gemm_paths() {
  std::vector<TileGemmPath> paths{TileGemmPath::kPortable};
  if (tile_gemm_has_avx2()) paths.push_back(TileGemmPath::kAvx2);
  if (tile_gemm_has_avx512()) paths.push_back(TileGemmPath::kAvx512);
  return paths;
}

void tile_gemm_on(TileGemmPath path, bool a_transposed, std::int64_t m, std::int64_t n,
                  std::int64_t k, const float* a, std::int64_t lda, const float* b,
                  std::int64_t ldb, float* c, std::int64_t ldc, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  const std::int64_t a_row = a_transposed ? 1 : lda, a_col = a_transposed ? lda : 1;
  switch (path) {
#ifdef ATTN_TILE_GEMM_X86
    case TileGemmPath::kAvx512:
      if (!tile_gemm_has_avx512()) throw Error("tile_gemm: this CPU has no AVX-512");
      tile_gemm_avx512(m, n, k, a, a_row, a_col, b, ldb, c, ldc, accumulate);
      return;
    case TileGemmPath::kAvx2:
      if (!tile_gemm_has_avx2()) throw Error("tile_gemm: this CPU has no AVX2 + FMA");
      tile_gemm_avx2(m, n, k, a, a_row, a_col, b, ldb, c, ldc, accumulate);
      return;
#else
    case TileGemmPath::kAvx512:
    case TileGemmPath::kAvx2:
      throw Error("tile_gemm: vector paths exist only on x86-64");
#endif
    case TileGemmPath::kPortable:
      break;
  }
  tile_gemm_portable(a_transposed, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

namespace {

// The widest path this CPU has, unless reference mode (ATTN_FORCE_REF) is on.
TileGemmPath best_path() {
  if (use_reference_kernels()) return TileGemmPath::kPortable;
  if (tile_gemm_has_avx512()) return TileGemmPath::kAvx512;
  if (tile_gemm_has_avx2()) return TileGemmPath::kAvx2;
  return TileGemmPath::kPortable;
}

void tile_gemm_any(bool a_transposed, std::int64_t m, std::int64_t n, std::int64_t k,
                   const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float* c,
                   std::int64_t ldc, bool accumulate) {
  tile_gemm_on(best_path(), a_transposed, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

}  // namespace

void tile_gemm(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
               const float* b, std::int64_t ldb, float* c, std::int64_t ldc, bool accumulate) {
  tile_gemm_any(false, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

void tile_gemm_at(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
                  const float* b, std::int64_t ldb, float* c, std::int64_t ldc, bool accumulate) {
  tile_gemm_any(true, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

}  // namespace attn::kernels
