// layer_norm kernels: fast (row-parallel, block-reduced) against the double-
// accumulating reference over many shapes, hand-checked statistics, and
// bit-identical gradients for 1 and 3 threads.
#include "attn/kernels/layer_norm.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "test_util.h"

namespace attn::kernels {
namespace {

std::vector<float> norm_inputs(std::int64_t n, std::uint64_t seed, float lo = -2.0f,
                               float hi = 2.0f) {
  return test::random_floats(n, seed, lo, hi);
}

struct ThreadGuard {
  ~ThreadGuard() { ThreadPool::set_num_threads(ThreadPool::default_threads()); }
};

::testing::AssertionResult close(const std::vector<float>& a, const std::vector<float>& b,
                                 float tol) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << "size mismatch";
  const float e =
      test::max_rel_error(a.data(), b.data(), static_cast<std::int64_t>(a.size()), 1.0f);
  if (e <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "max rel error " << e << " > " << tol;
}

TEST(LayerNormKernel, HandComputedRow) {
  // x = [1, 2, 3, 4]: mean 2.5, biased var 1.25.
  const std::vector<float> x = {1, 2, 3, 4}, g = {1, 2, 1, 1}, b = {0, 0, 1, 0};
  std::vector<float> y(4), mean(1), rstd(1);
  layer_norm_forward(x.data(), g.data(), b.data(), 1e-5f, 1, 4, y.data(), mean.data(), rstd.data());
  const double rs = 1.0 / std::sqrt(1.25 + 1e-5);
  EXPECT_NEAR(mean[0], 2.5, 1e-6);
  EXPECT_NEAR(rstd[0], rs, 1e-6);
  EXPECT_NEAR(y[0], -1.5 * rs, 1e-6);
  EXPECT_NEAR(y[1], -0.5 * rs * 2, 1e-6);
  EXPECT_NEAR(y[2], 0.5 * rs + 1, 1e-6);
  EXPECT_NEAR(y[3], 1.5 * rs, 1e-6);
}

TEST(LayerNormKernel, FastMatchesRefOverShapes) {
  ThreadGuard guard;
  ThreadPool::set_num_threads(3);
  for (std::int64_t N : {0, 1, 3, 33, 65, 200})
    for (std::int64_t C : {1, 2, 7, 64, 129}) {
      for (bool affine : {true, false}) {
        const auto x = norm_inputs(N * C, N * 31 + C, -3.0f, 5.0f);
        const auto g = norm_inputs(C, 1), bt = norm_inputs(C, 2), dy = norm_inputs(N * C, 3);
        const float* gp = affine ? g.data() : nullptr;
        const float* bp = affine ? bt.data() : nullptr;
        std::vector<float> y0(x.size()), y1(x.size()), m0(N), m1(N), r0(N), r1(N);
        layer_norm_forward(x.data(), gp, bp, 1e-5f, N, C, y0.data(), m0.data(), r0.data());
        layer_norm_forward_ref(x.data(), gp, bp, 1e-5f, N, C, y1.data(), m1.data(), r1.data());
        // 1e-4, not 1e-5: with C = 2 two nearby values make (x - mean) tiny, and
        // the f32 rounding of the mean is then amplified by a large rstd.
        ASSERT_TRUE(close(y0, y1, 1e-4f)) << N << "x" << C;
        ASSERT_TRUE(close(m0, m1, 1e-5f));
        ASSERT_TRUE(close(r0, r1, 1e-5f));
        // Backward accumulates onto non-zero gradients.
        std::vector<float> dx0(x.size(), 0.5f), dx1(dx0), dg0(C, 0.25f), dg1(dg0), db0(C, -1.f),
            db1(db0);
        layer_norm_backward(dy.data(), x.data(), gp, m1.data(), r1.data(), N, C, dx0.data(),
                            dg0.data(), db0.data());
        layer_norm_backward_ref(dy.data(), x.data(), gp, m1.data(), r1.data(), N, C, dx1.data(),
                                dg1.data(), db1.data());
        ASSERT_TRUE(close(dx0, dx1, 1e-4f)) << N << "x" << C;
        ASSERT_TRUE(close(dg0, dg1, 1e-4f)) << N << "x" << C;
        ASSERT_TRUE(close(db0, db1, 1e-4f)) << N << "x" << C;
      }
    }
}

TEST(LayerNormKernel, BackwardOptionalOutputs) {
  const std::int64_t N = 5, C = 6;
  const auto x = norm_inputs(N * C, 4), g = norm_inputs(C, 5), dy = norm_inputs(N * C, 6);
  std::vector<float> y(N * C), m(N), r(N);
  layer_norm_forward_ref(x.data(), g.data(), nullptr, 1e-5f, N, C, y.data(), m.data(), r.data());
  std::vector<float> dx_all(N * C), dg_all(C), dx_only(N * C), dg_only(C);
  layer_norm_backward(dy.data(), x.data(), g.data(), m.data(), r.data(), N, C, dx_all.data(),
                      dg_all.data(), nullptr);
  layer_norm_backward(dy.data(), x.data(), g.data(), m.data(), r.data(), N, C, dx_only.data(),
                      nullptr, nullptr);
  layer_norm_backward(dy.data(), x.data(), g.data(), m.data(), r.data(), N, C, nullptr,
                      dg_only.data(), nullptr);
  EXPECT_EQ(dx_all, dx_only);
  EXPECT_EQ(dg_all, dg_only);
  // dx of a layer norm sums to zero over each row (the mean is removed).
  for (std::int64_t n = 0; n < N; ++n) {
    double s = 0;
    for (std::int64_t c = 0; c < C; ++c) s += dx_all[n * C + c];
    EXPECT_NEAR(s, 0.0, 1e-5);
  }
}

// accumulate_dx = false: dx written without reading it (NaN-filled here),
// equal bit for bit to adding into zeros; the reference likewise.
TEST(LayerNormKernel, BackwardOverwriteIgnoresOldDx) {
  const std::int64_t N = 7, C = 37;
  const auto x = norm_inputs(N * C, 7), g = norm_inputs(C, 8), dy = norm_inputs(N * C, 9);
  std::vector<float> y(N * C), m(N), r(N);
  layer_norm_forward(x.data(), g.data(), nullptr, 1e-5f, N, C, y.data(), m.data(), r.data());
  for (bool ref : {false, true}) {
    auto backward = ref ? layer_norm_backward_ref : layer_norm_backward;
    std::vector<float> added(N * C, 0.0f), written(N * C, std::nanf(""));
    backward(dy.data(), x.data(), g.data(), m.data(), r.data(), N, C, added.data(), nullptr,
             nullptr, true);
    backward(dy.data(), x.data(), g.data(), m.data(), r.data(), N, C, written.data(), nullptr,
             nullptr, false);
    EXPECT_EQ(std::memcmp(added.data(), written.data(), added.size() * sizeof(float)), 0) << ref;
  }
}

TEST(LayerNormKernel, GradientsBitIdenticalAcrossThreadCounts) {
  ThreadGuard guard;
  const std::int64_t N = 517, C = 48;
  const auto x = norm_inputs(N * C, 7), g = norm_inputs(C, 8), dy = norm_inputs(N * C, 9);
  std::vector<float> y(N * C), m(N), r(N);
  layer_norm_forward_ref(x.data(), g.data(), nullptr, 1e-5f, N, C, y.data(), m.data(), r.data());
  std::vector<float> dx[2], dg[2], db[2], yy[2];
  for (int k = 0; k < 2; ++k) {
    ThreadPool::set_num_threads(k == 0 ? 1 : 3);
    dx[k].assign(N * C, 0.0f);
    dg[k].assign(C, 0.0f);
    db[k].assign(C, 0.0f);
    yy[k].assign(N * C, 0.0f);
    std::vector<float> mm(N), rr(N);
    layer_norm_forward(x.data(), g.data(), nullptr, 1e-5f, N, C, yy[k].data(), mm.data(),
                       rr.data());
    layer_norm_backward(dy.data(), x.data(), g.data(), m.data(), r.data(), N, C, dx[k].data(),
                        dg[k].data(), db[k].data());
  }
  EXPECT_EQ(yy[0], yy[1]);
  EXPECT_EQ(dx[0], dx[1]);
  EXPECT_EQ(dg[0], dg[1]);
  EXPECT_EQ(db[0], db[1]);
}

}  // namespace
}  // namespace attn::kernels
