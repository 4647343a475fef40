// gemm (OpenBLAS) against gemm_ref over many sizes, transposes, strides and
// alpha/beta, plus hand-computed values and the reference-mode switch.
#include "attn/kernels/gemm.h"

#include <cmath>
#include <limits>
#include <vector>

#include "attn/core/rng.h"
#include "attn/kernels/reference_mode.h"
#include "test_util.h"

namespace attn::kernels {
namespace {

// Restores the reference-mode switch when a test flips it.
struct RefModeGuard {
  bool saved = use_reference_kernels();
  ~RefModeGuard() { set_use_reference_kernels(saved); }
};

TEST(Gemm, RefMatchesHandComputed) {
  // A [2,3], B [3,2] -> C = A·B
  const std::vector<float> A = {1, 2, 3, 4, 5, 6}, B = {7, 8, 9, 10, 11, 12};
  std::vector<float> C(4, 0.0f);
  gemm_ref(false, false, 2, 2, 3, 1.0f, A.data(), 3, B.data(), 2, 0.0f, C.data(), 2);
  EXPECT_EQ(C, (std::vector<float>{58, 64, 139, 154}));
  // Aᵀ·A with A stored [2,3]: op(A) = Aᵀ [3,2], op(B) = A [2,3] -> [3,3]
  std::vector<float> D(9);
  gemm_ref(true, false, 3, 3, 2, 1.0f, A.data(), 3, A.data(), 3, 0.0f, D.data(), 3);
  EXPECT_EQ(D, (std::vector<float>{17, 22, 27, 22, 29, 36, 27, 36, 45}));
}

TEST(Gemm, FastMatchesRefAcrossSizesTransposesAndStrides) {
  RefModeGuard guard;
  set_use_reference_kernels(false);
  const std::int64_t sizes[] = {0, 1, 2, 3, 7, 16, 33};
  struct AB {
    float alpha, beta;
  };
  const AB coefs[] = {{1.0f, 0.0f}, {0.5f, 1.5f}, {-2.0f, 1.0f}};
  std::uint64_t seed = 1;
  for (std::int64_t M : sizes)
    for (std::int64_t N : sizes)
      for (std::int64_t K : sizes)
        for (int t = 0; t < 4; ++t)
          for (const AB& c : coefs) {
            const bool ta = t & 1, tb = t & 2;
            // Leading dims padded by 3 so strides differ from widths.
            const std::int64_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 3, ldc = N + 3;
            const auto A =
                test::random_floats(static_cast<std::size_t>((ta ? K : M) * lda), ++seed);
            const auto B =
                test::random_floats(static_cast<std::size_t>((tb ? N : K) * ldb), ++seed);
            auto C0 = test::random_floats(static_cast<std::size_t>(M * ldc), ++seed);
            auto C1 = C0;
            gemm(ta, tb, M, N, K, c.alpha, A.data(), lda, B.data(), ldb, c.beta, C0.data(), ldc);
            gemm_ref(ta, tb, M, N, K, c.alpha, A.data(), lda, B.data(), ldb, c.beta, C1.data(),
                     ldc);
            ASSERT_LE(test::max_rel_error(C0.data(), C1.data(), M * ldc, 1.0f), 1e-5f)
                << "M=" << M << " N=" << N << " K=" << K << " ta=" << ta << " tb=" << tb
                << " alpha=" << c.alpha << " beta=" << c.beta;
          }
}

TEST(Gemm, BetaZeroOverwritesNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> A = {1, 2}, B = {3, 4};
  for (std::int64_t K : {0, 2}) {
    std::vector<float> C0 = {nan}, C1 = {nan};
    gemm(false, false, 1, 1, K, 1.0f, A.data(), 2, B.data(), 1, 0.0f, C0.data(), 1);
    gemm_ref(false, false, 1, 1, K, 1.0f, A.data(), 2, B.data(), 1, 0.0f, C1.data(), 1);
    EXPECT_EQ(C0[0], K == 0 ? 0.0f : 11.0f);
    EXPECT_EQ(C1[0], C0[0]);
  }
}

TEST(Gemm, BatchedMatchesPerEntryRef) {
  const std::int64_t batch = 3, M = 4, N = 5, K = 6;
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    const auto A = test::random_floats(batch * M * K, 10 + t),
               B = test::random_floats(batch * K * N, 20 + t);
    auto C0 = test::random_floats(batch * M * N, 30 + t);
    auto C1 = C0;
    gemm_batched(ta, tb, batch, M, N, K, 1.0f, A.data(), ta ? M : K, M * K, B.data(), tb ? K : N,
                 K * N, 1.0f, C0.data(), N, M * N);
    for (std::int64_t i = 0; i < batch; ++i)
      gemm_ref(ta, tb, M, N, K, 1.0f, A.data() + i * M * K, ta ? M : K, B.data() + i * K * N,
               tb ? K : N, 1.0f, C1.data() + i * M * N, N);
    EXPECT_LE(test::max_rel_error(C0.data(), C1.data(), batch * M * N, 1.0f), 1e-5f) << t;
  }
}

TEST(Gemm, ReferenceModeRoutesToRef) {
  RefModeGuard guard;
  set_use_reference_kernels(true);
  EXPECT_TRUE(use_reference_kernels());
  const std::int64_t M = 9, N = 11, K = 37;
  const auto A = test::random_floats(M * K, 5), B = test::random_floats(K * N, 6);
  std::vector<float> C0(M * N), C1(M * N);
  gemm(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C0.data(), N);
  gemm_ref(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C1.data(), N);
  EXPECT_EQ(C0, C1);  // bit-identical: the same code ran
  set_use_reference_kernels(false);
  EXPECT_FALSE(use_reference_kernels());
}

}  // namespace
}  // namespace attn::kernels
