// Elementwise autograd ops: forward values against double formulas,
// finite-difference gradients, dropout semantics, and shape errors.
#include <cmath>
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/op_test_util.h"
#include "test_util.h"

namespace attn {
namespace {

using test::gradcheck;
using test::random_variable;
using test::weighted_sum;

// Random values with |x| >= 0.2, so a finite-difference step never crosses
// ReLU's kink at 0.
Variable away_from_zero(const Shape& s, std::uint64_t seed) {
  Variable v = random_variable(s, seed);
  float* p = v.value().data();
  for (std::int64_t i = 0; i < v.value().numel(); ++i) p[i] += p[i] >= 0 ? 0.2f : -0.2f;
  return v;
}

TEST(Add, ValuesGradcheckAndSelfAdd) {
  Variable a = random_variable({2, 3}, 1), b = random_variable({2, 3}, 2);
  Context infer;
  Variable y = ops::add(infer, a, b);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y.value().data()[i], a.value().data()[i] + b.value().data()[i]);
  auto f = [](Context& ctx, const std::vector<Variable>& v) {
    return weighted_sum(ctx, ops::add(ctx, v[0], v[1]));
  };
  EXPECT_TRUE(gradcheck(f, {a, b}));
  // x + x: both terms accumulate into the one gradient.
  a.clear_grad();  // gradcheck left its own gradient behind
  Tape tape;
  Context ctx{&tape, false, nullptr};
  tape.backward(test::dot_loss(ctx, ops::add(ctx, a, a), Tensor::full({2, 3}, 1.5f)));
  for (float g : a.grad().to_vector()) EXPECT_EQ(g, 3.0f);
}

TEST(AddRows, ValuesAndGradcheck) {
  Variable x = random_variable({2, 3, 4}, 3), p = random_variable({5, 4}, 4);
  Context infer;
  Variable y = ops::add_rows(infer, x, p);
  for (int b = 0; b < 2; ++b)
    for (int t = 0; t < 3; ++t)
      for (int c = 0; c < 4; ++c)
        EXPECT_EQ(y.value().data()[(b * 3 + t) * 4 + c],
                  x.value().data()[(b * 3 + t) * 4 + c] + p.value().data()[t * 4 + c]);
  auto f = [](Context& ctx, const std::vector<Variable>& v) {
    return weighted_sum(ctx, ops::add_rows(ctx, v[0], v[1]));
  };
  EXPECT_TRUE(gradcheck(f, {x, p}));
  // Rows of p past T receive exactly zero gradient.
  for (int i = 3 * 4; i < 5 * 4; ++i) EXPECT_EQ(p.grad().data()[i], 0.0f);
}

TEST(AddRows, BadShapesNameBothShapes) {
  Context ctx;
  EXPECT_TRUE(test::throws_mentioning(
      [&] {
        ops::add_rows(ctx, random_variable({2, 6, 4}, 1), random_variable({5, 4}, 2));
      },
      {"add_rows", "[2, 6, 4]", "[5, 4]"}));
  EXPECT_TRUE(test::throws_mentioning(
      [&] {
        ops::add_rows(ctx, random_variable({2, 3, 4}, 1), random_variable({5, 3}, 2));
      },
      {"add_rows", "[2, 3, 4]", "[5, 3]"}));
}

TEST(Add, BadShapesNameBothShapes) {
  Context ctx;
  EXPECT_TRUE(test::throws_mentioning(
      [&] {
        ops::add(ctx, random_variable({2, 3}, 1), random_variable({3, 2}, 2));
      },
      {"add", "[2, 3]", "[3, 2]"}));
}

TEST(Scale, ValuesAndGradcheck) {
  Variable x = random_variable({7}, 5);
  Context infer;
  Variable y = ops::scale(infer, x, -2.5f);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(y.value().data()[i], -2.5f * x.value().data()[i]);
  auto f = [](Context& ctx, const std::vector<Variable>& v) {
    return weighted_sum(ctx, ops::scale(ctx, v[0], -2.5f));
  };
  EXPECT_TRUE(gradcheck(f, {x}));
}

TEST(Activations, ForwardValuesMatchDoubleFormulas) {
  Variable x = random_variable({50}, 6, -5.0f, 5.0f);
  Context c;
  const Tensor relu = ops::relu(c, x).value();
  const Tensor ge = ops::gelu(c, x, ops::GeluApprox::none).value();
  const Tensor gt = ops::gelu(c, x, ops::GeluApprox::tanh).value();
  const Tensor sg = ops::sigmoid(c, x).value();
  for (int i = 0; i < 50; ++i) {
    const double v = x.value().data()[i];
    EXPECT_EQ(relu.data()[i], v > 0 ? static_cast<float>(v) : 0.0f);
    EXPECT_NEAR(ge.data()[i], 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))), 1e-5);
    EXPECT_NEAR(gt.data()[i],
                0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))), 1e-5);
    EXPECT_NEAR(sg.data()[i], 1 / (1 + std::exp(-v)), 1e-6);
  }
}

TEST(Activations, Gradcheck) {
  auto relu = [](Context& ctx, const std::vector<Variable>& v) {
    return weighted_sum(ctx, ops::relu(ctx, v[0]));
  };
  EXPECT_TRUE(gradcheck(relu, {away_from_zero({3, 4}, 7)}));
  for (auto approx : {ops::GeluApprox::none, ops::GeluApprox::tanh}) {
    auto gelu = [approx](Context& ctx, const std::vector<Variable>& v) {
      return weighted_sum(ctx, ops::gelu(ctx, v[0], approx));
    };
    EXPECT_TRUE(gradcheck(gelu, {random_variable({3, 4}, 8, -3.0f, 3.0f)}, 1e-3))
        << "approx " << static_cast<int>(approx);
  }
  auto sig = [](Context& ctx, const std::vector<Variable>& v) {
    return weighted_sum(ctx, ops::sigmoid(ctx, v[0]));
  };
  EXPECT_TRUE(gradcheck(sig, {random_variable({3, 4}, 9, -4.0f, 4.0f)}, 1e-3));
}

