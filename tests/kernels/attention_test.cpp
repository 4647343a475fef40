#include "attn/kernels/attention.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "kernels/attention_ref.h"
#include "test_util.h"

namespace attn {
namespace {

double no_dropout(std::int64_t) { return 1.0; }

struct Case {
  kernels::AttentionDims d;
  std::vector<float> q, k, v;
  std::vector<std::uint8_t> allow;  // [B, Tq, Tk]: key padding + one fully masked row
  std::vector<float> bias;          // [Tq, Tk] with a -inf entry
  // dims.batch >= 2 and tq >= 3: the masks below pad batch 1 and blank row 2 of batch 0.
  explicit Case(kernels::AttentionDims dims = {2, 3, 5, 6, 4, 3}) : d(dims) {
    q = test::random_floats(d.batch * d.heads * d.tq * d.d, 1);
    k = test::random_floats(d.batch * d.heads * d.tk * d.d, 2);
    v = test::random_floats(d.batch * d.heads * d.tk * d.dv, 3);
    allow.assign(static_cast<std::size_t>(d.batch * d.tq * d.tk), 1);
    for (std::int64_t i = 0; i < d.tq; ++i) allow[(d.tq + i) * d.tk + d.tk - 1] = 0;  // pad b=1
    for (std::int64_t j = 0; j < d.tk; ++j) allow[2 * d.tk + j] = 0;  // b=0, row 2 sees nothing
    bias = test::random_floats(d.tq * d.tk, 4);
    bias[1 * d.tk + 3] = -std::numeric_limits<float>::infinity();
  }
  kernels::AttentionMaskView mask() const { return {allow.data(), true, bias.data(), false}; }
  std::int64_t probs_size() const { return d.batch * d.heads * d.tq * d.tk; }
  std::int64_t out_size() const { return d.batch * d.heads * d.tq * d.dv; }
};

void expect_forward_matches_reference(const Case& c) {
  const float scale = 0.5f;
  std::vector<float> probs(c.probs_size()), out(c.out_size());
  kernels::attention_forward(c.d, c.q.data(), c.k.data(), c.v.data(), c.mask(), scale, {},
                             probs.data(), out.data());
  const auto want = test::attention_reference(c.d, c.q.data(), c.k.data(), c.v.data(), c.mask(),
                                              scale, no_dropout);
  for (std::int64_t i = 0; i < c.probs_size(); ++i) {
    ASSERT_FALSE(std::isnan(probs[i]));
    EXPECT_NEAR(probs[i], want.probs[i], 1e-6) << i;
  }
  for (std::int64_t i = 0; i < c.out_size(); ++i) EXPECT_NEAR(out[i], want.out[i], 1e-6) << i;
  // b=0, every head, query row 2 had no allowed key: zero output.
  for (std::int64_t h = 0; h < c.d.heads; ++h)
    for (std::int64_t j = 0; j < c.d.dv; ++j) EXPECT_EQ(out[(h * c.d.tq + 2) * c.d.dv + j], 0.0f);
}

TEST(AttentionKernel, ForwardMatchesDoubleReferenceWithMaskAndBias) {
  expect_forward_matches_reference(Case());
}

// Head sizes 16/32/48/64/96/128 take the kernel's fixed-width register paths.
TEST(AttentionKernel, ForwardMatchesReferenceOnFixedWidthHeadSizes) {
  for (std::int64_t dh : {16, 32, 48, 64, 96, 128}) {
    SCOPED_TRACE(dh);
    expect_forward_matches_reference(Case({2, 2, 5, 6, dh, dh}));
  }
}

// A NaN query shows in its row's output, as in the flash kernel; the other rows are finite.
TEST(AttentionKernel, NanInQueryPropagatesToItsRow) {
  Case c;
  c.q[1 * c.d.d + 2] = std::numeric_limits<float>::quiet_NaN();  // b=0, h=0, query row 1
  std::vector<float> probs(c.probs_size()), out(c.out_size());
  kernels::attention_forward(c.d, c.q.data(), c.k.data(), c.v.data(), c.mask(), 0.5f, {},
                             probs.data(), out.data());
  for (std::int64_t j = 0; j < c.d.dv; ++j) {
    EXPECT_TRUE(std::isnan(out[1 * c.d.dv + j])) << j;
    EXPECT_FALSE(std::isnan(out[0 * c.d.dv + j])) << j;
  }
  EXPECT_FALSE(std::isnan(out[c.d.tq * c.d.dv]));  // head 1, query row 0
}

TEST(AttentionKernel, SharedAllowMaskBroadcastsOverBatch) {
  Case c;
  std::vector<std::uint8_t> causal(c.d.tq * c.d.tk);
  for (std::int64_t i = 0; i < c.d.tq; ++i)
    for (std::int64_t j = 0; j < c.d.tk; ++j) causal[i * c.d.tk + j] = j <= i;
  const kernels::AttentionMaskView m{causal.data(), false, nullptr, false};
  std::vector<float> probs(c.probs_size()), out(c.out_size());
  kernels::attention_forward(c.d, c.q.data(), c.k.data(), c.v.data(), m, 0.25f, {}, probs.data(),
                             out.data());
  const auto want =
      test::attention_reference(c.d, c.q.data(), c.k.data(), c.v.data(), m, 0.25, no_dropout);
  for (std::int64_t i = 0; i < c.out_size(); ++i) EXPECT_NEAR(out[i], want.out[i], 1e-6) << i;
  EXPECT_EQ(probs[1], 0.0f);  // query 0 may not see key 1
}

TEST(AttentionKernel, DropoutUsesCounterHashAndInvertedScaling) {
  Case c;
  const kernels::AttentionDropout drop{0.4f, 11, 22};
  std::vector<float> probs(c.probs_size()), out(c.out_size());
  kernels::attention_forward(c.d, c.q.data(), c.k.data(), c.v.data(), c.mask(), 0.5f, drop,
                             probs.data(), out.data());
  std::int64_t dropped = 0;
  auto factor = [&](std::int64_t e) {
    const bool keep = bits_to_unit(counter_hash(11, 22, static_cast<std::uint64_t>(e))) >= 0.4f;
    dropped += !keep;
    return keep ? 1.0 / 0.6 : 0.0;
  };
  const auto want =
      test::attention_reference(c.d, c.q.data(), c.k.data(), c.v.data(), c.mask(), 0.5, factor);
  EXPECT_GT(dropped, 0);
  for (std::int64_t i = 0; i < c.out_size(); ++i) EXPECT_NEAR(out[i], want.out[i], 1e-5) << i;
  // probs are saved before dropout.
  for (std::int64_t i = 0; i < c.probs_size(); ++i) EXPECT_NEAR(probs[i], want.probs[i], 1e-6);
}

// L = Σ out·w, differentiated by central differences of the double reference.
void expect_backward_matches_finite_differences(Case c) {
  const float scale = 0.5f;
  const kernels::AttentionDropout drop{0.3f, 5, 6};
  auto factor = [&](std::int64_t e) {
    return bits_to_unit(counter_hash(5, 6, static_cast<std::uint64_t>(e))) >= 0.3f ? 1.0 / 0.7
                                                                                   : 0.0;
  };
  const std::vector<float> w = test::random_floats(c.out_size(), 9);
  std::vector<float> probs(c.probs_size()), out(c.out_size());
  kernels::attention_forward(c.d, c.q.data(), c.k.data(), c.v.data(), c.mask(), scale, drop,
                             probs.data(), out.data());
  std::vector<float> dq(c.q.size(), 0.25f), dk(c.k.size(), 0.0f), dv(c.v.size(), 0.0f);
  kernels::attention_backward(c.d, c.q.data(), c.k.data(), c.v.data(), probs.data(), scale, drop,
                              w.data(), dq.data(), dk.data(), dv.data());
  auto loss = [&]() {
    const auto r =
        test::attention_reference(c.d, c.q.data(), c.k.data(), c.v.data(), c.mask(), scale, factor);
    double s = 0.0;
    for (std::int64_t i = 0; i < c.out_size(); ++i) s += r.out[i] * w[i];
    return s;
  };
  auto check = [&](std::vector<float>& x, const std::vector<float>& g, double base,
                   const char* name) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float saved = x[i];
      const float h = 1e-3f;
      x[i] = saved + h;
      const double up = loss();
      x[i] = saved - h;
      const double down = loss();
      x[i] = saved;
      const double numeric = (up - down) / (static_cast<double>(saved + h) - (saved - h));
      EXPECT_NEAR(g[i] - base, numeric, 2e-4) << name << " " << i;
    }
  };
  check(c.q, dq, 0.25, "dq");  // dq started at 0.25: backward accumulates
  check(c.k, dk, 0.0, "dk");
  check(c.v, dv, 0.0, "dv");
}

