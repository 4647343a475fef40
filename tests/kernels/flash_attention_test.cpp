#include "attn/kernels/flash_attention.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "attn/core/thread_pool.h"
#include "kernels/attention_ref.h"
#include "test_util.h"

namespace attn {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

struct Inputs {
  kernels::AttentionDims d;
  std::vector<float> q, k, v, dout;
  Inputs(const kernels::AttentionDims& dims, std::uint64_t seed) : d(dims) {
    q = test::random_floats(d.batch * d.heads * d.tq * d.d, seed, -2.0f, 2.0f);
    k = test::random_floats(d.batch * d.heads * d.tk * d.d, seed + 1, -2.0f, 2.0f);
    v = test::random_floats(d.batch * d.heads * d.tk * d.dv, seed + 2);
    dout = test::random_floats(d.batch * d.heads * d.tq * d.dv, seed + 3);
  }
};

struct Result {
  std::vector<float> out, lse, dq, dk, dv;
};

Result run_flash(const Inputs& in, const kernels::AttentionMaskView& mask, float scale,
                 const kernels::AttentionDropout& drop) {
  const auto& d = in.d;
  Result r;
  r.out.resize(in.dout.size());
  r.lse.resize(static_cast<std::size_t>(d.batch * d.heads * d.tq));
  r.dq.assign(in.q.size(), 0.5f);  // backward accumulates into what is there
  r.dk.assign(in.k.size(), 0.0f);
  r.dv.assign(in.v.size(), 0.0f);
  kernels::flash_attention_forward(d, in.q.data(), in.k.data(), in.v.data(), mask, scale, drop,
                                   r.out.data(), r.lse.data());
  kernels::flash_attention_backward(d, in.q.data(), in.k.data(), in.v.data(), mask, scale, drop,
                                    r.out.data(), r.lse.data(), in.dout.data(), r.dq.data(),
                                    r.dk.data(), r.dv.data());
  return r;
}

// The naive kernels of attention.h, which keep the [Tq, Tk] probabilities.
Result run_naive(const Inputs& in, const kernels::AttentionMaskView& mask, float scale,
                 const kernels::AttentionDropout& drop) {
  const auto& d = in.d;
  Result r;
  std::vector<float> probs(static_cast<std::size_t>(d.batch * d.heads * d.tq * d.tk));
  r.out.resize(in.dout.size());
  r.dq.assign(in.q.size(), 0.5f);
  r.dk.assign(in.k.size(), 0.0f);
  r.dv.assign(in.v.size(), 0.0f);
  kernels::attention_forward(d, in.q.data(), in.k.data(), in.v.data(), mask, scale, drop,
                             probs.data(), r.out.data());
  kernels::attention_backward(d, in.q.data(), in.k.data(), in.v.data(), probs.data(), scale, drop,
                              in.dout.data(), r.dq.data(), r.dk.data(), r.dv.data());
  return r;
}

::testing::AssertionResult close(const std::vector<float>& got, const std::vector<float>& want) {
  const auto n = static_cast<std::int64_t>(got.size());
  return test::all_close_normwise(Tensor::from({n}, got), Tensor::from({n}, want));
}

// log Σ_j exp(score_ij) over allowed keys, in double, from the reference's own
// masking rules (attention_ref.h): -inf for a row with no allowed key.
double reference_lse(const Inputs& in, const kernels::AttentionMaskView& m, double scale,
                     std::int64_t b, std::int64_t h, std::int64_t i) {
  const auto& d = in.d;
  const std::int64_t bh = b * d.heads + h;
  double top = -kInf;
  std::vector<double> s(static_cast<std::size_t>(d.tk), -kInf);
  for (std::int64_t j = 0; j < d.tk; ++j) {
    const std::int64_t e = i * d.tk + j;
    if (m.allow && !m.allow[(m.allow_batched ? b * d.tq * d.tk : 0) + e]) continue;
    if (m.causal && j > i + (d.tk - d.tq)) continue;
    double dotp = 0.0;
    for (std::int64_t c = 0; c < d.d; ++c)
      dotp +=
          static_cast<double>(in.q[(bh * d.tq + i) * d.d + c]) * in.k[(bh * d.tk + j) * d.d + c];
    s[j] = scale * dotp + (m.bias ? m.bias[(m.bias_batched ? b * d.tq * d.tk : 0) + e] : 0.0);
    top = std::max(top, s[j]);
  }
  if (std::isinf(top)) return -kInf;
  double sum = 0.0;
  for (double x : s) sum += std::exp(x - top);
  return top + std::log(sum);
}

void expect_flash_matches_naive(const Inputs& in, const kernels::AttentionMaskView& mask,
                                float scale, const kernels::AttentionDropout& drop) {
  const Result want = run_naive(in, mask, scale, drop);
  const Result got = run_flash(in, mask, scale, drop);
  EXPECT_TRUE(close(got.out, want.out));
  EXPECT_TRUE(close(got.dq, want.dq));
  EXPECT_TRUE(close(got.dk, want.dk));
  EXPECT_TRUE(close(got.dv, want.dv));
  const auto& d = in.d;
  for (std::int64_t b = 0; b < d.batch; ++b)
    for (std::int64_t h = 0; h < d.heads; ++h)
      for (std::int64_t i = 0; i < d.tq; ++i) {
        const double lse = reference_lse(in, mask, scale, b, h, i);
        const float got_lse = got.lse[(b * d.heads + h) * d.tq + i];
        if (std::isinf(lse)) {
          EXPECT_EQ(got_lse, -kInf) << b << " " << h << " " << i;
        } else {
          EXPECT_NEAR(got_lse, lse, 1e-5 * std::max(1.0, std::abs(lse)))
              << b << " " << h << " " << i;
        }
      }
}

kernels::AttentionMaskView causal_mask() {
  kernels::AttentionMaskView m;
  m.causal = true;
  return m;
}

// Rows and keys that cross the 64-row and 64-key tile edges (150 = 64 + 64 + 22).
TEST(FlashAttention, CausalMatchesNaiveAcrossTileEdges) {
  expect_flash_matches_naive(Inputs({1, 2, 150, 150, 64, 64}, 1), causal_mask(), 0.125f, {});
}

TEST(FlashAttention, CausalWithDropoutMatchesNaive) {
  expect_flash_matches_naive(Inputs({1, 2, 150, 150, 64, 64}, 2), causal_mask(), 0.125f,
                             {0.2f, 7, 9});
}

TEST(FlashAttention, UnmaskedMatchesNaive) {
  expect_flash_matches_naive(Inputs({2, 2, 70, 131, 32, 32}, 3), {}, 0.2f, {});
}

// Key padding per batch element, a query row with no allowed key, a shared
// bias with -inf entries (one kills a whole row's only allowed key), dropout.
TEST(FlashAttention, AllowMaskBiasAndDropoutMatchNaive) {
  const kernels::AttentionDims d{2, 3, 70, 131, 16, 24};
  const Inputs in(d, 4);
  std::vector<std::uint8_t> allow(static_cast<std::size_t>(d.batch * d.tq * d.tk), 1);
  for (std::int64_t i = 0; i < d.tq; ++i)
    for (std::int64_t j = 100; j < d.tk; ++j) allow[(d.tq + i) * d.tk + j] = 0;  // batch 1 pads
  for (std::int64_t j = 0; j < d.tk; ++j) allow[5 * d.tk + j] = 0;  // batch 0, row 5: nothing
  for (std::int64_t j = 1; j < d.tk; ++j) allow[6 * d.tk + j] = 0;  // row 6: only key 0 ...
  std::vector<float> bias = test::random_floats(d.tq * d.tk, 5);
  bias[6 * d.tk + 0] = -kInf;  // ... whose bias is -inf
  bias[9 * d.tk + 70] = -kInf;
  const kernels::AttentionMaskView mask{allow.data(), true, bias.data(), false};
  expect_flash_matches_naive(in, mask, 0.25f, {0.1f, 3, 4});
  const Result got = run_flash(in, mask, 0.25f, {0.1f, 3, 4});
  for (std::int64_t h = 0; h < d.heads; ++h)
    for (std::int64_t row : {5, 6}) {
      for (std::int64_t c = 0; c < d.dv; ++c)
        EXPECT_EQ(got.out[(h * d.tq + row) * d.dv + c], 0.0f) << h << " " << row;
      EXPECT_EQ(got.lse[h * d.tq + row], -kInf);
    }
}

// Fewer queries than keys (a decoder continuing after a cache) and more
// queries than keys (the first rows see no key at all).
TEST(FlashAttention, CausalWithUnequalLengthsMatchesNaive) {
  expect_flash_matches_naive(Inputs({1, 2, 5, 130, 32, 32}, 6), causal_mask(), 0.2f, {});
  expect_flash_matches_naive(Inputs({1, 2, 130, 70, 32, 32}, 7), causal_mask(), 0.2f, {});
}

// Head sizes that are not a multiple of 16 (masked vector tails) and 128 (two
// column blocks in tile_gemm).
TEST(FlashAttention, OddAndWideHeadSizesMatchNaive) {
  for (std::int64_t dh : {5, 48, 96, 128}) {
    SCOPED_TRACE(dh);
    expect_flash_matches_naive(Inputs({1, 2, 67, 67, dh, dh}, 8), causal_mask(), 0.1f, {});
  }
}

TEST(FlashAttention, CausalFlagEqualsLowerTriangularAllowMaskBitForBit) {
  const kernels::AttentionDims d{1, 2, 100, 100, 32, 32};
  const Inputs in(d, 9);
  std::vector<std::uint8_t> tril(static_cast<std::size_t>(d.tq * d.tk));
  for (std::int64_t i = 0; i < d.tq; ++i)
    for (std::int64_t j = 0; j < d.tk; ++j) tril[i * d.tk + j] = j <= i;
  const kernels::AttentionMaskView allow{tril.data(), false, nullptr, false};
  const Result a = run_flash(in, causal_mask(), 0.2f, {0.1f, 1, 2});
  const Result b = run_flash(in, allow, 0.2f, {0.1f, 1, 2});
  for (auto [x, y] : {std::pair{&a.out, &b.out}, {&a.dq, &b.dq}, {&a.dk, &b.dk}, {&a.dv, &b.dv}})
    EXPECT_EQ(std::memcmp(x->data(), y->data(), x->size() * sizeof(float)), 0);
  const Result na = run_naive(in, causal_mask(), 0.2f, {0.1f, 1, 2});
  const Result nb = run_naive(in, allow, 0.2f, {0.1f, 1, 2});
  EXPECT_EQ(std::memcmp(na.out.data(), nb.out.data(), na.out.size() * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(na.dk.data(), nb.dk.data(), na.dk.size() * sizeof(float)), 0);
}

// Against the double-precision formula directly, not only the naive kernel.
TEST(FlashAttention, ForwardMatchesDoubleReference) {
  const Inputs in({2, 2, 90, 90, 16, 8}, 10);
  const Result got = run_flash(in, causal_mask(), 0.3f, {});
  const auto want = test::attention_reference(in.d, in.q.data(), in.k.data(), in.v.data(),
                                              causal_mask(), 0.3, [](std::int64_t) { return 1.0; });
  for (std::size_t i = 0; i < got.out.size(); ++i) EXPECT_NEAR(got.out[i], want.out[i], 2e-6) << i;
}

TEST(FlashAttention, BitIdenticalAcrossThreadCounts) {
  const Inputs in({2, 3, 130, 130, 32, 32}, 11);
  auto run = [&](int threads) {
    ThreadPool::set_num_threads(threads);
    Result r = run_flash(in, causal_mask(), 0.2f, {0.1f, 5, 6});
    std::vector<float> all = r.out;
    for (const auto* x : {&r.lse, &r.dq, &r.dk, &r.dv}) all.insert(all.end(), x->begin(), x->end());
    return all;
  };
  const auto one = run(1);
  const auto three = run(3);
  ThreadPool::set_num_threads(ThreadPool::default_threads());
  ASSERT_EQ(one.size(), three.size());
  EXPECT_EQ(std::memcmp(one.data(), three.data(), one.size() * sizeof(float)), 0);
}

// A NaN input shows in its row's output (training's NaN check then sees it); it
// is not taken for a row with no allowed key, whose output is 0.
TEST(FlashAttention, NanInQueryPropagatesToItsRow) {
  Inputs in({1, 1, 70, 70, 8, 8}, 13);
  in.q[5 * 8 + 3] = std::numeric_limits<float>::quiet_NaN();  // query row 5
  const Result got = run_flash(in, causal_mask(), 0.3f, {});
  EXPECT_TRUE(std::isnan(got.out[5 * 8]));
  EXPECT_TRUE(std::isnan(got.lse[5]));
  EXPECT_FALSE(std::isnan(got.out[4 * 8]));
}

// Only the gradients asked for are written.
TEST(FlashAttention, BackwardLeavesUnrequestedGradientsAlone) {
  const Inputs in({1, 1, 20, 20, 8, 8}, 12);
  Result r = run_flash(in, causal_mask(), 0.3f, {});
  std::vector<float> dk(in.k.size(), 0.0f);
  kernels::flash_attention_backward(in.d, in.q.data(), in.k.data(), in.v.data(), causal_mask(),
                                    0.3f, {}, r.out.data(), r.lse.data(), in.dout.data(), nullptr,
                                    dk.data(), nullptr);
  EXPECT_TRUE(close(dk, r.dk));
}

}  // namespace
}  // namespace attn