TEST(Reshape, SharesStorageAndGradcheck) {
  Variable x = random_variable({2, 6}, 10);
  Context infer;
  Variable y = ops::reshape(infer, x, {3, -1});
  EXPECT_EQ(y.shape(), (Shape{3, 4}));
  EXPECT_EQ(y.value().data(), x.value().data());
  auto f = [](Context& ctx, const std::vector<Variable>& v) {
    return weighted_sum(ctx, ops::reshape(ctx, v[0], {4, 3}));
  };
  EXPECT_TRUE(gradcheck(f, {x}));
  EXPECT_TRUE(test::throws_mentioning(
      [&] {
        ops::reshape(infer, x, {5, 2});
      },
      {"reshape", "[2, 6]", "[5, 2]"}));
}

// ---- dropout ----

TEST(Dropout, IdentityWhenRateZeroOrEval) {
  Variable x = random_variable({4, 5}, 11);
  Rng rng(1);
  Tape tape;
  Context train{&tape, true, &rng};
  Variable y0 = ops::dropout(train, x, 0.0f);
  EXPECT_EQ(y0.value().to_vector(), x.value().to_vector());
  Context eval{&tape, false, nullptr};  // no rng needed outside training
  Variable y1 = ops::dropout(eval, x, 0.5f);
  EXPECT_EQ(y1.value().to_vector(), x.value().to_vector());
  EXPECT_TRUE(y1.requires_grad());
  EXPECT_EQ(rng.state().counter, 0u);  // no stream drawn
  Context infer;
  EXPECT_FALSE(ops::dropout(infer, x, 0.5f).requires_grad());
  // Gradient of the identity is the identity.
  auto f = [](Context& ctx, const std::vector<Variable>& v) {
    ctx.training = false;
    return weighted_sum(ctx, ops::dropout(ctx, v[0], 0.5f));
  };
  EXPECT_TRUE(gradcheck(f, {x}));
}

TEST(Dropout, TrainModeKeepRateScalingAndGradient) {
  const std::int64_t n = 40000;
  const float p = 0.3f;
  Variable x(Tensor::full({n}, 2.0f), true);
  Rng rng(42);
  Tape tape;
  Context ctx{&tape, true, &rng};
  Variable y = ops::dropout(ctx, x, p);
  const float kept_value = 2.0f / (1.0f - p);
  std::int64_t kept = 0;
  for (float v : y.value().to_vector()) {
    ASSERT_TRUE(v == 0.0f || v == kept_value) << v;
    kept += v != 0.0f;
  }
  EXPECT_NEAR(static_cast<double>(kept) / n, 1.0 - p, 0.01);
  Tensor dy = random_variable({n}, 12).value();
  tape.backward(test::dot_loss(ctx, y, dy));
  for (std::int64_t i = 0; i < n; ++i) {
    const float mask = y.value().data()[i] != 0.0f ? 1.0f : 0.0f;
    ASSERT_FLOAT_EQ(x.grad().data()[i], dy.data()[i] * mask / (1.0f - p)) << i;
  }
}

TEST(Dropout, GradcheckWithFixedSeed) {
  auto f = [](Context& ctx, const std::vector<Variable>& v) {
    Rng rng(3);  // fresh each call: the same mask for every evaluation
    ctx.training = true;
    ctx.rng = &rng;
    return weighted_sum(ctx, ops::dropout(ctx, v[0], 0.4f));
  };
  EXPECT_TRUE(gradcheck(f, {random_variable({3, 5}, 13)}));
}

TEST(Dropout, SameMaskForOneAndThreeThreadsNewMaskPerCall) {
  test::ThreadCountGuard guard;
  Variable x(Tensor::full({100003}, 1.0f), false);
  std::vector<float> out[2];
  for (int k = 0; k < 2; ++k) {
    ThreadPool::set_num_threads(k == 0 ? 1 : 3);
    Rng rng(9);
    Context ctx{nullptr, true, &rng};
    out[k] = ops::dropout(ctx, x, 0.5f).value().to_vector();
  }
  EXPECT_EQ(out[0], out[1]);
  Rng rng(9);
  Context ctx{nullptr, true, &rng};
  const auto first = ops::dropout(ctx, x, 0.5f).value().to_vector();
  const auto second = ops::dropout(ctx, x, 0.5f).value().to_vector();
  EXPECT_EQ(first, out[0]);
  EXPECT_NE(first, second);  // each call draws a fresh stream
}

TEST(Dropout, BadArgumentsThrow) {
  Variable x = random_variable({3}, 14);
  Context no_rng{nullptr, true, nullptr};
  EXPECT_TRUE(test::throws_mentioning([&] { ops::dropout(no_rng, x, 0.5f); }, {"dropout", "rng"}));
  Context eval;
  EXPECT_TRUE(test::throws_mentioning([&] { ops::dropout(eval, x, 1.0f); }, {"dropout", "1"}));
  EXPECT_TRUE(test::throws_mentioning([&] { ops::dropout(eval, x, -0.1f); }, {"dropout"}));
}

}  // namespace
}  // namespace attn
