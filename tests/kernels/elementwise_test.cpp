// Elementwise kernels: values against double-precision formulas, derivatives
// against central differences, fast == ref bit for bit across sizes and
// thread counts, and dropout's keep rate, scaling and determinism.
#include "attn/kernels/elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "attn/kernels/attention_dropout.h"
#include "attn/kernels/dropout_bits.h"
#include "attn/kernels/vec_math.h"
#include "test_util.h"

namespace attn::kernels {
namespace {

std::vector<float> elementwise_inputs(std::int64_t n, std::uint64_t seed, float lo = -4.0f,
                                      float hi = 4.0f) {
  return test::random_floats(n, seed, lo, hi);
}

struct ThreadGuard {
  ~ThreadGuard() { ThreadPool::set_num_threads(ThreadPool::default_threads()); }
};

// Double references in the cancellation-free forms (1 + erf(z) = erfc(-z),
// 1 + tanh(u) = 2 / (1 + exp(-2u))), so they stay exact in the far negative tail.
double gelu_erf_d(double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }
double gelu_tanh_d(double x) {
  const double u = std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x);
  return x / (1.0 + std::exp(-2.0 * u));
}

// Sizes around the pool's split point (grain 16384) and tiny edge cases.
const std::int64_t kSizes[] = {0, 1, 2, 17, 16384, 16385, 50001};

TEST(GeluKernel, ForwardMatchesDoubleFormulas) {
  const auto x = elementwise_inputs(1001, 1);
  std::vector<float> ye(x.size()), yt(x.size());
  gelu_forward_ref(GeluForm::erf, x.data(), ye.data(), 1001);
  gelu_forward_ref(GeluForm::tanh, x.data(), yt.data(), 1001);
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(ye[i], gelu_erf_d(x[i]), 2e-6 * (1 + std::fabs(x[i]))) << x[i];
    EXPECT_NEAR(yt[i], gelu_tanh_d(x[i]), 2e-6 * (1 + std::fabs(x[i]))) << x[i];
  }
  // The two forms differ (by up to ~5e-4), so a mixed-up switch would show.
  EXPECT_GT(std::fabs(gelu_erf_d(1.5) - gelu_tanh_d(1.5)), 1e-5);
}

TEST(GeluKernel, NegativeTailKeepsRelativeAccuracy) {
  // 1 + erf(x/√2) computed directly would cancel to 0 (or garbage) here.
  std::vector<float> x;
  for (float v = -9.0f; v <= -2.0f; v += 0.25f) x.push_back(v);
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<float> ye(x.size()), yt(x.size());
  gelu_forward_ref(GeluForm::erf, x.data(), ye.data(), n);
  gelu_forward_ref(GeluForm::tanh, x.data(), yt.data(), n);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double we = gelu_erf_d(x[i]), wt = gelu_tanh_d(x[i]);
    EXPECT_LE(std::fabs(ye[i] - we), 2e-5 * std::fabs(we)) << x[i];
    EXPECT_LE(std::fabs(yt[i] - wt), 2e-5 * std::fabs(wt)) << x[i];
  }
}

