#include "attn/kernels/gemm_bf16.h"

#include <algorithm>
#include <vector>

#include "attn/core/thread_pool.h"
#include "attn/kernels/bf16.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ATTN_BF16_X86 1
#include <immintrin.h>
#define ATTN_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#endif

namespace attn::kernels {

// How the product is laid out. One operand is "broadcast": packed as rows of
// bf16 pairs along K, [R][Kp] 32-bit words, word p of row r = bf16(x(r, 2p)) |
// bf16(x(r, 2p+1)) << 16. The other is "vector": panels of 64 columns, each
// [Kp][64] words, lane c of word row p = bf16(y(2p, c)) | bf16(y(2p+1, c)) << 16.
// One VDPBF16PS then adds x(r,2p)·y(2p,c) + x(r,2p+1)·y(2p+1,c) to 16 lanes.
// Each packing is a plain conversion when the source is stored that way round
// and a conversion plus a 32-bit transpose otherwise, so the driver picks the
// orientation (C itself, or Cᵀ with transposed stores) that transposes less.
namespace {

constexpr int kMr = 6;            // rows of a register tile (6 × 4 vectors = 24 accumulators)
constexpr std::int64_t kNr = 64;  // columns of a panel
constexpr std::int64_t kRowBlock = 96;  // broadcast rows per task, 16 register tiles

// Element (r, k) of an operand seen as [R, K]: src[r*ld + k] or src[k*ld + r].
struct Operand {
  const float* src;
  std::int64_t ld;
  bool k_contiguous;
};

struct Kernels {
  // Kp words of row pairs from K contiguous floats (the last high half is 0 for odd K).
  void (*row_pairs)(const float* src, std::int64_t k, std::uint32_t* dst);
  // n words, dst[c] = bf16(r0[c]) | bf16(r1[c]) << 16; r1 == nullptr means zeros.
  void (*interleave)(const float* r0, const float* r1, std::int64_t n, std::uint32_t* dst);
  // C tile (rows × cols ≤ kMr × kNr) from kp word rows. With c == nullptr the
  // raw sums go to tile[rows][kNr] instead of C.
  void (*micro)(int rows, std::int64_t kp, const std::uint32_t* a, std::int64_t a_ld,
                const std::uint32_t* b, std::int64_t cols, float alpha, float beta, float* c,
                std::int64_t ldc, float* tile);
};

float lo_half(std::uint32_t w) { return bf16_to_float(static_cast<std::uint16_t>(w)); }
float hi_half(std::uint32_t w) { return bf16_to_float(static_cast<std::uint16_t>(w >> 16)); }

void row_pairs_portable(const float* src, std::int64_t k, std::uint32_t* dst) {
  for (std::int64_t p = 0; 2 * p < k; ++p) {
    const std::uint32_t lo = float_to_bf16(src[2 * p]);
    const std::uint32_t hi = 2 * p + 1 < k ? float_to_bf16(src[2 * p + 1]) : 0u;
    dst[p] = lo | hi << 16;
  }
}

void interleave_portable(const float* r0, const float* r1, std::int64_t n, std::uint32_t* dst) {
  for (std::int64_t c = 0; c < n; ++c) {
    const std::uint32_t hi = r1 ? float_to_bf16(r1[c]) : 0u;
    dst[c] = static_cast<std::uint32_t>(float_to_bf16(r0[c])) | hi << 16;
  }
}

void store_element(float sum, float alpha, float beta, float& c) {
  const float v = alpha * sum;
  c = beta == 0.0f ? v : v + beta * c;
}

void micro_portable(int rows, std::int64_t kp, const std::uint32_t* a, std::int64_t a_ld,
                    const std::uint32_t* b, std::int64_t cols, float alpha, float beta, float* c,
                    std::int64_t ldc, float* tile) {
  float acc[kNr];
  for (int r = 0; r < rows; ++r) {
    std::fill(acc, acc + kNr, 0.0f);
    for (std::int64_t p = 0; p < kp; ++p) {
      const std::uint32_t x = a[r * a_ld + p];
      const float x_lo = lo_half(x), x_hi = hi_half(x);
      const std::uint32_t* bp = b + p * kNr;
      // VDPBF16PS adds the odd (high) product first, then the even one.
      for (std::int64_t j = 0; j < kNr; ++j) {
        acc[j] += x_hi * hi_half(bp[j]);
        acc[j] += x_lo * lo_half(bp[j]);
      }
    }
    if (c == nullptr) {
      std::copy(acc, acc + kNr, tile + r * kNr);
    } else {
      for (std::int64_t j = 0; j < cols; ++j) store_element(acc[j], alpha, beta, c[r * ldc + j]);
    }
  }
}

constexpr Kernels kPortable{row_pairs_portable, interleave_portable, micro_portable};

#ifdef ATTN_BF16_X86

ATTN_BF16_TARGET void row_pairs_avx(const float* src, std::int64_t k, std::uint32_t* dst) {
  // 32 floats -> 32 bf16 = 16 words per step; masked loads read zeros past k.
  for (std::int64_t i = 0; i < k; i += 32) {
    const std::int64_t left = k - i;
    const __mmask16 m_lo = left >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << left) - 1u);
    const __mmask16 m_hi = left >= 32   ? 0xFFFF
                           : left <= 16 ? 0
                                        : static_cast<__mmask16>((1u << (left - 16)) - 1u);
    const __m512 lo = _mm512_maskz_loadu_ps(m_lo, src + i);
    const __m512 hi = _mm512_maskz_loadu_ps(m_hi, src + i + 16);
    const __m512bh h = _mm512_cvtne2ps_pbh(hi, lo);  // low half from `lo`
    const std::int64_t words = std::min<std::int64_t>(16, (left + 1) / 2);
    const __mmask16 m_out = words >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << words) - 1u);
    _mm512_mask_storeu_epi32(dst + i / 2, m_out, reinterpret_cast<__m512i>(h));
  }
}

