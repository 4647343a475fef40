#pragma once
// General matrix multiply on row-major float matrices, BLAS conventions:
//   C = alpha * op(A) · op(B) + beta * C,  op(X) = Xᵀ when trans_x.
// op(A) is [M, K], op(B) is [K, N], C is [M, N]; lda/ldb/ldc are row strides
// of the matrices as stored (A is [K, M] in memory when trans_a).
// beta == 0 overwrites C without reading it (NaN in C does not leak), as in BLAS.
#include <cstdint>

namespace attn::kernels {

// A [M,K] (or [K,M] if trans_a), B [K,N] (or [N,K] if trans_b) -> C [M,N]
// OpenBLAS cblas_sgemm; the plain reference when use_reference_kernels().
void gemm(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, float alpha,
          const float* A, std::int64_t lda, const float* B, std::int64_t ldb, float beta, float* C,
          std::int64_t ldc);

// Same contract as gemm, plain scalar loops with a double accumulator.
void gemm_ref(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
              float alpha, const float* A, std::int64_t lda, const float* B, std::int64_t ldb,
              float beta, float* C, std::int64_t ldc);

// A [batch, ...], B [batch, ...] -> C [batch, M, N]: gemm on each batch entry,
// matrix i starting at A + i*stride_a, B + i*stride_b, C + i*stride_c.
void gemm_batched(bool trans_a, bool trans_b, std::int64_t batch, std::int64_t M, std::int64_t N,
                  std::int64_t K, float alpha, const float* A, std::int64_t lda,
                  std::int64_t stride_a, const float* B, std::int64_t ldb, std::int64_t stride_b,
                  float beta, float* C, std::int64_t ldc, std::int64_t stride_c);

}  // namespace attn::kernels
