// ops::layer_norm: forward against a double-precision reference, gradients
// of all three inputs by finite differences, optional gamma/beta, errors.
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

TEST(LayerNormOp, ForwardMatchesDoubleReference) {
  const std::int64_t C = 5;
  Variable x = random_variable({2, 3, C}, 1, -2.0f, 3.0f);
  Variable g = random_variable({C}, 2), b = random_variable({C}, 3);
  for (float eps : {1e-5f, 1e-3f}) {
    Context ctx;
    Variable y = ops::layer_norm(ctx, x, g, b, eps);
    ASSERT_EQ(y.shape(), x.shape());
    for (std::int64_t r = 0; r < 6; ++r) {
      const float* xr = x.value().data() + r * C;
      double m = 0, v = 0;
      for (std::int64_t c = 0; c < C; ++c) m += xr[c] / double(C);
      for (std::int64_t c = 0; c < C; ++c) v += (xr[c] - m) * (xr[c] - m) / C;
      for (std::int64_t c = 0; c < C; ++c) {
        const double want =
            (xr[c] - m) / std::sqrt(v + eps) * g.value().data()[c] + b.value().data()[c];
        EXPECT_NEAR(y.value().data()[r * C + c], want, 1e-5) << "eps " << eps;
      }
    }
  }
}

TEST(LayerNormOp, GradcheckAllInputs) {
  auto f = [](Context& ctx, const std::vector<Variable>& v) {
    return weighted_sum(ctx, ops::layer_norm(ctx, v[0], v[1], v[2], 1e-5f));
  };
  EXPECT_TRUE(gradcheck(f,
                        {random_variable({2, 3, 4}, 4, -2.0f, 2.0f),
                         random_variable({4}, 5, 0.5f, 1.5f), random_variable({4}, 6)},
                        1e-3));
}

TEST(LayerNormOp, WithoutAffineParameters) {
  Variable x = random_variable({3, 6}, 7);
  Context ctx;
  Variable y = ops::layer_norm(ctx, x, Variable(), Variable(), 1e-5f);
  for (int r = 0; r < 3; ++r) {
    double m = 0, v = 0;
    for (int c = 0; c < 6; ++c) m += y.value().data()[r * 6 + c] / 6.0;
    for (int c = 0; c < 6; ++c) v += std::pow(y.value().data()[r * 6 + c] - m, 2) / 6.0;
    EXPECT_NEAR(m, 0.0, 1e-6);
    EXPECT_NEAR(v, 1.0, 1e-3);  // eps keeps it just below 1
  }
  auto f = [](Context& ctx, const std::vector<Variable>& v) {
    return weighted_sum(ctx, ops::layer_norm(ctx, v[0], Variable(), Variable(), 1e-5f));
  };
  EXPECT_TRUE(gradcheck(f, {random_variable({2, 5}, 8)}, 1e-3));
}

TEST(LayerNormOp, FrozenInputGetsNoGradient) {
  Variable x(random_variable({2, 4}, 9).value(), false);
  Variable g = random_variable({4}, 10), b = random_variable({4}, 11);
  Tape tape;
  Context ctx{&tape, false, nullptr};
  tape.backward(
      test::dot_loss(ctx, ops::layer_norm(ctx, x, g, b, 1e-5f), Tensor::full({2, 4}, 1.0f)));
  EXPECT_FALSE(x.has_grad());
  for (float v : b.grad().to_vector()) EXPECT_FLOAT_EQ(v, 2.0f);  // dbeta = column sums of dy
}

TEST(LayerNormOp, BadShapesNameBothShapes) {
  Context ctx;
  Variable x = random_variable({2, 3, 4}, 1);
  EXPECT_TRUE(test::throws_mentioning(
      [&] { ops::layer_norm(ctx, x, random_variable({3}, 2), random_variable({4}, 3), 1e-5f); },
      {"layer_norm", "gamma", "[3]", "[2, 3, 4]"}));
  EXPECT_TRUE(test::throws_mentioning(
      [&] {
        ops::layer_norm(ctx, x, random_variable({4}, 2), random_variable({4, 1}, 3), 1e-5f);
      },
      {"layer_norm", "beta", "[4, 1]", "[2, 3, 4]"}));
}

}  // namespace
}  // namespace attn
