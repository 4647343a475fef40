#include "attn/kernels/tile_gemm.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "attn/core/error.h"
#include "test_util.h"

namespace attn {
namespace {

// C = A·B (or C += A·B) in double, with padded leading dimensions so a kernel
// reading past a row's end would pick up the wrong numbers; A row-major
// (tile_gemm) and given as its transpose (tile_gemm_at).
TEST(TileGemm, MatchesDoubleReferenceOnEdgeShapes) {
  for (bool at : {false, true})
    for (std::int64_t m : {1, 5, 6, 7, 13, 64})
      for (std::int64_t n : {1, 15, 16, 17, 64, 70, 130})
        for (std::int64_t k : {1, 3, 64})
          for (bool accumulate : {false, true}) {
            SCOPED_TRACE(::testing::Message()
                         << m << "x" << n << "x" << k << " at " << at << " acc " << accumulate);
            const std::int64_t lda = (at ? m : k) + 3, ldb = n + 5, ldc = n + 2;
            const auto a = test::random_floats((at ? k : m) * lda, 1);
            const auto b = test::random_floats(k * ldb, 2);
            auto c = test::random_floats(m * ldc, 3);
            const auto c0 = c;
            if (at) {
              kernels::tile_gemm_at(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc,
                                    accumulate);
            } else {
              kernels::tile_gemm(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, accumulate);
            }
            for (std::int64_t i = 0; i < m; ++i) {
              for (std::int64_t j = 0; j < n; ++j) {
                double want = accumulate ? c0[i * ldc + j] : 0.0;
                for (std::int64_t p = 0; p < k; ++p)
                  want +=
                      static_cast<double>(at ? a[p * lda + i] : a[i * lda + p]) * b[p * ldb + j];
                ASSERT_NEAR(c[i * ldc + j], want, 1e-5 * static_cast<double>(k + 1))
                    << i << " " << j;
              }
              // The padding past column n is untouched.
              for (std::int64_t j = n; j < ldc; ++j) ASSERT_EQ(c[i * ldc + j], c0[i * ldc + j]);
            }
          }
}

// Every vector path this CPU has (AVX2 on any x86-64 of the last decade, AVX-512
// on the newer servers) gives the portable path's bits, on full and masked column
// tails and on the row remainders of the 6-row blocks.
TEST(TileGemm, EveryVectorPathGivesThePortableBits) {
  const auto paths = kernels::tile_gemm_paths();
  ASSERT_EQ(paths.front(), kernels::TileGemmPath::kPortable);
  for (const auto path : paths)
    for (bool at : {false, true})
      for (std::int64_t m : {1, 5, 11})
        for (std::int64_t n : {3, 7, 8, 9, 16, 17, 64, 100}) {
          const std::int64_t k = 37;
          const std::int64_t lda = at ? m : k;
          const auto a = test::random_floats(m * k, 4);
          const auto b = test::random_floats(k * n, 5);
          for (bool accumulate : {false, true}) {
            auto c1 = test::random_floats(m * n, 6);
            auto c2 = c1;
            kernels::tile_gemm_on(path, at, m, n, k, a.data(), lda, b.data(), n, c1.data(), n,
                                  accumulate);
            kernels::tile_gemm_portable(at, m, n, k, a.data(), lda, b.data(), n, c2.data(), n,
                                        accumulate);
            EXPECT_EQ(std::memcmp(c1.data(), c2.data(), c1.size() * sizeof(float)), 0)
                << static_cast<int>(path) << " " << m << "x" << n << " at " << at << " acc "
                << accumulate;
          }
        }
}

// tile_gemm itself takes one of those paths, so it gives the portable bits too.
TEST(TileGemm, DispatchedCallGivesThePortableBits) {
  for (bool at : {false, true})
    for (std::int64_t n : {7, 16, 64, 100}) {
      const std::int64_t m = 11, k = 64;
      const std::int64_t lda = at ? m : k;
      const auto a = test::random_floats(m * k, 4);
      const auto b = test::random_floats(k * n, 5);
      auto c1 = test::random_floats(m * n, 6);
      auto c2 = c1;
      if (at) {
        kernels::tile_gemm_at(m, n, k, a.data(), lda, b.data(), n, c1.data(), n, true);
      } else {
        kernels::tile_gemm(m, n, k, a.data(), lda, b.data(), n, c1.data(), n, true);
      }
      kernels::tile_gemm_portable(at, m, n, k, a.data(), lda, b.data(), n, c2.data(), n, true);
      EXPECT_EQ(std::memcmp(c1.data(), c2.data(), c1.size() * sizeof(float)), 0) << n << " " << at;
    }
}

// A path the CPU lacks is refused with a message, never run (it would be SIGILL).
TEST(TileGemm, MissingPathIsAnError) {
  float a = 1, b = 2, c = 0;
  if (!kernels::tile_gemm_has_avx512()) {
    EXPECT_THROW(kernels::tile_gemm_on(kernels::TileGemmPath::kAvx512, false, 1, 1, 1, &a, 1, &b, 1,
                                       &c, 1, false),
                 Error);
  } else {
    kernels::tile_gemm_on(kernels::TileGemmPath::kAvx512, false, 1, 1, 1, &a, 1, &b, 1, &c, 1,
                          false);
    EXPECT_EQ(c, 2.0f);
  }
}

}  // namespace
}  // namespace attn
