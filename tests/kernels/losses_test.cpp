#include "attn/kernels/losses.h"

#include <cmath>
#include <vector>

#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "test_util.h"

namespace attn {
namespace {

// -t·log σ(x) - (1-t)·log(1-σ(x)) in long double, the textbook form.
double bce_textbook(const std::vector<float>& x, const std::vector<float>& t) {
  long double sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double p = 1.0L / (1.0L + std::exp(-static_cast<long double>(x[i])));
    sum += -(t[i] * std::log(p) + (1.0L - t[i]) * std::log(1.0L - p));
  }
  return static_cast<double>(sum / x.size());
}

TEST(BceWithLogits, MatchesTextbookFormAndReference) {
  const auto x = test::random_floats(50, 1, -8.0f, 8.0f);
  auto t = test::random_floats(50, 2, 0.0f, 1.0f);
  t[0] = 0.0f;
  t[1] = 1.0f;
  const double want = bce_textbook(x, t);
  EXPECT_NEAR(kernels::bce_with_logits_forward(x.data(), t.data(), 50), want, 1e-6 * want);
  EXPECT_NEAR(kernels::bce_with_logits_forward_ref(x.data(), t.data(), 50), want, 1e-6 * want);
}

TEST(BceWithLogits, ExtremeLogitsStayFinite) {
  const std::vector<float> x = {100.0f, -100.0f, 100.0f, -100.0f};
  const std::vector<float> t = {1.0f, 0.0f, 0.0f, 1.0f};
  const float loss = kernels::bce_with_logits_forward(x.data(), t.data(), 4);
  EXPECT_NEAR(loss, 50.0f, 1e-4f);  // two perfect (0) + two confidently wrong (100)
  std::vector<float> dx(4, 0.0f);
  kernels::bce_with_logits_backward(x.data(), t.data(), 4, 1.0f, dx.data());
  EXPECT_NEAR(dx[0], 0.0f, 1e-7f);
  EXPECT_NEAR(dx[2], 0.25f, 1e-7f);
  EXPECT_NEAR(dx[3], -0.25f, 1e-7f);
}

TEST(BceWithLogits, BackwardMatchesFiniteDifferencesAndAccumulates) {
  auto x = test::random_floats(7, 3, -3.0f, 3.0f);
  const auto t = test::random_floats(7, 4, 0.0f, 1.0f);
  std::vector<float> dx(7, 1.0f);
  kernels::bce_with_logits_backward(x.data(), t.data(), 7, 2.0f, dx.data());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float saved = x[i];
    x[i] = saved + 1e-2f;
    const double up = kernels::bce_with_logits_forward_ref(x.data(), t.data(), 7);
    x[i] = saved - 1e-2f;
    const double down = kernels::bce_with_logits_forward_ref(x.data(), t.data(), 7);
    x[i] = saved;
    EXPECT_NEAR(dx[i] - 1.0f, 2.0 * (up - down) / 2e-2, 1e-4) << i;
  }
}

// PyTorch: (1-ε)·nll + ε·mean_c(-log p_c), averaged over non-ignored rows.
double ce_textbook(const std::vector<float>& z, const std::vector<std::int32_t>& t, int v,
                   double eps, int ignore) {
  double total = 0;
  int count = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == ignore) continue;
    double sum = 0;
    for (int c = 0; c < v; ++c) sum += std::exp(static_cast<double>(z[i * v + c]));
    double smooth = 0;
    for (int c = 0; c < v; ++c) smooth += -std::log(std::exp(z[i * v + c]) / sum);
    total += (1 - eps) * -std::log(std::exp(z[i * v + t[i]]) / sum) + eps * smooth / v;
    ++count;
  }
  return count ? total / count : 0.0;
}

TEST(CrossEntropy, MatchesTextbookWithSmoothingAndIgnore) {
  const int n = 6, v = 5;
  const auto z = test::random_floats(n * v, 5, -4.0f, 4.0f);
  const std::vector<std::int32_t> t = {0, 4, -100, 2, -100, 1};
  for (float eps : {0.0f, 0.1f, 1.0f}) {
    const double want = ce_textbook(z, t, v, eps, -100);
    std::vector<float> lse(n);
    EXPECT_NEAR(kernels::cross_entropy_forward(z.data(), t.data(), n, v, eps, -100, lse.data()),
                want, 1e-6 * want)
        << eps;
    EXPECT_NEAR(kernels::cross_entropy_forward_ref(z.data(), t.data(), n, v, eps, -100), want,
                1e-6 * want);
  }
}

TEST(CrossEntropy, AllIgnoredIsZeroWithNoGradient) {
  const std::vector<float> z = {1, 2, 3, 4, 5, 6};
  const std::vector<std::int32_t> t = {7, 7};
  std::vector<float> lse(2), dz(6, 0.0f);
  const float loss = kernels::cross_entropy_forward(z.data(), t.data(), 2, 3, 0.1f, 7, lse.data());
  EXPECT_EQ(loss, 0.0f);
  kernels::cross_entropy_backward(z.data(), t.data(), 2, 3, 0.1f, 7, lse.data(), 1.0f, dz.data());
  for (float g : dz) EXPECT_EQ(g, 0.0f);
}

