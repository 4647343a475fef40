#include "attn/kernels/softmax.h"

#include <cmath>
#include <limits>
#include <vector>

#include "attn/core/rng.h"
#include "attn/kernels/reference_mode.h"
#include "test_util.h"

namespace attn {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// Softmax of one row in double: the value the f32 kernels approximate.
std::vector<double> softmax_double(const std::vector<double>& s) {
  double m = -std::numeric_limits<double>::infinity();
  for (double x : s) m = std::max(m, x);
  std::vector<double> y(s.size(), 0.0);
  if (std::isinf(m)) return y;
  double sum = 0.0;
  for (std::size_t j = 0; j < s.size(); ++j) sum += (y[j] = std::exp(s[j] - m));
  for (double& x : y) x /= sum;
  return y;
}

// Every size 0..40 plus larger ones, with the data one float past an aligned
// start so vector loads are misaligned too (gemma.cpp's ops_test sweep).
TEST(Softmax, FastMatchesReferenceForManySizes) {
  std::vector<std::int64_t> sizes;
  for (std::int64_t c = 0; c <= 40; ++c) sizes.push_back(c);
  for (std::int64_t c : {63, 64, 65, 127, 1000, 4099}) sizes.push_back(c);
  const std::int64_t rows = 3;
  for (std::int64_t c : sizes) {
    std::vector<float> x = test::random_floats(rows * c + 1, 100 + c, -20.0f, 20.0f);
    std::vector<float> fast(rows * c + 1), ref(rows * c + 1);
    kernels::softmax_forward(x.data() + 1, fast.data() + 1, rows, c);
    kernels::softmax_forward_ref(x.data() + 1, ref.data() + 1, rows, c);
    for (std::int64_t i = 0; i < rows * c; ++i)
      ASSERT_NEAR(fast[i + 1], ref[i + 1], 1e-6f + 2e-6f * ref[i + 1]) << "cols " << c;
    for (std::int64_t r = 0; r < rows && c > 0; ++r) {
      double sum = 0.0;
      for (std::int64_t j = 0; j < c; ++j) sum += fast[1 + r * c + j];
      EXPECT_NEAR(sum, 1.0, 1e-5) << "cols " << c;
    }
  }
}

TEST(Softmax, KnownValuesAndSumToOne) {
  // exp(k)/Σ: not the [1/6, 1/3, 1/2] the seed article claims.
  const float x[3] = {1, 2, 3};
  float y[3];
  kernels::softmax_forward(x, y, 1, 3);
  EXPECT_NEAR(y[0], 0.0900306f, 1e-6f);
  EXPECT_NEAR(y[1], 0.2447285f, 1e-6f);
  EXPECT_NEAR(y[2], 0.6652410f, 1e-6f);
  EXPECT_NEAR(y[0] + y[1] + y[2], 1.0f, 1e-6f);
}

TEST(Softmax, LargeInputsAreStableAndInPlaceWorks) {
  std::vector<float> x = {1000.0f, 1001.0f, -1000.0f, 88.0f};
  const std::vector<double> want = softmax_double({1000.0, 1001.0, -1000.0, 88.0});
  kernels::softmax_forward(x.data(), x.data(), 1, 4);  // in place
  for (int j = 0; j < 4; ++j) {
    ASSERT_TRUE(std::isfinite(x[j]));
    EXPECT_NEAR(x[j], want[j], 1e-6);
  }
}

TEST(Softmax, AllMinusInfinityRowGivesZeros) {
  const float x[3] = {-kInf, -kInf, -kInf};
  float y[3] = {5, 5, 5}, yr[3] = {5, 5, 5};
  kernels::softmax_forward(x, y, 1, 3);
  kernels::softmax_forward_ref(x, yr, 1, 3);
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(y[j], 0.0f);
    EXPECT_EQ(yr[j], 0.0f);
  }
}