TEST(GeluKernel, VectorisedErfcKeepsRelativeAccuracy) {
  // erfc_nonneg against double erfc from 0 into the tail where it reaches 1e-37.
  double worst = 0;
  for (float z = 0.0f; z <= 9.0f; z += 1.0f / 64) {
    const double want = std::erfc(static_cast<double>(z));
    worst = std::max(worst, std::fabs(erfc_nonneg(z) - want) / want);
  }
  EXPECT_LT(worst, 2e-6);
  EXPECT_EQ(erfc_nonneg(20.0f), 0.0f);  // under FLT_MIN: flushed, never NaN
  EXPECT_EQ(erfc_nonneg(std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_TRUE(std::isnan(erfc_nonneg(std::nanf(""))));
  EXPECT_TRUE(std::isnan(exp_nonpos(std::nanf(""))));
  EXPECT_EQ(exp_nonpos(-std::numeric_limits<float>::infinity()), 0.0f);
}

TEST(GeluKernel, FastErfFormHandlesHugeInfiniteAndNaNInputs) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x{inf, 1e20f, -1e20f, 30.0f, -30.0f, 0.0f, -0.0f, std::nanf("")};
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<float> y(x.size()), dx(x.size(), 0.0f), dy(x.size(), 1.0f);
  gelu_forward(GeluForm::erf, x.data(), y.data(), n);
  gelu_backward(GeluForm::erf, x.data(), dy.data(), dx.data(), n);
  EXPECT_EQ(y[0], inf);
  EXPECT_EQ(y[1], 1e20f);
  EXPECT_EQ(y[2], 0.0f);
  EXPECT_EQ(y[3], 30.0f);
  EXPECT_EQ(y[4], 0.0f);
  EXPECT_EQ(y[5], 0.0f);
  EXPECT_EQ(y[6], 0.0f);
  EXPECT_TRUE(std::isnan(y[7]));
  for (int i : {0, 1, 3}) EXPECT_EQ(dx[i], 1.0f) << x[i];  // gelu' -> 1
  for (int i : {2, 4}) EXPECT_EQ(dx[i], 0.0f) << x[i];     // gelu' -> 0
  EXPECT_NEAR(dx[5], 0.5f, 1e-6f);                         // gelu'(0) = Φ(0)
  EXPECT_TRUE(std::isnan(dx[7]));
}

TEST(GeluKernel, FastErfFormKeepsTheNegativeTailAndIsThreadIndependent) {
  ThreadGuard guard;
  std::vector<float> x;
  for (float v = -9.0f; v <= 9.0f; v += 0.125f) x.push_back(v);
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<float> y1(x.size()), y3(x.size());
  ThreadPool::set_num_threads(1);
  gelu_forward(GeluForm::erf, x.data(), y1.data(), n);
  ThreadPool::set_num_threads(3);
  gelu_forward(GeluForm::erf, x.data(), y3.data(), n);
  EXPECT_EQ(y1, y3);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double want = gelu_erf_d(x[i]);
    EXPECT_LE(std::fabs(y1[i] - want), 2e-6 * std::fabs(want) + 1e-30) << x[i];
  }
}

TEST(GeluKernel, BackwardMatchesCentralDifferenceAndAccumulates) {
  const auto x = elementwise_inputs(513, 2);
  for (GeluForm form : {GeluForm::erf, GeluForm::tanh}) {
    auto f = form == GeluForm::erf ? gelu_erf_d : gelu_tanh_d;
    std::vector<float> dy(x.size(), 2.0f), dx(x.size(), 0.25f);
    gelu_backward_ref(form, x.data(), dy.data(), dx.data(), 513);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double h = 1e-5, d = (f(x[i] + h) - f(x[i] - h)) / (2 * h);
      EXPECT_NEAR(dx[i], 0.25 + 2.0 * d, 1e-5) << x[i];
    }
  }
}

TEST(ActivationKernels, FastMatchesRefAcrossSizesAndThreads) {
  ThreadGuard guard;
  for (int threads : {1, 3}) {
    ThreadPool::set_num_threads(threads);
    for (std::int64_t n : kSizes) {
      const auto x = elementwise_inputs(n, 3 + n), dy = elementwise_inputs(n, 4 + n);
      std::vector<float> a(x.size()), b(x.size());
      // tanh: the same formula; erf: the vectorised erfc (vec_math.h) against libm's.
      for (GeluForm form : {GeluForm::erf, GeluForm::tanh}) {
        const bool approx = form == GeluForm::erf;
        gelu_forward(form, x.data(), a.data(), n);
        gelu_forward_ref(form, x.data(), b.data(), n);
        for (std::size_t i = 0; i < a.size(); ++i)
          EXPECT_NEAR(a[i], b[i], approx ? 2e-6f * (std::fabs(b[i]) + 1e-6f) : 0.0f) << x[i];
        std::fill(a.begin(), a.end(), 1.0f);
        std::fill(b.begin(), b.end(), 1.0f);
        gelu_backward(form, x.data(), dy.data(), a.data(), n);
        gelu_backward_ref(form, x.data(), dy.data(), b.data(), n);
        for (std::size_t i = 0; i < a.size(); ++i)
          EXPECT_NEAR(a[i], b[i], approx ? 4e-6f * (std::fabs(b[i]) + 1.0f) : 0.0f) << x[i];
      }
      relu_forward(x.data(), a.data(), n);
      relu_forward_ref(x.data(), b.data(), n);
      EXPECT_EQ(a, b);
      relu_backward(x.data(), dy.data(), a.data(), n);
      relu_backward_ref(x.data(), dy.data(), b.data(), n);
      EXPECT_EQ(a, b);
      sigmoid_forward(x.data(), a.data(), n);
      sigmoid_forward_ref(x.data(), b.data(), n);
      EXPECT_EQ(a, b);
      sigmoid_backward(x.data(), dy.data(), a.data(), n);
      sigmoid_backward_ref(x.data(), dy.data(), b.data(), n);
      EXPECT_EQ(a, b);
    }
  }
}

