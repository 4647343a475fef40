#include "attn/kernels/gemm_bf16.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "attn/core/thread_pool.h"
#include "attn/kernels/bf16.h"
#include "attn/kernels/gemm.h"
#include "attn/kernels/matmul_precision.h"
#include "test_util.h"

namespace attn {
namespace {

std::uint16_t bits_of(float x) { return kernels::float_to_bf16(x); }
float from_bits(std::uint32_t u) { return std::bit_cast<float>(u); }

TEST(Bf16, RoundsToNearestEvenAndKeepsSpecialValues) {
  EXPECT_EQ(bits_of(1.0f), 0x3F80);
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1).
  EXPECT_EQ(bits_of(from_bits(0x3F808000u)), 0x3F80);
  // 1 + 3·2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6: rounds up to even.
  EXPECT_EQ(bits_of(from_bits(0x3F818000u)), 0x3F82);
  EXPECT_EQ(bits_of(from_bits(0x3F808001u)), 0x3F81);  // just above half: up
  EXPECT_EQ(bits_of(-2.5f), 0xC020);
  EXPECT_EQ(bits_of(std::numeric_limits<float>::infinity()), 0x7F80);
  EXPECT_EQ(bits_of(-std::numeric_limits<float>::infinity()), 0xFF80);
  EXPECT_EQ(bits_of(std::numeric_limits<float>::max()), 0x7F80);  // rounds past the largest bf16
  const std::uint16_t nan = bits_of(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(std::isnan(kernels::bf16_to_float(nan)));
  // A signalling NaN whose payload lives only in the low 16 bits must not become infinity.
  EXPECT_TRUE(std::isnan(kernels::round_to_bf16(from_bits(0x7F800001u))));
  // Denormals become a signed zero, as VCVTNE2PS2BF16 does.
  EXPECT_EQ(bits_of(1e-40f), 0x0000);
  EXPECT_EQ(bits_of(-1e-40f), 0x8000);
  EXPECT_EQ(bits_of(std::numeric_limits<float>::min()), 0x0080);  // smallest normal is kept
}

using GemmFn = void (*)(bool, bool, std::int64_t, std::int64_t, std::int64_t, float, const float*,
                        std::int64_t, const float*, std::int64_t, float, float*, std::int64_t);

// One product checked against double sums of the bf16-rounded inputs. The only
// error left is f32 accumulation, bounded by K·2^-24·Σ|a·b| (plus alpha/beta).
void check_against_reference(GemmFn fn, bool ta, bool tb, std::int64_t m, std::int64_t n,
                             std::int64_t k, float alpha, float beta) {
  SCOPED_TRACE(::testing::Message() << (ta ? "T" : "N") << (tb ? "T" : "N") << " " << m << "x" << n
                                    << "x" << k << " alpha " << alpha << " beta " << beta);
  const std::int64_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
  const auto a = test::random_floats((ta ? k : m) * lda, 11);
  const auto b = test::random_floats((tb ? n : k) * ldb, 12);
  auto c = test::random_floats(m * ldc, 13);
  if (beta == 0.0f)  // beta = 0 overwrites C without reading it: NaN must not leak
    for (std::int64_t i = 0; i < m; ++i) c[i * ldc] = std::numeric_limits<float>::quiet_NaN();
  const auto c0 = c;
  fn(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double sum = 0.0, mag = 0.0;
      for (std::int64_t p = 0; p < k; ++p) {
        const double x = kernels::round_to_bf16(ta ? a[p * lda + i] : a[i * lda + p]);
        const double y = kernels::round_to_bf16(tb ? b[j * ldb + p] : b[p * ldb + j]);
        sum += x * y;
        mag += std::fabs(x * y);
      }
      const double prior = beta == 0.0f ? 0.0 : static_cast<double>(beta) * c0[i * ldc + j];
      const double want = alpha * sum + prior;
      const double tol = 1e-7 * (static_cast<double>(k) + 2.0) * (std::fabs(alpha) * mag + 1.0);
      ASSERT_NEAR(c[i * ldc + j], want, tol) << "at " << i << "," << j;
    }
  for (std::int64_t i = 0; i < m; ++i)  // the padding between rows is untouched
    for (std::int64_t j = n; j < ldc; ++j) ASSERT_EQ(c[i * ldc + j], c0[i * ldc + j]);
}

void check_edge_shapes(GemmFn fn) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (std::int64_t m : {1, 6, 7, 100})
        for (std::int64_t n : {1, 17, 64, 130})
          for (std::int64_t k : {0, 1, 2, 33, 64})
            check_against_reference(fn, ta, tb, m, n, k, 1.0f, 0.0f);
  check_against_reference(fn, false, true, 13, 70, 41, 0.5f, 1.0f);
  check_against_reference(fn, true, false, 70, 13, 41, -2.0f, 0.25f);
}

TEST(GemmBf16, PortableMatchesDoubleReferenceOnEdgeShapes) {
  check_edge_shapes(kernels::gemm_bf16_portable);
}

TEST(GemmBf16, DispatchedKernelMatchesDoubleReferenceOnEdgeShapes) {
  // The AVX-512 BF16 kernel where the CPU has it, else the portable one again.
  check_edge_shapes(kernels::gemm_bf16);
}

// The vector kernel sums the same packed pairs in the same order as the portable
// one (high product, then low), so with no denormals the bits agree.
TEST(GemmBf16, VectorKernelEqualsPortableBitForBit) {
  if (!kernels::cpu_has_avx512_bf16()) GTEST_SKIP() << "this CPU has no AVX-512 BF16";
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      const std::int64_t m = 37, n = 150, k = 301;
      const auto a = test::random_floats(m * k, 21);
      const auto b = test::random_floats(k * n, 22);
      std::vector<float> fast(m * n), slow(m * n);
      kernels::gemm_bf16(ta, tb, m, n, k, 1.0f, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.0f,
                         fast.data(), n);
      kernels::gemm_bf16_portable(ta, tb, m, n, k, 1.0f, a.data(), ta ? m : k, b.data(), tb ? k : n,
                                  0.0f, slow.data(), n);
      ASSERT_EQ(0, std::memcmp(fast.data(), slow.data(), fast.size() * sizeof(float)))
          << "ta " << ta << " tb " << tb;
    }
}