TEST(MaskedSoftmax, MatchesDoubleReferenceWithMaskBiasAndScale) {
  const std::int64_t rows = 5, cols = 37;
  const float scale = 0.35f;
  std::vector<float> x = test::random_floats(rows * cols, 1, -4.0f, 4.0f);
  std::vector<float> bias = test::random_floats(rows * cols, 2, -1.0f, 1.0f);
  std::vector<std::uint8_t> allow(rows * cols);
  for (std::int64_t i = 0; i < rows * cols; ++i) allow[i] = (i * 7 % 5) != 0;
  for (std::int64_t j = 0; j < cols; ++j) allow[2 * cols + j] = 0;  // row 2 fully masked
  bias[3 * cols + 4] = -kInf;                                       // -inf acts as a mask
  allow[3 * cols + 4] = 1;
  std::vector<float> fast(rows * cols), ref(rows * cols);
  kernels::masked_softmax_forward(x.data(), allow.data(), bias.data(), scale, fast.data(), rows,
                                  cols);
  kernels::masked_softmax_forward_ref(x.data(), allow.data(), bias.data(), scale, ref.data(), rows,
                                      cols);
  for (std::int64_t i = 0; i < rows; ++i) {
    std::vector<double> s(cols);
    for (std::int64_t j = 0; j < cols; ++j) {
      const std::int64_t at = i * cols + j;
      s[j] = allow[at] ? static_cast<double>(scale) * x[at] + bias[at]
                       : -std::numeric_limits<double>::infinity();
    }
    const std::vector<double> want = softmax_double(s);
    for (std::int64_t j = 0; j < cols; ++j) {
      const std::int64_t at = i * cols + j;
      ASSERT_FALSE(std::isnan(fast[at]));
      EXPECT_NEAR(fast[at], want[j], 1e-6 + 2e-6 * want[j]) << i << "," << j;
      EXPECT_NEAR(ref[at], want[j], 1e-6 + 2e-6 * want[j]) << i << "," << j;
      if (!allow[at] || std::isinf(bias[at])) {
        EXPECT_EQ(fast[at], 0.0f);
      }
    }
  }
}

// A NaN score shows in its row's output (training's NaN check then sees it), also when
// every score of the row is NaN: std::max skips NaN, so such a row must not be taken for
// one with nothing to normalise over.
TEST(Softmax, NanScoreMakesItsRowNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float x[12] = {nan, nan, nan, nan, 1, nan, 3, 4, 1, 2, 3, 4};
  for (auto* fn : {&kernels::softmax_forward, &kernels::softmax_forward_ref}) {
    float y[12];
    fn(x, y, 3, 4);
    for (int j = 0; j < 8; ++j) EXPECT_TRUE(std::isnan(y[j])) << j;
    for (int j = 8; j < 12; ++j) EXPECT_FALSE(std::isnan(y[j])) << j;
  }
}

TEST(MaskedSoftmax, NanScoreOfAnAllowedKeyMakesItsRowNaNAndAMaskedOneIsIgnored) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float x[8] = {nan, nan, nan, nan, 1, nan, 3, 4};
  const std::uint8_t all[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  const std::uint8_t skip_nan[8] = {1, 1, 1, 1, 1, 0, 1, 1};
  for (auto* fn : {&kernels::masked_softmax_forward, &kernels::masked_softmax_forward_ref}) {
    float y[8];
    fn(x, all, nullptr, 0.5f, y, 2, 4);
    for (float v : y) EXPECT_TRUE(std::isnan(v));
    fn(x, skip_nan, nullptr, 0.5f, y, 2, 4);
    for (int j = 0; j < 4; ++j) EXPECT_TRUE(std::isnan(y[j])) << j;
    const float e1 = std::exp(0.5f), e3 = std::exp(1.5f), e4 = std::exp(2.0f);
    EXPECT_NEAR(y[4], e1 / (e1 + e3 + e4), 1e-6);
    EXPECT_EQ(y[5], 0.0f);
    EXPECT_NEAR(y[7], e4 / (e1 + e3 + e4), 1e-6);
  }
}

