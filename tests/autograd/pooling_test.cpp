// ops::mean_pool, ops::max_pool and ops::select_time: values against loops in
// double, finite-difference gradients with padding, and bad-input errors.
#include "attn/autograd/ops.h"
#include "autograd/gradcheck.h"
#include "autograd/op_test_util.h"
#include "test_util.h"

namespace attn {
namespace {

using test::gradcheck;
using test::random_variable;
using test::throws_mentioning;
using test::weighted_sum;

constexpr std::int64_t B = 3, T = 5, C = 4;

// u8 [B, T]: row 0 all valid, row 1 valid for t < 2, row 2 has no valid position.
Tensor valid_mask() {
  Tensor m = Tensor::zeros({B, T}, DType::u8);
  auto* a = m.data_as<std::uint8_t>();
  for (std::int64_t t = 0; t < T; ++t) a[t] = 1;
  a[T + 0] = a[T + 1] = 1;
  return m;
}

// x [B, T, C] whose values in each (b, c) column are distinct by at least 0.1,
// so a finite-difference step of 0.01 never changes which element is the max.
Variable spread_variable() {
  Tensor x = Tensor::empty({B, T, C});
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t t = 0; t < T; ++t)
      for (std::int64_t c = 0; c < C; ++c)
        x.data()[(b * T + t) * C + c] = 0.1f * static_cast<float>((t * 7 + c * 3 + b) % T) - 0.2f;
  return Variable(x, true);
}

TEST(MeanPool, ValuesWithPaddingAndEmptyRow) {
  Variable x = random_variable({B, T, C}, 1);
  const Tensor valid = valid_mask();
  Context ctx;
  Variable y = ops::mean_pool(ctx, x, valid);
  ASSERT_EQ(y.shape(), (Shape{B, C}));
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t c = 0; c < C; ++c) {
      double sum = 0;
      int n = 0;
      for (std::int64_t t = 0; t < T; ++t)
        if (valid.data_as<std::uint8_t>()[b * T + t]) {
          sum += x.value().data()[(b * T + t) * C + c];
          ++n;
        }
      EXPECT_NEAR(y.value().data()[b * C + c], n ? sum / n : 0.0, 1e-6) << b << "," << c;
    }
  // Undefined mask = every position valid.
  Variable all = ops::mean_pool(ctx, x, Tensor());
  double sum = 0;
  for (std::int64_t t = 0; t < T; ++t) sum += x.value().data()[(2 * T + t) * C + 1];
  EXPECT_NEAR(all.value().data()[2 * C + 1], sum / T, 1e-6);
}

TEST(MaxPool, ValuesWithPaddingAndEmptyRow) {
  Variable x = random_variable({B, T, C}, 2);
  const Tensor valid = valid_mask();
  Context ctx;
  Variable y = ops::max_pool(ctx, x, valid);
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t c = 0; c < C; ++c) {
      float m = -1e30f;
      bool any = false;
      for (std::int64_t t = 0; t < T; ++t)
        if (valid.data_as<std::uint8_t>()[b * T + t]) {
          m = std::max(m, x.value().data()[(b * T + t) * C + c]);
          any = true;
        }
      EXPECT_EQ(y.value().data()[b * C + c], any ? m : 0.0f) << b << "," << c;
    }
}

TEST(SelectTime, ValuesIncludingNegativeIndex) {
  Variable x = random_variable({B, T, C}, 3);
  Context ctx;
  Variable first = ops::select_time(ctx, x, 0);
  Variable last = ops::select_time(ctx, x, -1);
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t c = 0; c < C; ++c) {
      EXPECT_EQ(first.value().data()[b * C + c], x.value().data()[(b * T) * C + c]);
      EXPECT_EQ(last.value().data()[b * C + c], x.value().data()[(b * T + T - 1) * C + c]);
    }
}

TEST(Pooling, GradientsMatchFiniteDifferencesWithPadding) {
  const Tensor valid = valid_mask();
  EXPECT_TRUE(gradcheck(
      [valid](Context& c, const std::vector<Variable>& in) {
        return weighted_sum(c, ops::mean_pool(c, in[0], valid));
      },
      {random_variable({B, T, C}, 4)}));
  EXPECT_TRUE(gradcheck(
      [valid](Context& c, const std::vector<Variable>& in) {
        return weighted_sum(c, ops::max_pool(c, in[0], valid));
      },
      {spread_variable()}));
  EXPECT_TRUE(gradcheck(
      [](Context& c, const std::vector<Variable>& in) {
        return weighted_sum(c, ops::select_time(c, in[0], 2));
      },
      {random_variable({B, T, C}, 5)}));
}

TEST(Pooling, PaddedPositionsGetNoGradient) {
  Tape tape;
  Context ctx{&tape, false, nullptr};
  Variable x = random_variable({B, T, C}, 6);
  Variable y = ops::mean_pool(ctx, x, valid_mask());
  Variable z = ops::max_pool(ctx, x, valid_mask());
  EXPECT_TRUE(y.requires_grad() && z.requires_grad());
  tape.backward(weighted_sum(ctx, ops::add(ctx, y, z)));
  for (std::int64_t t = 2; t < T; ++t)
    for (std::int64_t c = 0; c < C; ++c) EXPECT_EQ(x.grad().data()[(1 * T + t) * C + c], 0.0f);
  for (std::int64_t i = 2 * T * C; i < 3 * T * C; ++i) EXPECT_EQ(x.grad().data()[i], 0.0f);
}

TEST(Pooling, BadInputsThrowWithShapes) {
  Context ctx;
  Variable x = random_variable({B, T, C}, 7);
  EXPECT_TRUE(throws_mentioning(
      [&] {
        ops::mean_pool(ctx, x, Tensor::zeros({B, T + 1}, DType::u8));
      },
      {"mean_pool", "[3, 5]", "[3, 6]", "[3, 5, 4]"}));
  EXPECT_TRUE(throws_mentioning(
      [&] {
        ops::max_pool(ctx, random_variable({B, T}, 1), Tensor());
      },
      {"max_pool", "[3, 5]"}));
  EXPECT_TRUE(throws_mentioning([&] { ops::select_time(ctx, x, 5); },
                                {"select_time", "t = 5", "[3, 5, 4]"}));
}

}  // namespace
}  // namespace attn