TEST(AttentionKernel, BackwardMatchesFiniteDifferencesWithDropout) {
  expect_backward_matches_finite_differences(Case());
}

TEST(AttentionKernel, BackwardMatchesFiniteDifferencesOnFixedWidthHeadSizes) {
  for (std::int64_t dh : {16, 32, 48}) {
    SCOPED_TRACE(dh);
    expect_backward_matches_finite_differences(Case({2, 2, 4, 5, dh, dh}));
  }
}

TEST(AttentionKernel, BitIdenticalAcrossThreadCounts) {
  kernels::AttentionDims d{3, 4, 9, 11, 8, 5};
  const auto q = test::random_floats(d.batch * d.heads * d.tq * d.d, 1);
  const auto k = test::random_floats(d.batch * d.heads * d.tk * d.d, 2);
  const auto v = test::random_floats(d.batch * d.heads * d.tk * d.dv, 3);
  const auto g = test::random_floats(d.batch * d.heads * d.tq * d.dv, 4);
  const kernels::AttentionDropout drop{0.2f, 3, 4};
  auto run = [&](int threads) {
    ThreadPool::set_num_threads(threads);
    std::vector<float> probs(d.batch * d.heads * d.tq * d.tk), out(g.size());
    std::vector<float> dq(q.size()), dk(k.size()), dv(v.size());
    kernels::attention_forward(d, q.data(), k.data(), v.data(), {}, 0.3f, drop, probs.data(),
                               out.data());
    kernels::attention_backward(d, q.data(), k.data(), v.data(), probs.data(), 0.3f, drop, g.data(),
                                dq.data(), dk.data(), dv.data());
    out.insert(out.end(), dq.begin(), dq.end());
    out.insert(out.end(), dk.begin(), dk.end());
    out.insert(out.end(), dv.begin(), dv.end());
    return out;
  };
  const auto one = run(1);
  const auto three = run(3);
  ThreadPool::set_num_threads(ThreadPool::default_threads());
  ASSERT_EQ(one.size(), three.size());
  EXPECT_EQ(std::memcmp(one.data(), three.data(), one.size() * sizeof(float)), 0);
}

}  // namespace
}  // namespace attn