TEST(ActivationKernels, ReluAndSigmoidValues) {
  const std::vector<float> x = {-2.0f, 0.0f, 3.0f, -100.0f, 100.0f};
  std::vector<float> y(5), dx(5, 1.0f);
  const std::vector<float> dy(5, 0.5f);
  relu_forward_ref(x.data(), y.data(), 5);
  EXPECT_EQ(y, (std::vector<float>{0, 0, 3, 0, 100}));
  relu_backward_ref(x.data(), dy.data(), dx.data(), 5);  // accumulates onto 1
  EXPECT_EQ(dx, (std::vector<float>{1, 1, 1.5f, 1, 1.5f}));
  sigmoid_forward_ref(x.data(), y.data(), 5);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(std::isfinite(y[i]));
    EXPECT_NEAR(y[i], 1.0 / (1.0 + std::exp(-static_cast<double>(x[i]))), 1e-7);
  }
  std::fill(dx.begin(), dx.end(), 0.0f);
  sigmoid_backward_ref(y.data(), dy.data(), dx.data(), 5);
  EXPECT_NEAR(dx[1], 0.5 * 0.25, 1e-7);
}

TEST(DropoutKernel, KeepRateScalingAndBackward) {
  const std::int64_t n = 200000;
  for (float p : {0.1f, 0.5f, 0.9f}) {
    std::vector<std::uint8_t> keep(n);
    dropout_mask(11, 22, p, keep.data(), n);
    std::int64_t kept = 0;
    for (auto k : keep) kept += k;
    EXPECT_NEAR(static_cast<double>(kept) / n, 1.0 - p, 0.01) << p;
    const std::vector<float> x(n, 2.0f);
    std::vector<float> y(n), dx(n, 1.0f);
    dropout_forward(11, 22, p, x.data(), y.data(), n);
    dropout_backward(11, 22, p, x.data(), dx.data(), n);  // dy = 2 onto dx = 1
    const float s = 1.0f / (1.0f - p);
    for (std::int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(y[i], keep[i] ? 2.0f * s : 0.0f) << i;
      ASSERT_EQ(dx[i], keep[i] ? 1.0f + 2.0f * s : 1.0f) << i;
    }
  }
}

TEST(DropoutKernel, DeterministicAcrossThreadCountsAndKeyed) {
  ThreadGuard guard;
  const std::int64_t n = 70001;
  std::vector<std::uint8_t> ref(n), one(n), three(n), other(n);
  dropout_mask_ref(5, 9, 0.3f, ref.data(), n);
  ThreadPool::set_num_threads(1);
  dropout_mask(5, 9, 0.3f, one.data(), n);
  ThreadPool::set_num_threads(3);
  dropout_mask(5, 9, 0.3f, three.data(), n);
  EXPECT_EQ(one, ref);
  EXPECT_EQ(three, ref);
  dropout_mask(5, 10, 0.3f, other.data(), n);
  EXPECT_NE(other, ref);  // a new key is a new mask
  // Element i depends only on (seed, key, i): a sub-range agrees with the whole.
  for (std::int64_t i : {0, 1, 40000, 70000})
    EXPECT_EQ(dropout_keep(5, 9, static_cast<std::uint64_t>(i), 0.3f), ref[i] == 1);
}

// The kernels test the hash's integer bits against dropout_threshold(p) a chunk
// at a time; dropout_keep is the definition (a float test on bits_to_unit). They
// agree on every element, across chunk borders, for rates that are exact
// multiples of 2^-24 (0.25), just above one, and at both ends.
TEST(DropoutKernel, ChunkedMaskEqualsDropoutKeepEverywhere) {
  ThreadGuard guard;
  ThreadPool::set_num_threads(2);
  const std::int64_t n = 40000;
  for (float p : {0.0f, 1e-7f, 0.1f, 0.25f, std::nextafter(0.25f, 1.0f), 0.5f, 0.999f, 1.0f}) {
    std::vector<std::uint8_t> keep(n);
    dropout_mask(3, 4, p, keep.data(), n);
    for (std::int64_t i = 0; i < n; ++i)
      ASSERT_EQ(keep[i] == 1, dropout_keep(3, 4, static_cast<std::uint64_t>(i), p))
          << p << " " << i;
    if (p == 0.0f) {
      EXPECT_EQ(std::count(keep.begin(), keep.end(), 0), 0);
    }
    if (p == 1.0f) {
      EXPECT_EQ(std::count(keep.begin(), keep.end(), 1), 0);
    }
  }
}

