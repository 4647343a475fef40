// ops::bce_with_logits and ops::cross_entropy: values against formulas in
// double, finite-difference gradients, and bad-input errors.
#include <cmath>

#include "attn/autograd/ops.h"
#include "autograd/gradcheck.h"
#include "autograd/op_test_util.h"
#include "test_util.h"

namespace attn {
namespace {

using test::gradcheck;
using test::random_variable;
using test::throws_mentioning;

TEST(BceWithLogitsOp, ValueMatchesDoubleFormulaForBothShapes) {
  Variable logits = random_variable({6, 1}, 1, -5.0f, 5.0f);
  const std::vector<float> t = {0, 1, 1, 0, 0.25f, 1};
  double want = 0;
  for (int i = 0; i < 6; ++i) {
    const double x = logits.value().data()[i];
    const double p = 1 / (1 + std::exp(-x));
    want += -(t[i] * std::log(p) + (1 - t[i]) * std::log(1 - p));
  }
  want /= 6;
  Context ctx;
  Variable loss = ops::bce_with_logits(ctx, logits, t);
  ASSERT_EQ(loss.value().numel(), 1);
  EXPECT_NEAR(loss.value().item(), want, 1e-6 * want);
  Variable flat(logits.value().reshape({6}), true);
  EXPECT_NEAR(ops::bce_with_logits(ctx, flat, t).value().item(), want, 1e-6 * want);
  EXPECT_FALSE(loss.requires_grad());
}

TEST(BceWithLogitsOp, GradientMatchesFiniteDifferences) {
  const std::vector<float> t = {0, 1, 0.5f, 1, 0};
  EXPECT_TRUE(
      gradcheck([t](Context& c,
                    const std::vector<Variable>& in) { return ops::bce_with_logits(c, in[0], t); },
                {random_variable({5, 1}, 2, -3.0f, 3.0f)}));
}

TEST(BceWithLogitsOp, BadInputsThrow) {
  Context ctx;
  Variable logits = random_variable({4}, 3);
  EXPECT_TRUE(throws_mentioning(
      [&] {
        ops::bce_with_logits(ctx, logits, {0, 1, 1});
      },
      {"bce_with_logits", "3 targets", "[4]"}));
  EXPECT_TRUE(throws_mentioning(
      [&] {
        ops::bce_with_logits(ctx, logits, {0, 1, 2, 0});
      },
      {"bce_with_logits", "index 2"}));
  EXPECT_TRUE(throws_mentioning(
      [&] {
        ops::bce_with_logits(ctx, random_variable({4, 2}, 1), {0, 1, 1, 0});
      },
      {"bce_with_logits", "[4, 2]"}));
}

// PyTorch's cross_entropy(reduction="mean", label_smoothing=eps, ignore_index).
double ce_reference(const Tensor& z, const std::vector<std::int32_t>& t, double eps, int ignore) {
  const std::int64_t n = z.dim(0), v = z.dim(1);
  double total = 0;
  int count = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (t[i] == ignore) continue;
    double sum = 0;
    for (std::int64_t c = 0; c < v; ++c) sum += std::exp(static_cast<double>(z.data()[i * v + c]));
    double smooth = 0;
    for (std::int64_t c = 0; c < v; ++c) smooth -= z.data()[i * v + c] - std::log(sum);
    total += (1 - eps) * (std::log(sum) - z.data()[i * v + t[i]]) + eps * smooth / v;
    ++count;
  }
  return count ? total / count : 0.0;
}

TEST(CrossEntropyOp, ValueMatchesReferenceWithSmoothingAndIgnore) {
  Variable logits = random_variable({5, 7}, 4, -3.0f, 3.0f);
  const std::vector<std::int32_t> t = {3, -100, 0, 6, -100};
  Context ctx;
  for (float eps : {0.0f, 0.1f}) {
    const double want = ce_reference(logits.value(), t, eps, -100);
    EXPECT_NEAR(ops::cross_entropy(ctx, logits, t, eps).value().item(), want, 1e-6 * want) << eps;
  }
  // Custom ignore_index.
  const std::vector<std::int32_t> t2 = {3, 1, 0, 6, 1};
  EXPECT_NEAR(ops::cross_entropy(ctx, logits, t2, 0.0f, 1).value().item(),
              ce_reference(logits.value(), t2, 0.0, 1), 1e-6);
}

TEST(CrossEntropyOp, AllIgnoredGivesZeroLossAndZeroGradient) {
  Tape tape;
  Context ctx{&tape, false, nullptr};
  Variable logits = random_variable({3, 4}, 5);
  Variable loss = ops::cross_entropy(ctx, logits, {-100, -100, -100}, 0.1f);
  EXPECT_EQ(loss.value().item(), 0.0f);
  EXPECT_TRUE(loss.requires_grad());
  tape.backward(loss);
  for (float g : logits.grad().to_vector()) EXPECT_EQ(g, 0.0f);
}

TEST(CrossEntropyOp, GradientMatchesFiniteDifferences) {
  const std::vector<std::int32_t> t = {2, -100, 0, 4};
  EXPECT_TRUE(gradcheck(
      [t](Context& c, const std::vector<Variable>& in) {
        return ops::cross_entropy(c, in[0], t, 0.15f);
      },
      {random_variable({4, 5}, 6, -2.0f, 2.0f)}));
}

TEST(CrossEntropyOp, BadInputsThrow) {
  Context ctx;
  Variable logits = random_variable({3, 4}, 7);
  EXPECT_TRUE(throws_mentioning(
      [&] {
        ops::cross_entropy(ctx, logits, {0, 1});
      },
      {"cross_entropy", "2 targets", "[3, 4]"}));
  EXPECT_TRUE(throws_mentioning(
      [&] {
        ops::cross_entropy(ctx, logits, {0, 4, 1});
      },
      {"cross_entropy", "target 4", "index 1", "[0, 4)"}));
  EXPECT_TRUE(throws_mentioning(
      [&] {
        ops::cross_entropy(ctx, logits, {0, -1, 1});
      },
      {"cross_entropy", "target -1", "index 1"}));
  EXPECT_TRUE(throws_mentioning([&] { ops::cross_entropy(ctx, random_variable({12}, 1), {0}); },
                                {"cross_entropy", "[12]"}));
}

}  // namespace
}  // namespace attn