namespace attn {
namespace {

// The fast kernels against their scalar twins (attention_ref.cpp), on the register
// paths and an odd head size, with masks, a fully masked row and dropout.
TEST(AttentionKernel, FastMatchesScalarReference) {
  for (std::int64_t dh : {5, 16, 32, 48, 64, 96}) {
    SCOPED_TRACE(dh);
    Case c({2, 2, 5, 6, dh, dh});
    const kernels::AttentionDropout drop{0.25f, 11, 12};
    std::vector<float> p1(c.probs_size()), o1(c.out_size()), p2(c.probs_size()), o2(c.out_size());
    kernels::attention_forward(c.d, c.q.data(), c.k.data(), c.v.data(), c.mask(), 0.4f, drop,
                               p1.data(), o1.data());
    kernels::attention_forward_ref(c.d, c.q.data(), c.k.data(), c.v.data(), c.mask(), 0.4f, drop,
                                   p2.data(), o2.data());
    const Tensor tp1 = Tensor::from({c.probs_size()}, p1), tp2 = Tensor::from({c.probs_size()}, p2);
    const Tensor to1 = Tensor::from({c.out_size()}, o1), to2 = Tensor::from({c.out_size()}, o2);
    EXPECT_TRUE(test::all_close_normwise(tp1, tp2));
    EXPECT_TRUE(test::all_close_normwise(to1, to2));
    const std::vector<float> dout = test::random_floats(c.out_size(), 21);
    std::vector<float> dq1(c.q.size()), dk1(c.k.size()), dv1(c.v.size());
    std::vector<float> dq2(c.q.size()), dk2(c.k.size()), dv2(c.v.size());
    kernels::attention_backward(c.d, c.q.data(), c.k.data(), c.v.data(), p1.data(), 0.4f, drop,
                                dout.data(), dq1.data(), dk1.data(), dv1.data());
    kernels::attention_backward_ref(c.d, c.q.data(), c.k.data(), c.v.data(), p1.data(), 0.4f, drop,
                                    dout.data(), dq2.data(), dk2.data(), dv2.data());
    for (auto [a, b] : {std::pair{&dq1, &dq2}, {&dk1, &dk2}, {&dv1, &dv2}}) {
      const auto n = static_cast<std::int64_t>(a->size());
      EXPECT_TRUE(test::all_close_normwise(Tensor::from({n}, *a), Tensor::from({n}, *b)));
    }
  }
}

}  // namespace
}  // namespace attn