// The threshold is the first 24-bit integer whose float test passes: for each
// rate, t - 1 fails dropout_keep's float test and t passes it.
TEST(DropoutKernel, ThresholdIsTheFirstKeptInteger) {
  for (float p : {1e-7f, 0.1f, 0.25f, std::nextafter(0.25f, 1.0f), 0.5f, 0.999f}) {
    const std::uint32_t t = dropout_threshold(p);
    ASSERT_GT(t, 0u);
    EXPECT_LT(bits_to_unit(static_cast<std::uint64_t>(t - 1) << 40), p) << p;
    EXPECT_GE(bits_to_unit(static_cast<std::uint64_t>(t) << 40), p) << p;
  }
  EXPECT_EQ(dropout_threshold(0.25f), 4194304u);  // 0.25 · 2^24, exact
  EXPECT_EQ(dropout_threshold(0.0f), 0u);         // keep all
  EXPECT_EQ(dropout_threshold(1.0f), 16777216u);  // above every 24-bit value: drop all
  EXPECT_EQ(dropout_threshold(std::numeric_limits<float>::quiet_NaN()), 16777216u);
}

// An element whose 24 hash bits equal the threshold exactly is kept (the test is
// >=), by every dropout kernel; one step higher it is dropped.
TEST(DropoutKernel, ElementExactlyAtTheThresholdIsKept) {
  const std::uint64_t seed = 21, key = 8;
  const std::int64_t n = 300, at = 257;  // in the second chunk of the fast kernels
  const auto bits = static_cast<std::uint32_t>(counter_hash(seed, key, at) >> 40);
  ASSERT_GT(bits, 0u);
  ASSERT_LT(bits, 16777215u);
  for (const std::uint32_t b : {bits, bits + 1}) {
    const float p = static_cast<float>(b) / 16777216.0f;  // exact
    const bool kept = b == bits;
    ASSERT_EQ(dropout_keep(seed, key, at, p), kept);
    std::vector<std::uint8_t> keep(n);
    dropout_mask(seed, key, p, keep.data(), n);
    EXPECT_EQ(keep[at] == 1, kept);
    const std::vector<float> x(n, 1.0f);
    std::vector<float> y(n), dx(n, 0.5f), f(n);
    dropout_forward(seed, key, p, x.data(), y.data(), n);
    EXPECT_EQ(y[at] != 0.0f, kept);
    dropout_backward(seed, key, p, x.data(), dx.data(), n, true);
    EXPECT_EQ(dx[at] != 0.5f, kept);
    dropout_factors(AttentionDropout{p, seed, key}, 0, n, f.data());
    EXPECT_EQ(f[at] != 0.0f, kept);
  }
}

// The fast backward and its reference give the same bits when adding onto a
// gradient (one fused multiply-add each), for any values.
TEST(DropoutKernel, BackwardAccumulateEqualsReferenceBitForBit) {
  ThreadGuard guard;
  ThreadPool::set_num_threads(2);
  const std::int64_t n = 50001;
  const auto dy = elementwise_inputs(n, 31), dx0 = elementwise_inputs(n, 32);
  for (bool accumulate : {false, true}) {
    auto fast = dx0, ref = dx0;
    dropout_backward(4, 5, 0.3f, dy.data(), fast.data(), n, accumulate);
    dropout_backward_ref(4, 5, 0.3f, dy.data(), ref.data(), n, accumulate);
    EXPECT_EQ(std::memcmp(fast.data(), ref.data(), n * sizeof(float)), 0) << accumulate;
  }
}