ATTN_BF16_TARGET void interleave_avx(const float* r0, const float* r1, std::int64_t n,
                                     std::uint32_t* dst) {
  for (std::int64_t c = 0; c < n; c += 16) {
    const std::int64_t left = n - c;
    const __mmask16 m = left >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << left) - 1u);
    const __m256bh lo = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, r0 + c));
    // maskz forms with every lane selected: the plain intrinsics trip GCC 12's
    // -Wmaybe-uninitialized on their internal undefined operand.
    const __mmask16 all = 0xFFFF;
    __m512i w = _mm512_maskz_cvtepu16_epi32(all, reinterpret_cast<__m256i>(lo));
    if (r1 != nullptr) {
      const __m256bh hi = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, r1 + c));
      const __m512i w_hi = _mm512_maskz_cvtepu16_epi32(all, reinterpret_cast<__m256i>(hi));
      w = _mm512_or_si512(w, _mm512_maskz_slli_epi32(all, w_hi, 16));
    }
    _mm512_mask_storeu_epi32(dst + c, m, w);
  }
}

template <int R>
ATTN_BF16_TARGET void micro_avx_rows(std::int64_t kp, const std::uint32_t* a, std::int64_t a_ld,
                                     const std::uint32_t* b, std::int64_t cols, float alpha,
                                     float beta, float* c, std::int64_t ldc, float* tile) {
  __m512 acc[R][4];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_setzero_ps();
  for (std::int64_t p = 0; p < kp; ++p) {
    const std::uint32_t* bp = b + p * kNr;
    __m512bh bv[4];
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) bv[v] = reinterpret_cast<__m512bh>(_mm512_loadu_si512(bp + 16 * v));
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512bh av =
          reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(a[r * a_ld + p])));
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_dpbf16_ps(acc[r][v], av, bv[v]);
    }
  }
  if (c == nullptr) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) _mm512_storeu_ps(tile + r * kNr + 16 * v, acc[r][v]);
    return;
  }
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 4
  for (int v = 0; v < 4; ++v) {
    const std::int64_t left = cols - 16 * v;
    if (left <= 0) break;
    const __mmask16 m = left >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << left) - 1u);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      float* cp = c + r * ldc + 16 * v;
      __m512 x = _mm512_mul_ps(va, acc[r][v]);
      // Not fused: alpha·sum + beta·c rounded twice, as the scalar stores do.
      if (beta != 0.0f) x = _mm512_add_ps(x, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m, cp)));
      _mm512_mask_storeu_ps(cp, m, x);
    }
  }
}