TEST(MaskedSoftmax, FullyMaskedRowIsZeroNotNaN) {
  const float x[4] = {1, 2, 3, 4};
  const std::uint8_t none[4] = {0, 0, 0, 0};
  const float all_inf[4] = {-kInf, -kInf, -kInf, -kInf};
  float y[4] = {7, 7, 7, 7};
  kernels::masked_softmax_forward(x, none, nullptr, 1.0f, y, 1, 4);
  for (float v : y) EXPECT_EQ(v, 0.0f);
  kernels::masked_softmax_forward(x, nullptr, all_inf, 1.0f, y, 1, 4);
  for (float v : y) EXPECT_EQ(v, 0.0f);
  float dx[4] = {0, 0, 0, 0};
  const float dy[4] = {1, -2, 3, 4};
  kernels::masked_softmax_backward(y, dy, 1.0f, dx, 1, 4);
  for (float v : dx) EXPECT_EQ(v, 0.0f);
}

// Gradient in double from the Jacobian y_j(δ_jk - y_k), against both kernels,
// which must also accumulate into dx rather than overwrite it.
TEST(MaskedSoftmax, BackwardMatchesJacobianAndAccumulates) {
  for (std::int64_t cols : {1, 2, 5, 17, 40, 300}) {
    const std::int64_t rows = 3;
    const float scale = 0.7f;
    std::vector<float> x = test::random_floats(rows * cols, 5 + cols, -3.0f, 3.0f);
    std::vector<float> dy = test::random_floats(rows * cols, 6 + cols, -1.0f, 1.0f);
    std::vector<float> y(rows * cols);
    kernels::masked_softmax_forward(x.data(), nullptr, nullptr, scale, y.data(), rows, cols);
    std::vector<float> dx(rows * cols, 0.5f), dxr(rows * cols, 0.5f);
    kernels::masked_softmax_backward(y.data(), dy.data(), scale, dx.data(), rows, cols);
    kernels::masked_softmax_backward_ref(y.data(), dy.data(), scale, dxr.data(), rows, cols);
    for (std::int64_t i = 0; i < rows; ++i)
      for (std::int64_t k = 0; k < cols; ++k) {
        double g = 0.0;
        for (std::int64_t j = 0; j < cols; ++j)
          g += static_cast<double>(dy[i * cols + j]) * y[i * cols + j] *
               ((j == k ? 1.0 : 0.0) - y[i * cols + k]);
        const double want = 0.5 + scale * g;
        EXPECT_NEAR(dx[i * cols + k], want, 1e-5) << cols;
        EXPECT_NEAR(dxr[i * cols + k], want, 1e-5) << cols;
      }
    std::vector<float> dxs(rows * cols, 0.5f);
    kernels::softmax_backward(y.data(), dy.data(), dxs.data(), rows, cols);
    for (std::int64_t i = 0; i < rows * cols; ++i)
      EXPECT_NEAR(dxs[i] - 0.5f, (dx[i] - 0.5f) / scale, 1e-5);
  }
}

TEST(Softmax, ReferenceModeRoutesToReference) {
  std::vector<float> x = test::random_floats(4 * 33, 9, -5.0f, 5.0f);
  std::vector<float> y(x.size()), yr(x.size());
  const bool was = kernels::use_reference_kernels();
  kernels::set_use_reference_kernels(true);
  kernels::softmax_forward(x.data(), y.data(), 4, 33);
  kernels::set_use_reference_kernels(was);
  kernels::softmax_forward_ref(x.data(), yr.data(), 4, 33);
  for (std::size_t i = 0; i < y.size(); ++i) EXPECT_EQ(y[i], yr[i]);
}

}  // namespace
}  // namespace attn