TEST(HelperKernels, FastMatchesRefAndValues) {
  ThreadGuard guard;
  ThreadPool::set_num_threads(3);
  for (std::int64_t n : kSizes) {
    const auto a = elementwise_inputs(n, 7), b = elementwise_inputs(n, 8);
    std::vector<float> y0(a.size()), y1(a.size());
    add(a.data(), b.data(), y0.data(), n);
    add_ref(a.data(), b.data(), y1.data(), n);
    EXPECT_EQ(y0, y1);
    for (std::int64_t i = 0; i < n; ++i) ASSERT_EQ(y0[i], a[i] + b[i]);
    axpy(n, -0.5f, a.data(), y0.data());
    axpy_ref(n, -0.5f, a.data(), y1.data());
    EXPECT_EQ(y0, y1);
    scale(n, 3.0f, a.data(), y0.data());
    scale_ref(n, 3.0f, a.data(), y1.data());
    EXPECT_EQ(y0, y1);
    for (std::int64_t i = 0; i < n; ++i) ASSERT_EQ(y0[i], 3.0f * a[i]);
  }
}

TEST(HelperKernels, RowVectorAndSumRows) {
  ThreadGuard guard;
  // Hand-computed: x [2,3] + [10,20,30]; column sums of x onto [1,1,1].
  const std::vector<float> x = {1, 2, 3, 4, 5, 6}, row = {10, 20, 30};
  std::vector<float> y(6), s(3, 1.0f);
  add_row_vector(2, 3, x.data(), row.data(), y.data());
  EXPECT_EQ(y, (std::vector<float>{11, 22, 33, 14, 25, 36}));
  sum_rows(2, 3, x.data(), s.data());
  EXPECT_EQ(s, (std::vector<float>{6, 8, 10}));
  for (int threads : {1, 3}) {
    ThreadPool::set_num_threads(threads);
    for (std::int64_t rows : {0, 1, 5, 300})
      for (std::int64_t cols : {0, 1, 7, 129}) {
        const auto m = elementwise_inputs(rows * cols, rows * 1000 + cols);
        const auto r = elementwise_inputs(cols, 3);
        std::vector<float> a(m.size()), b(m.size()), sa(r), sb(r);
        add_row_vector(rows, cols, m.data(), r.data(), a.data());
        add_row_vector_ref(rows, cols, m.data(), r.data(), b.data());
        EXPECT_EQ(a, b);
        sum_rows(rows, cols, m.data(), sa.data());
        sum_rows_ref(rows, cols, m.data(), sb.data());
        EXPECT_EQ(sa, sb) << rows << "x" << cols;
      }
  }
}

// accumulate = false writes dy * f'(x) without reading dx (a fresh gradient
// buffer, here filled with NaN): equal bit for bit to adding into zeros.
TEST(BackwardKernels, OverwriteIgnoresOldContentsAndEqualsAddingToZeros) {
  const std::int64_t n = 1000;
  const std::vector<float> x = attn::test::random_floats(n, 31, -4.0f, 4.0f);
  const std::vector<float> dy = attn::test::random_floats(n, 32);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  using Kernel = std::function<void(float*, bool)>;
  const std::vector<std::pair<const char*, Kernel>> kernels = {
      {"gelu erf",
       [&](float* dx, bool acc) { gelu_backward(GeluForm::erf, x.data(), dy.data(), dx, n, acc); }},
      {"gelu erf ref",
       [&](float* dx, bool acc) {
         gelu_backward_ref(GeluForm::erf, x.data(), dy.data(), dx, n, acc);
       }},
      {"gelu tanh",
       [&](float* dx, bool acc) {
         gelu_backward(GeluForm::tanh, x.data(), dy.data(), dx, n, acc);
       }},
      {"relu", [&](float* dx, bool acc) { relu_backward(x.data(), dy.data(), dx, n, acc); }},
      {"relu ref",
       [&](float* dx, bool acc) { relu_backward_ref(x.data(), dy.data(), dx, n, acc); }},
      {"dropout",
       [&](float* dx, bool acc) { dropout_backward(5, 6, 0.3f, dy.data(), dx, n, acc); }},
      {"dropout ref",
       [&](float* dx, bool acc) { dropout_backward_ref(5, 6, 0.3f, dy.data(), dx, n, acc); }},
  };
  for (const auto& [name, kernel] : kernels) {
    std::vector<float> added(n, 0.0f), written(n, nan);
    kernel(added.data(), true);
    kernel(written.data(), false);
    EXPECT_EQ(std::memcmp(added.data(), written.data(), n * sizeof(float)), 0) << name;
  }
}

}  // namespace
}  // namespace attn::kernels
