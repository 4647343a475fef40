#include "attn/kernels/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <limits>

#include "attn/core/error.h"
#include "attn/core/thread_pool.h"
#include "attn/kernels/gemm_bf16.h"
#include "attn/kernels/matmul_precision.h"
#include "attn/kernels/reference_mode.h"

namespace attn::kernels {

namespace {

// C [M,N] *= beta, with beta == 0 meaning "overwrite with zeros".
void scale_c(std::int64_t M, std::int64_t N, float beta, float* C, std::int64_t ldc) {
  for (std::int64_t i = 0; i < M; ++i) {
    float* row = C + i * ldc;
    for (std::int64_t j = 0; j < N; ++j) row[j] = beta == 0.0f ? 0.0f : beta * row[j];
  }
}

int blas_int(std::int64_t v, const char* what) {
  // cblas takes 32-bit ints; a larger size must fail loudly, not wrap.
  ATTN_CHECK(v <= std::numeric_limits<int>::max(), "gemm: {} = {} exceeds the BLAS int range", what,
             v);
  return static_cast<int>(v);
}

}  // namespace

void gemm_ref(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
              float alpha, const float* A, std::int64_t lda, const float* B, std::int64_t ldb,
              float beta, float* C, std::int64_t ldc) {
  for (std::int64_t i = 0; i < M; ++i) {
    for (std::int64_t j = 0; j < N; ++j) {
      double acc = 0.0;
      for (std::int64_t k = 0; k < K; ++k) {
        const float a = trans_a ? A[k * lda + i] : A[i * lda + k];
        const float b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
        acc += static_cast<double>(a) * b;
      }
      float& c = C[i * ldc + j];
      const double prior = beta == 0.0f ? 0.0 : static_cast<double>(beta) * c;
      c = static_cast<float>(alpha * acc + prior);
    }
  }
}

void gemm(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, float alpha,
          const float* A, std::int64_t lda, const float* B, std::int64_t ldb, float beta, float* C,
          std::int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (use_reference_kernels()) {
    gemm_ref(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  if (effective_matmul_precision() == MatmulPrecision::kBf16) {
    gemm_bf16(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  if (K <= 0) {
    // Empty sum: cblas would reject the (legal here) lda of 0, so do it by hand.
    scale_c(M, N, beta, C, ldc);
    return;
  }
  // OpenBLAS runs single-threaded (see core/blas_threads.cpp): attn's pool splits C into
  // row panels (or column panels when M is small), one sgemm each. Its threads would
  // otherwise spin in sched_yield between calls while the pool works (~15% of a step).
  auto panel = [&](std::int64_t i0, std::int64_t m, std::int64_t j0, std::int64_t n) {
    const float* a = trans_a ? A + i0 : A + i0 * lda;
    const float* b = trans_b ? B + j0 * ldb : B + j0;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, blas_int(m, "M"), blas_int(n, "N"),
                blas_int(K, "K"), alpha, a, blas_int(lda, "lda"), b, blas_int(ldb, "ldb"), beta,
                C + i0 * ldc + j0, blas_int(ldc, "ldc"));
  };
  // Below ~1 MFLOP per panel the split costs more than it saves.
  const std::int64_t min_panel =
      std::max<std::int64_t>(16, 500000 / std::max<std::int64_t>(1, N * K));
  if (M >= N || M >= 256) {
    parallel_for(M, min_panel, [&](std::int64_t b, std::int64_t e) { panel(b, e - b, 0, N); });
  } else {
    const std::int64_t min_cols =
        std::max<std::int64_t>(16, 500000 / std::max<std::int64_t>(1, M * K));
    parallel_for(N, min_cols, [&](std::int64_t b, std::int64_t e) { panel(0, M, b, e - b); });
  }
}

void gemm_batched(bool trans_a, bool trans_b, std::int64_t batch, std::int64_t M, std::int64_t N,
                  std::int64_t K, float alpha, const float* A, std::int64_t lda,
                  std::int64_t stride_a, const float* B, std::int64_t ldb, std::int64_t stride_b,
                  float beta, float* C, std::int64_t ldc, std::int64_t stride_c) {
  // One multithreaded sgemm per entry keeps the result independent of how the
  // batch is split; a parallel-over-batch variant is left to the perf work.
  for (std::int64_t i = 0; i < batch; ++i)
    gemm(trans_a, trans_b, M, N, K, alpha, A + i * stride_a, lda, B + i * stride_b, ldb, beta,
         C + i * stride_c, ldc);
}

}  // namespace attn::kernels