TEST(GemmBf16, BitIdenticalAcrossThreadCounts) {
  test::ThreadGuard guard;
  const std::int64_t m = 300, n = 200, k = 129;
  const auto a = test::random_floats(m * k, 31);
  const auto b = test::random_floats(n * k, 32);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    ThreadPool::set_num_threads(threads);
    std::vector<float> c(m * n);
    kernels::gemm_bf16(false, true, m, n, k, 1.0f, a.data(), k, b.data(), k, 0.0f, c.data(), n);
    results.push_back(c);
  }
  for (std::size_t i = 1; i < results.size(); ++i)
    EXPECT_EQ(0, std::memcmp(results[0].data(), results[i].data(), results[0].size() * 4));
}

// The product stays within bf16's input rounding (2^-9 relative per factor) of f32.
TEST(GemmBf16, CloseToF32Product) {
  const std::int64_t m = 64, n = 96, k = 384;
  const auto a = test::random_floats(m * k, 41);
  const auto b = test::random_floats(k * n, 42);
  std::vector<float> lo(m * n), hi(m * n);
  kernels::gemm_bf16(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, lo.data(), n);
  kernels::gemm_ref(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, hi.data(), n);
  double err = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < lo.size(); ++i) {
    err += (lo[i] - hi[i]) * static_cast<double>(lo[i] - hi[i]);
    norm += hi[i] * static_cast<double>(hi[i]);
  }
  const double rel = std::sqrt(err / norm);
  EXPECT_LT(rel, 1e-2);
  EXPECT_GT(rel, 1e-5);  // and it really did round: an f32 product would be ~1e-7
}

TEST(GemmBf16, MatmulPrecisionRoutesGemm) {
  const std::int64_t m = 20, n = 30, k = 40;
  const auto a = test::random_floats(m * k, 51);
  const auto b = test::random_floats(k * n, 52);
  std::vector<float> f32(m * n), routed(m * n), bf16(m * n);
  kernels::gemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, f32.data(), n);
  kernels::gemm_bf16(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, bf16.data(), n);
  kernels::set_matmul_precision(kernels::MatmulPrecision::kBf16);
  kernels::gemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, routed.data(), n);
  const bool used_bf16 = kernels::effective_matmul_precision() == kernels::MatmulPrecision::kBf16;
  kernels::set_matmul_precision(kernels::MatmulPrecision::kF32);
  EXPECT_EQ(used_bf16, kernels::cpu_has_avx512_bf16());
  const auto& want = used_bf16 ? bf16 : f32;  // without the instruction bf16 falls back to f32
  EXPECT_EQ(0, std::memcmp(routed.data(), want.data(), want.size() * sizeof(float)));
  EXPECT_EQ(kernels::effective_matmul_precision(), kernels::MatmulPrecision::kF32);
}

}  // namespace
}  // namespace attn
