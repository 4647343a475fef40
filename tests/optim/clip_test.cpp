// Gradient clipping by global norm: the returned norm, the scaling, skipped
// parameters, non-finite norms, and thread-count independence of the sum.
#include "attn/optim/clip.h"

#include "attn/core/thread_pool.h"
#include "optim_test_helpers.h"

namespace attn::optim_test {
namespace {

using optim::ParamRef;

std::vector<ParamRef> three_four_twelve() {
  ParamRef a = make_param("a", {2}, {0.0f, 0.0f}), b = make_param("b", {1}, {0.0f});
  ParamRef no_grad = make_param("c", {2}, {100.0f, 100.0f});
  set_grad(a, {3.0f, 4.0f});
  set_grad(b, {12.0f});
  return {a, no_grad, b};  // norm sqrt(9 + 16 + 144) = 13; c has no gradient
}

TEST(Clip, NormAndNoScalingBelowMax) {
  auto ps = three_four_twelve();
  EXPECT_EQ(optim::global_grad_norm(ps), 13.0f);
  EXPECT_EQ(optim::clip_grad_norm(ps, 26.0f), 13.0f);
  EXPECT_EQ(ps[0].var.grad().to_vector(), (std::vector<float>{3.0f, 4.0f}));
  EXPECT_EQ(ps[2].var.grad().to_vector(), (std::vector<float>{12.0f}));
  EXPECT_FALSE(ps[1].var.has_grad());
}

TEST(Clip, ScalesToMaxNorm) {
  auto ps = three_four_twelve();
  EXPECT_EQ(optim::clip_grad_norm(ps, 6.5f), 13.0f);        // returns the norm before clipping
  const float c = static_cast<float>(6.5 / (13.0 + 1e-6));  // torch's coefficient
  EXPECT_EQ(ps[0].var.grad().to_vector(), (std::vector<float>{3.0f * c, 4.0f * c}));
  EXPECT_EQ(ps[2].var.grad().to_vector(), (std::vector<float>{12.0f * c}));
  EXPECT_NEAR(optim::global_grad_norm(ps), 6.5f, 1e-5f);
  EXPECT_FALSE(ps[1].var.has_grad());
}

TEST(Clip, NonFiniteNormIsReturnedUnscaled) {
  for (float bad : {NAN, INFINITY}) {
    ParamRef a = make_param("a", {3}, {0.0f, 0.0f, 0.0f});
    set_grad(a, {1.0f, bad, 2.0f});
    const float n = optim::clip_grad_norm({a}, 1.0f);
    EXPECT_FALSE(std::isfinite(n));
    EXPECT_EQ(a.var.grad().data()[0], 1.0f);
    EXPECT_EQ(a.var.grad().data()[2], 2.0f);
  }
}

TEST(Clip, BadMaxNormThrows) {
  auto ps = three_four_twelve();
  EXPECT_THROW(optim::clip_grad_norm(ps, 0.0f), Error);
  EXPECT_THROW(optim::clip_grad_norm(ps, -1.0f), Error);
  EXPECT_THROW(optim::clip_grad_norm(ps, NAN), Error);
}

TEST(Clip, LargeNormIsDeterministicAcrossThreads) {
  const std::size_t n = 300007;  // several summation blocks
  std::vector<float> g(n);
  double want = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    g[i] = static_cast<float>(std::sin(0.001 * static_cast<double>(i)) * 1e-2);
    want += static_cast<double>(g[i]) * g[i];
  }
  ParamRef a = make_param("a", {static_cast<std::int64_t>(n)}, std::vector<float>(n, 0.0f));
  set_grad(a, g);
  const int before = ThreadPool::global().size();
  std::vector<float> norms;
  for (int threads : {1, 2, 5}) {
    ThreadPool::set_num_threads(threads);
    norms.push_back(optim::global_grad_norm({a}));
  }
  ThreadPool::set_num_threads(before);
  EXPECT_EQ(norms[0], norms[1]);
  EXPECT_EQ(norms[0], norms[2]);
  EXPECT_FLOAT_EQ(norms[0], static_cast<float>(std::sqrt(want)));
}

}  // namespace
}  // namespace attn::optim_test
