// ops::split_heads, ops::merge_heads and ops::attention: values against a
// double-precision reference, finite-difference gradients under each mask
// kind, determinism across thread counts, and bad-input errors.
#include <cmath>
#include <cstring>
#include <limits>

#include "attn/autograd/ops.h"
#include "autograd/gradcheck.h"
#include "autograd/op_test_util.h"
#include "kernels/attention_ref.h"
#include "test_util.h"

namespace attn {
namespace {

using test::gradcheck;
using test::random_variable;
using test::throws_mentioning;
using test::weighted_sum;

constexpr std::int64_t B = 2, H = 2, Tq = 4, Tk = 5, D = 3, Dv = 2;

// u8 [B, Tq, Tk]: batch 1 pads its last two keys; batch 0's query 1 sees nothing.
Tensor padding_mask() {
  Tensor m = Tensor::zeros({B, Tq, Tk}, DType::u8);
  auto* a = m.data_as<std::uint8_t>();
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t i = 0; i < Tq; ++i)
      for (std::int64_t j = 0; j < Tk; ++j) a[(b * Tq + i) * Tk + j] = !(b == 1 && j >= Tk - 2);
  for (std::int64_t j = 0; j < Tk; ++j) a[1 * Tk + j] = 0;
  return m;
}

// u8 [Tq, Tk], query i may see keys j <= i.
Tensor causal_mask() {
  Tensor m = Tensor::zeros({Tq, Tk}, DType::u8);
  for (std::int64_t i = 0; i < Tq; ++i)
    for (std::int64_t j = 0; j < Tk; ++j) m.data_as<std::uint8_t>()[i * Tk + j] = j <= i;
  return m;
}

// f32 [B, Tq, Tk] with a -inf entry and a row that is -inf throughout.
Tensor bias_mask() {
  Tensor m = random_variable({B, Tq, Tk}, 77).value();
  const float inf = std::numeric_limits<float>::infinity();
  m.data()[3] = -inf;
  for (std::int64_t j = 0; j < Tk; ++j) m.data()[(1 * Tq + 2) * Tk + j] = -inf;
  return m;
}

kernels::AttentionMaskView view(const ops::AttentionMask& m) {
  kernels::AttentionMaskView v;
  v.causal = m.causal;
  if (m.allow.defined()) {
    v.allow = m.allow.data_as<std::uint8_t>();
    v.allow_batched = m.allow.rank() == 3;
  }
  if (m.bias.defined()) {
    v.bias = m.bias.data();
    v.bias_batched = m.bias.rank() == 3;
  }
  return v;
}

TEST(SplitMergeHeads, ValuesRoundTripAndGradients) {
  Variable x = random_variable({2, 3, 6}, 1);
  Context ctx;
  Variable s = ops::split_heads(ctx, x, 3);
  ASSERT_EQ(s.shape(), (Shape{2, 3, 3, 2}));
  // s[b, h, t, d] = x[b, t, h*2 + d]
  EXPECT_EQ(s.value().data()[((1 * 3 + 2) * 3 + 1) * 2 + 1], x.value().data()[(1 * 3 + 1) * 6 + 5]);
  Variable back = ops::merge_heads(ctx, s);
  EXPECT_TRUE(test::all_close(back.value(), x.value(), 0.0f));
  EXPECT_FALSE(s.requires_grad());  // no tape: nothing recorded
  EXPECT_TRUE(gradcheck(
      [](Context& c, const std::vector<Variable>& in) {
        return weighted_sum(c, ops::split_heads(c, in[0], 3));
      },
      {x}));
  EXPECT_TRUE(gradcheck(
      [](Context& c, const std::vector<Variable>& in) {
        return weighted_sum(c, ops::merge_heads(c, in[0]));
      },
      {random_variable({2, 3, 4, 2}, 2)}));
}

TEST(SplitMergeHeads, BadInputsThrowWithShapes) {
  Context ctx;
  EXPECT_TRUE(throws_mentioning(
      [&] {
        ops::split_heads(ctx, random_variable({2, 3, 7}, 1), 2);
      },
      {"split_heads", "[2, 3, 7]", "heads = 2"}));
  EXPECT_TRUE(throws_mentioning(
      [&] {
        ops::merge_heads(ctx, random_variable({2, 3, 7}, 1));
      },
      {"merge_heads", "[2, 3, 7]"}));
}

TEST(Attention, ForwardMatchesDoubleReferenceForEachMaskKind) {
  const std::vector<ops::AttentionMask> masks = {{},
                                                 {padding_mask(), {}},
                                                 {causal_mask(), {}},
                                                 {{}, bias_mask()},
                                                 {causal_mask(), bias_mask()},
                                                 {{}, {}, true},
                                                 {padding_mask(), bias_mask(), true}};
  Variable q = random_variable({B, H, Tq, D}, 1), k = random_variable({B, H, Tk, D}, 2),
           v = random_variable({B, H, Tk, Dv}, 3);
  const kernels::AttentionDims dims{B, H, Tq, Tk, D, Dv};
  for (std::size_t m = 0; m < masks.size(); ++m) {
    Context ctx;
    Tensor probs;
    Variable y = ops::attention(ctx, q, k, v, masks[m], 0.6f, 0.0f, &probs);
    ASSERT_EQ(y.shape(), (Shape{B, H, Tq, Dv}));
    ASSERT_EQ(probs.shape(), (Shape{B, H, Tq, Tk}));
    const auto want =
        test::attention_reference(dims, q.value().data(), k.value().data(), v.value().data(),
                                  view(masks[m]), 0.6, [](std::int64_t) { return 1.0; });
    for (std::int64_t i = 0; i < y.value().numel(); ++i) {
      ASSERT_FALSE(std::isnan(y.value().data()[i])) << "mask " << m;
      EXPECT_NEAR(y.value().data()[i], want.out[i], 1e-6) << "mask " << m << " at " << i;
    }
    for (std::int64_t i = 0; i < probs.numel(); ++i)
      EXPECT_NEAR(probs.data()[i], want.probs[i], 1e-6) << "mask " << m << " at " << i;
  }
}

// Gradients w.r.t. q, k and v by finite differences, once per mask kind; the
// padding and bias masks each contain a query row with no allowed key.
TEST(Attention, GradientsMatchFiniteDifferences) {
  const std::vector<std::pair<const char*, ops::AttentionMask>> masks = {
      {"padding", {padding_mask(), {}}},
      {"causal", {causal_mask(), {}}},
      {"bias", {{}, bias_mask()}},
      {"causal+bias", {causal_mask(), bias_mask()}},
      {"causal flag", {{}, {}, true}},
      {"padding+bias+causal flag", {padding_mask(), bias_mask(), true}}};
  for (const auto& [name, mask] : masks) {
    auto f = [mask = mask](Context& c, const std::vector<Variable>& in) {
      return weighted_sum(c, ops::attention(c, in[0], in[1], in[2], mask, 0.7f, 0.0f));
    };
    EXPECT_TRUE(
        gradcheck(f, {random_variable({B, H, Tq, D}, 11), random_variable({B, H, Tk, D}, 12),
                      random_variable({B, H, Tk, Dv}, 13)}))
        << name;
  }
}

// Without probs_out the flash kernels run; with it, the naive ones that keep
// the probabilities. Both give the same output and gradients, dropout included.
TEST(Attention, FlashPathMatchesProbabilityPath) {
  const ops::AttentionMask mask{padding_mask(), bias_mask(), true};
  auto run = [&](bool want_probs) {
    Rng rng(7);
    Tape tape;
    Context ctx{&tape, true, &rng};
    Variable q = random_variable({B, H, Tq, D}, 21), k = random_variable({B, H, Tk, D}, 22),
             v = random_variable({B, H, Tk, Dv}, 23);
    Tensor probs;
    Variable y = ops::attention(ctx, q, k, v, mask, 0.6f, 0.25f, want_probs ? &probs : nullptr);
    tape.backward(weighted_sum(ctx, y));
    return std::vector<Tensor>{y.value(), q.grad(), k.grad(), v.grad()};
  };
  const auto flash = run(false), naive = run(true);
  for (std::size_t i = 0; i < flash.size(); ++i)
    EXPECT_TRUE(test::all_close_normwise(flash[i], naive[i])) << i;
}

TEST(Attention, OnlyInputsThatRequireGradGetOne) {
  Tape tape;
  Context ctx{&tape, false, nullptr};
  Variable q = random_variable({B, H, Tq, D}, 1);
  Variable k(random_variable({B, H, Tk, D}, 2).value(), false);
  Variable v(random_variable({B, H, Tk, Dv}, 3).value(), false);
  Variable y = ops::attention(ctx, q, k, v, {causal_mask(), {}}, 0.5f, 0.0f);
  EXPECT_TRUE(y.requires_grad());
  tape.backward(weighted_sum(ctx, y));
  EXPECT_TRUE(q.has_grad());
  EXPECT_FALSE(k.has_grad());
  EXPECT_FALSE(v.has_grad());

  Context no_tape;
  EXPECT_FALSE(ops::attention(no_tape, q, k, v, {}, 0.5f, 0.0f).requires_grad());
}

// Dropout on, training: one thread and three threads give the same bits for
// the output and every gradient.
TEST(Attention, DropoutIsBitIdenticalAcrossThreadCounts) {
  test::ThreadCountGuard guard;
  auto run = [](int threads) {
    ThreadPool::set_num_threads(threads);
    Rng rng(42);
    Tape tape;
    Context ctx{&tape, true, &rng};
    Variable q = random_variable({3, 4, 7, 8}, 1), k = random_variable({3, 4, 9, 8}, 2),
             v = random_variable({3, 4, 9, 5}, 3);
    Variable y = ops::attention(ctx, q, k, v, {}, 0.35f, 0.3f);
    tape.backward(weighted_sum(ctx, y));
    std::vector<float> all = y.value().to_vector();
    for (const Variable* x : {&q, &k, &v}) {
      const auto g = x->grad().to_vector();
      all.insert(all.end(), g.begin(), g.end());
    }
    return all;
  };
  const auto one = run(1);
  const auto three = run(3);
  ASSERT_EQ(one.size(), three.size());
  EXPECT_EQ(std::memcmp(one.data(), three.data(), one.size() * sizeof(float)), 0);
}

TEST(Attention, DropoutOnlyWhenTrainingAndNeedsRng) {
  Variable q = random_variable({B, H, Tq, D}, 1), k = random_variable({B, H, Tk, D}, 2),
           v = random_variable({B, H, Tk, Dv}, 3);
  Context eval;
  const Tensor plain = ops::attention(eval, q, k, v, {}, 0.5f, 0.0f).value();
  EXPECT_TRUE(test::all_close(ops::attention(eval, q, k, v, {}, 0.5f, 0.5f).value(), plain, 0.0f));
  Rng rng(1);
  Context train{nullptr, true, &rng};
  const Tensor dropped = ops::attention(train, q, k, v, {}, 0.5f, 0.5f).value();
  EXPECT_FALSE(test::all_close(dropped, plain, 1e-3f));
  Context no_rng{nullptr, true, nullptr};
  EXPECT_TRUE(throws_mentioning([&] { ops::attention(no_rng, q, k, v, {}, 0.5f, 0.5f); },
                                {"attention", "rng"}));
}

TEST(Attention, BadInputsThrowWithShapes) {
  Context ctx;
  Variable q = random_variable({B, H, Tq, D}, 1), k = random_variable({B, H, Tk, D}, 2),
           v = random_variable({B, H, Tk, Dv}, 3);
  Variable k_bad = random_variable({B, H, Tk, D + 1}, 4);
  EXPECT_TRUE(throws_mentioning([&] { ops::attention(ctx, q, k_bad, v, {}, 1.0f, 0.0f); },
                                {"attention", "[2, 2, 4, 3]", "[2, 2, 5, 4]", "[2, 2, 5, 2]"}));
  const ops::AttentionMask bad_allow{Tensor::zeros({Tk, Tq}, DType::u8), {}};
  EXPECT_TRUE(throws_mentioning([&] { ops::attention(ctx, q, k, v, bad_allow, 1.0f, 0.0f); },
                                {"mask allow", "[4, 5]", "[2, 4, 5]", "[5, 4]"}));
  const ops::AttentionMask f32_allow{Tensor::zeros({Tq, Tk}), {}};
  EXPECT_TRUE(throws_mentioning([&] { ops::attention(ctx, q, k, v, f32_allow, 1.0f, 0.0f); },
                                {"mask allow", "U8", "F32"}));
  const ops::AttentionMask bad_bias{{}, Tensor::zeros({3, Tq, Tk})};
  EXPECT_TRUE(throws_mentioning([&] { ops::attention(ctx, q, k, v, bad_bias, 1.0f, 0.0f); },
                                {"mask bias", "[3, 4, 5]"}));
  EXPECT_TRUE(throws_mentioning([&] { ops::attention(ctx, q, k, v, {}, 1.0f, 1.0f); },
                                {"dropout", "[0, 1)"}));
}

}  // namespace
}  // namespace attn