TEST(CrossEntropy, LargeLogitsStayFinite) {
  const std::vector<float> z = {1000.0f, 0.0f, -1000.0f};
  const std::vector<std::int32_t> t = {2};
  const float loss = kernels::cross_entropy_forward(z.data(), t.data(), 1, 3, 0.0f, -100, nullptr);
  EXPECT_NEAR(loss, 2000.0f, 1e-2f);
}

TEST(CrossEntropy, BackwardMatchesFiniteDifferences) {
  const int n = 4, v = 6;
  auto z = test::random_floats(n * v, 6, -2.0f, 2.0f);
  const std::vector<std::int32_t> t = {3, -1, 0, 5};
  const float eps = 0.2f;
  std::vector<float> lse(n), dz(n * v, 0.0f);
  kernels::cross_entropy_forward(z.data(), t.data(), n, v, eps, -1, lse.data());
  kernels::cross_entropy_backward(z.data(), t.data(), n, v, eps, -1, lse.data(), 1.5f, dz.data());
  for (int i = 0; i < n * v; ++i) {
    const float saved = z[i];
    z[i] = saved + 1e-2f;
    const double up = ce_textbook(z, t, v, eps, -1);
    z[i] = saved - 1e-2f;
    const double down = ce_textbook(z, t, v, eps, -1);
    z[i] = saved;
    EXPECT_NEAR(dz[i], 1.5 * (up - down) / 2e-2, 1e-4) << i;
  }
  for (int c = 0; c < v; ++c) EXPECT_EQ(dz[1 * v + c], 0.0f);  // ignored row
}

// Vocabulary-sized rows take the vectorised path (16 partial sums, exp_nonpos) and
// the row-parallel split: the loss matches the double reference, the gradient
// matches p - onehot in double, and both are bit-identical for 1, 2 and 3 threads.
TEST(CrossEntropy, WideRowsMatchReferenceForAnyThreadCount) {
  test::ThreadGuard guard;
  for (const std::int64_t v : {37, 8002}) {
    const std::int64_t n = 70;
    const auto z = test::random_floats(n * v, 7, -6.0f, 6.0f);
    std::vector<std::int32_t> t(n);
    for (std::int64_t i = 0; i < n; ++i) t[i] = static_cast<std::int32_t>((i * 7919) % v);
    t[3] = -100;
    std::vector<float> first_dz;
    float first_loss = 0.0f;
    for (int threads : {1, 2, 3}) {
      ThreadPool::set_num_threads(threads);
      std::vector<float> lse(n), dz(n * v, 0.0f);
      const float loss =
          kernels::cross_entropy_forward(z.data(), t.data(), n, v, 0.1f, -100, lse.data());
      kernels::cross_entropy_backward(z.data(), t.data(), n, v, 0.1f, -100, lse.data(), 1.0f,
                                      dz.data());
      if (threads == 1) {
        EXPECT_NEAR(loss, kernels::cross_entropy_forward_ref(z.data(), t.data(), n, v, 0.1f, -100),
                    2e-6 * std::fabs(loss));
        for (std::int64_t i = 0; i < n; i += 9) {  // spot rows against the double softmax
          if (t[i] == -100) continue;
          double m = z[i * v], sum = 0.0;
          for (std::int64_t c = 0; c < v; ++c) m = std::max(m, static_cast<double>(z[i * v + c]));
          for (std::int64_t c = 0; c < v; ++c) sum += std::exp(z[i * v + c] - m);
          for (std::int64_t c = 0; c < v; c += 13) {
            const double p = std::exp(z[i * v + c] - m) / sum;
            const double want = (p - 0.1 / v - (c == t[i] ? 0.9 : 0.0)) / (n - 1);
            ASSERT_NEAR(dz[i * v + c], want, 1e-6 * std::fabs(want) + 1e-10) << i << "," << c;
          }
        }
        first_loss = loss;
        first_dz = dz;
      } else {
        EXPECT_EQ(loss, first_loss) << threads;
        EXPECT_EQ(dz, first_dz) << threads;
      }
    }
  }
}

TEST(CrossEntropy, NanLogitMakesTheLossNan) {
  const std::int64_t v = 40;
  auto z = test::random_floats(2 * v, 8, -1.0f, 1.0f);
  z[v + 21] = std::nanf("");
  const std::vector<std::int32_t> t = {1, 2};
  EXPECT_TRUE(
      std::isnan(kernels::cross_entropy_forward(z.data(), t.data(), 2, v, 0.0f, -100, nullptr)));
}

}  // namespace
}  // namespace attn