void micro_avx(int rows, std::int64_t kp, const std::uint32_t* a, std::int64_t a_ld,
               const std::uint32_t* b, std::int64_t cols, float alpha, float beta, float* c,
               std::int64_t ldc, float* tile) {
  switch (rows) {
    case 6:
      return micro_avx_rows<6>(kp, a, a_ld, b, cols, alpha, beta, c, ldc, tile);
    case 5:
      return micro_avx_rows<5>(kp, a, a_ld, b, cols, alpha, beta, c, ldc, tile);
    case 4:
      return micro_avx_rows<4>(kp, a, a_ld, b, cols, alpha, beta, c, ldc, tile);
    case 3:
      return micro_avx_rows<3>(kp, a, a_ld, b, cols, alpha, beta, c, ldc, tile);
    case 2:
      return micro_avx_rows<2>(kp, a, a_ld, b, cols, alpha, beta, c, ldc, tile);
    default:
      return micro_avx_rows<1>(kp, a, a_ld, b, cols, alpha, beta, c, ldc, tile);
  }
}

constexpr Kernels kAvx{row_pairs_avx, interleave_avx, micro_avx};

#endif  // ATTN_BF16_X86

// dst[c * dst_ld + r] = src[r * src_ld + c] for r < rows, c < cols, in 16 × 16
// blocks (a register transpose where the CPU has AVX-512, else word by word).
#ifdef ATTN_BF16_X86
// One full 16 × 16 block of 32-bit words: unpack 32-bit then 64-bit halves of
// row pairs, then two rounds of 128-bit lane shuffles.
__attribute__((target("avx512f"))) void transpose_block16(const std::uint32_t* src,
                                                          std::int64_t src_ld, std::uint32_t* dst,
                                                          std::int64_t dst_ld) {
  // maskz forms with every lane selected, as in interleave_avx (GCC 12 warns
  // about the plain intrinsics' undefined pass-through operand).
  const __mmask16 all = 0xFFFF;
  const __mmask8 all8 = 0xFF;
  __m512i r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_si512(src + i * src_ld);
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_maskz_unpacklo_epi32(all, r[i], r[i + 1]);
    t[i + 1] = _mm512_maskz_unpackhi_epi32(all, r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_maskz_unpacklo_epi64(all8, t[i], t[i + 2]);
    r[i + 1] = _mm512_maskz_unpackhi_epi64(all8, t[i], t[i + 2]);
    r[i + 2] = _mm512_maskz_unpacklo_epi64(all8, t[i + 1], t[i + 3]);
    r[i + 3] = _mm512_maskz_unpackhi_epi64(all8, t[i + 1], t[i + 3]);
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm512_maskz_shuffle_i32x4(all, r[i], r[i + 4], 0x88);
    t[i + 4] = _mm512_maskz_shuffle_i32x4(all, r[i], r[i + 4], 0xdd);
    t[i + 8] = _mm512_maskz_shuffle_i32x4(all, r[i + 8], r[i + 12], 0x88);
    t[i + 12] = _mm512_maskz_shuffle_i32x4(all, r[i + 8], r[i + 12], 0xdd);
  }
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_maskz_shuffle_i32x4(all, t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_maskz_shuffle_i32x4(all, t[i], t[i + 8], 0xdd);
  }
  // r[j] is now column j of the block.
  for (int j = 0; j < 16; ++j) _mm512_storeu_si512(dst + j * dst_ld, r[j]);
}
#endif

