#pragma once
// A small single-threaded GEMM for the tiles of flash attention (64 × 64 × 64 and
// the like), where a BLAS call's packing and dispatch would cost as much as the
// arithmetic. Internal to kernels/.
//
// Every element of C is one chain of fused multiply-adds over k in order,
// started from 0 and added to C at the end when accumulating. The AVX-512 and
// AVX2 paths (the widest the CPU has is chosen at run time) and the portable path
// therefore give the same bits, and none depends on how the caller splits work.
#include <cstdint>
#include <vector>

namespace attn::kernels {

// C [m, n] = A [m, k] · B [k, n] (or C += when accumulate), row-major with
// leading dimensions lda, ldb, ldc. Uses AVX-512, else AVX2 + FMA, when the CPU
// has it and reference mode (ATTN_FORCE_REF) is off.
void tile_gemm(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
               const float* b, std::int64_t ldb, float* c, std::int64_t ldc, bool accumulate);

// The same with A given as its transpose: A(r, p) = a[p * lda + r], i.e. a is
// [k, m]. Saves flash attention's backward an explicit transpose per tile.
void tile_gemm_at(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
                  const float* b, std::int64_t ldb, float* c, std::int64_t ldc, bool accumulate);

// The portable path of both (a_transposed picks tile_gemm_at's layout), for
// tests that compare the two paths.
void tile_gemm_portable(bool a_transposed, std::int64_t m, std::int64_t n, std::int64_t k,
                        const float* a, std::int64_t lda, const float* b, std::int64_t ldb,
                        float* c, std::int64_t ldc, bool accumulate);

// Whether this CPU has the AVX-512 path, and the AVX2 + FMA one (tile_gemm takes
// the widest unless reference mode is on).
bool tile_gemm_has_avx512();
bool tile_gemm_has_avx2();

enum class TileGemmPath { kPortable, kAvx2, kAvx512 };

// The paths this CPU can run, portable first: tests compare each with portable.
std::vector<TileGemmPath> tile_gemm_paths();

// tile_gemm (a_transposed false) or tile_gemm_at (true) on the given path; a
// vector path the CPU lacks is an attn::Error.
void tile_gemm_on(TileGemmPath path, bool a_transposed, std::int64_t m, std::int64_t n,
                  std::int64_t k, const float* a, std::int64_t lda, const float* b,
                  std::int64_t ldb, float* c, std::int64_t ldc, bool accumulate);

}  // namespace attn::kernels