void transpose_words(const std::uint32_t* src, std::int64_t rows, std::int64_t cols,
                     std::int64_t src_ld, std::uint32_t* dst, std::int64_t dst_ld) {
  constexpr std::int64_t kBlock = 16;
#ifdef ATTN_BF16_X86
  static const bool avx512 = __builtin_cpu_supports("avx512f");
#else
  constexpr bool avx512 = false;
#endif
  for (std::int64_t r0 = 0; r0 < rows; r0 += kBlock)
    for (std::int64_t c0 = 0; c0 < cols; c0 += kBlock) {
      const std::int64_t r1 = std::min(rows, r0 + kBlock), c1 = std::min(cols, c0 + kBlock);
#ifdef ATTN_BF16_X86
      if (avx512 && r1 - r0 == kBlock && c1 - c0 == kBlock) {
        transpose_block16(src + r0 * src_ld + c0, src_ld, dst + c0 * dst_ld + r0, dst_ld);
        continue;
      }
#endif
      for (std::int64_t r = r0; r < r1; ++r)
        for (std::int64_t c = c0; c < c1; ++c) dst[c * dst_ld + r] = src[r * src_ld + c];
    }
}

std::int64_t pairs(std::int64_t k) { return (k + 1) / 2; }

// Pack rows 2p and 2p+1 of a [K, n] source (row stride ld) into word row p of dst.
void interleave_pair_rows(const Kernels& kern, const float* src, std::int64_t ld, std::int64_t k,
                          std::int64_t p, std::int64_t n, std::uint32_t* dst) {
  const float* r1 = 2 * p + 1 < k ? src + (2 * p + 1) * ld : nullptr;
  kern.interleave(src + 2 * p * ld, r1, n, dst);
}

// The broadcast operand [R, K] -> [R][Kp] words.
void pack_broadcast(const Kernels& kern, const Operand& x, std::int64_t rows, std::int64_t k,
                    std::vector<std::uint32_t>& out, std::vector<std::uint32_t>& scratch) {
  const std::int64_t kp = pairs(k);
  out.resize(static_cast<std::size_t>(rows * kp));
  if (x.k_contiguous) {
    parallel_for(rows, 64, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t r = b; r < e; ++r) kern.row_pairs(x.src + r * x.ld, k, out.data() + r * kp);
    });
    return;
  }
  // Stored [K, R]: word rows [Kp][R] first, then transposed.
  scratch.resize(static_cast<std::size_t>(kp * rows));
  parallel_for(kp, 16, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t p = b; p < e; ++p)
      interleave_pair_rows(kern, x.src, x.ld, k, p, rows, scratch.data() + p * rows);
  });
  parallel_for(rows, 64, [&](std::int64_t b, std::int64_t e) {
    transpose_words(scratch.data() + b, kp, e - b, rows, out.data() + b * kp, kp);
  });
}

// The vector operand [K, C] (element (k, c) = k_contiguous ? src[c*ld + k] :
// src[k*ld + c]) -> panels [ceil(C/64)][Kp][64] words (lanes past C unused).
void pack_vector(const Kernels& kern, const Operand& y, std::int64_t k, std::int64_t cols,
                 std::vector<std::uint32_t>& out, std::vector<std::uint32_t>& scratch) {
  const std::int64_t kp = pairs(k), panels = (cols + kNr - 1) / kNr;
  // Lanes past cols in the last panel keep whatever an earlier product left:
  // each lane only feeds its own column of C, and those columns are never
  // stored (zeroing the whole buffer cost a memset pass per product).
  out.resize(static_cast<std::size_t>(panels * kp * kNr));
  if (!y.k_contiguous) {
    parallel_for(kp, 16, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t p = b; p < e; ++p)
        for (std::int64_t q = 0; q < panels; ++q)
          interleave_pair_rows(kern, y.src + q * kNr, y.ld, k, p, std::min(kNr, cols - q * kNr),
                               out.data() + (q * kp + p) * kNr);
    });
    return;
  }
  // Stored [C, K]: row pairs [C][Kp] first, then each panel transposed.
  scratch.resize(static_cast<std::size_t>(cols * kp));
  parallel_for(cols, 64, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t c = b; c < e; ++c)
      kern.row_pairs(y.src + c * y.ld, k, scratch.data() + c * kp);
  });
  parallel_for(panels, 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t q = b; q < e; ++q)
      transpose_words(scratch.data() + q * kNr * kp, std::min(kNr, cols - q * kNr), kp, kp,
                      out.data() + q * kp * kNr, kNr);
  });
}

void gemm_bf16_with(const Kernels& kern, bool trans_a, bool trans_b, std::int64_t M, std::int64_t N,
                    std::int64_t K, float alpha, const float* A, std::int64_t lda, const float* B,
                    std::int64_t ldb, float beta, float* C, std::int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  K = std::max<std::int64_t>(K, 0);
  // Orientation: C = A·B with A broadcast, or Cᵀ = Bᵀ·Aᵀ with B broadcast and
  // transposed stores, whichever packs fewer elements through a transpose.
  const std::int64_t transposed_x = (trans_a ? M * K : 0) + (trans_b ? K * N : 0);
  const std::int64_t transposed_y = (trans_a ? 0 : M * K) + (trans_b ? 0 : K * N);
  const bool swap = transposed_y < transposed_x;
  const Operand bcast = swap ? Operand{B, ldb, trans_b} : Operand{A, lda, !trans_a};
  const Operand vec = swap ? Operand{A, lda, !trans_a} : Operand{B, ldb, trans_b};
  const std::int64_t rows = swap ? N : M, cols = swap ? M : N, kp = pairs(K);

  // Reused across calls so steady-state training does not allocate here.
  thread_local std::vector<std::uint32_t> packed_a, packed_b, scratch;
  pack_broadcast(kern, bcast, rows, K, packed_a, scratch);
  pack_vector(kern, vec, K, cols, packed_b, scratch);

  const std::int64_t row_blocks = (rows + kRowBlock - 1) / kRowBlock;
  const std::int64_t panels = (cols + kNr - 1) / kNr;
  // About 1 MFLOP per chunk at least, so small products stay on one thread.
  const std::int64_t flops_per_task =
      2 * std::min(rows, kRowBlock) * kNr * std::max<std::int64_t>(K, 1);
  const std::int64_t grain = std::max<std::int64_t>(1, 1000000 / flops_per_task);
  // Plain pointers: the workers must not name the calling thread's thread_locals.
  const std::uint32_t* pa = packed_a.data();
  const std::uint32_t* pb = packed_b.data();
  parallel_for(row_blocks * panels, grain, [&](std::int64_t t0, std::int64_t t1) {
    alignas(64) float tile[kMr * kNr];
    for (std::int64_t t = t0; t < t1; ++t) {
      const std::int64_t rb = t / panels, q = t % panels;
      const std::int64_t c0 = q * kNr, nc = std::min(kNr, cols - c0);
      const std::uint32_t* bp = pb + q * kp * kNr;
      const std::int64_t r_end = std::min(rows, (rb + 1) * kRowBlock);
      for (std::int64_t r0 = rb * kRowBlock; r0 < r_end; r0 += kMr) {
        const int nr = static_cast<int>(std::min<std::int64_t>(kMr, r_end - r0));
        const std::uint32_t* ap = pa + r0 * kp;
        if (!swap) {
          kern.micro(nr, kp, ap, kp, bp, nc, alpha, beta, C + r0 * ldc + c0, ldc, nullptr);
          continue;
        }
        kern.micro(nr, kp, ap, kp, bp, nc, alpha, beta, nullptr, 0, tile);
        for (std::int64_t j = 0; j < nc; ++j)
          for (int i = 0; i < nr; ++i)
            store_element(tile[i * kNr + j], alpha, beta, C[(c0 + j) * ldc + r0 + i]);
      }
    }
  });
}

}  // namespace

bool cpu_has_avx512_bf16() {
#ifdef ATTN_BF16_X86
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vl") &&
                          __builtin_cpu_supports("avx512bf16");
  return has;
#else
  return false;
#endif
}

void gemm_bf16(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
               float alpha, const float* A, std::int64_t lda, const float* B, std::int64_t ldb,
               float beta, float* C, std::int64_t ldc) {
#ifdef ATTN_BF16_X86
  if (cpu_has_avx512_bf16()) {
    gemm_bf16_with(kAvx, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
#endif
  gemm_bf16_with(kPortable, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm_bf16_portable(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
                        float alpha, const float* A, std::int64_t lda, const float* B,
                        std::int64_t ldb, float beta, float* C, std::int64_t ldc) {
  gemm_bf16_with(kPortable, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace attn::kernels
