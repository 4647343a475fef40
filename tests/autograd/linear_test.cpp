// ops::linear and ops::matmul: forward against double loops, exact backward
// against double loops, finite-difference checks, and shape errors.
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/op_test_util.h"
#include "test_util.h"

namespace attn {
namespace {

using test::gradcheck;
using test::random_variable;
using test::weighted_sum;

TEST(Linear, ForwardAndBackwardMatchDoubleLoops) {
  const std::int64_t B = 2, T = 3, I = 4, O = 5, N = B * T;
  Variable x = random_variable({B, T, I}, 1), w = random_variable({O, I}, 2),
           b = random_variable({O}, 3);
  Tensor dy = random_variable({B, T, O}, 4).value();
  Tape tape;
  Context ctx{&tape, false, nullptr};
  Variable y = ops::linear(ctx, x, w, b);
  ASSERT_EQ(y.shape(), (Shape{B, T, O}));
  EXPECT_TRUE(y.requires_grad());
  tape.backward(test::dot_loss(ctx, y, dy));
  const float *xp = x.value().data(), *wp = w.value().data(), *bp = b.value().data();
  const float* g = dy.data();
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < O; ++o) {
      double acc = bp[o];
      for (std::int64_t i = 0; i < I; ++i) acc += double(xp[n * I + i]) * wp[o * I + i];
      EXPECT_NEAR(y.value().data()[n * O + o], acc, 1e-5);
    }
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t i = 0; i < I; ++i) {
      double acc = 0;
      for (std::int64_t o = 0; o < O; ++o) acc += double(g[n * O + o]) * wp[o * I + i];
      EXPECT_NEAR(x.grad().data()[n * I + i], acc, 1e-5);
    }
  for (std::int64_t o = 0; o < O; ++o) {
    double db = 0;
    for (std::int64_t n = 0; n < N; ++n) db += g[n * O + o];
    EXPECT_NEAR(b.grad().data()[o], db, 1e-5);
    for (std::int64_t i = 0; i < I; ++i) {
      double acc = 0;
      for (std::int64_t n = 0; n < N; ++n) acc += double(g[n * O + o]) * xp[n * I + i];
      EXPECT_NEAR(w.grad().data()[o * I + i], acc, 1e-5);
    }
  }
}

TEST(Linear, GradientsAccumulateAndRespectRequiresGrad) {
  Variable x = random_variable({3, 4}, 5);
  Variable w(random_variable({2, 4}, 6).value(), false);  // frozen weight
  Tensor dy = Tensor::full({3, 2}, 1.0f);
  std::vector<float> first;
  for (int pass = 0; pass < 2; ++pass) {
    Tape tape;
    Context ctx{&tape, false, nullptr};
    tape.backward(test::dot_loss(ctx, ops::linear(ctx, x, w, Variable()), dy));
    if (pass == 0) first = x.grad().to_vector();
  }
  const auto twice = x.grad().to_vector();
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_FLOAT_EQ(twice[i], 2 * first[i]);
  EXPECT_FALSE(w.has_grad());
  // No tape: nothing recorded, output needs no gradient.
  Context infer;
  EXPECT_FALSE(ops::linear(infer, x, w, Variable()).requires_grad());
  Tape tape;
  Context ctx{&tape, false, nullptr};
  Variable frozen_x(x.value(), false);
  EXPECT_FALSE(ops::linear(ctx, frozen_x, w, Variable()).requires_grad());
  EXPECT_EQ(tape.size(), 0u);
}

TEST(Linear, GradcheckWithAndWithoutBias) {
  auto with_bias = [](Context& ctx, const std::vector<Variable>& v) {
    return weighted_sum(ctx, ops::linear(ctx, v[0], v[1], v[2]));
  };
  EXPECT_TRUE(gradcheck(with_bias, {random_variable({2, 3, 4}, 7), random_variable({5, 4}, 8),
                                    random_variable({5}, 9)}));
  auto no_bias = [](Context& ctx, const std::vector<Variable>& v) {
    return weighted_sum(ctx, ops::linear(ctx, v[0], v[1], Variable()));
  };
  EXPECT_TRUE(gradcheck(no_bias, {random_variable({3, 4}, 10), random_variable({2, 4}, 11)}));
}

TEST(Linear, BadShapesNameBothShapes) {
  Context ctx;
  Variable x = random_variable({2, 3}, 1), w = random_variable({4, 5}, 2);
  EXPECT_TRUE(test::throws_mentioning([&] { ops::linear(ctx, x, w, Variable()); },
                                      {"linear", "[2, 3]", "[4, 5]"}));
  Variable w_ok = random_variable({4, 3}, 3), b = random_variable({5}, 4);
  EXPECT_TRUE(test::throws_mentioning([&] { ops::linear(ctx, x, w_ok, b); },
                                      {"linear", "bias", "[5]", "[4, 3]"}));
}

// y[b] = a[b] · op(b[b]) in double, for a [Bt, M, K].
std::vector<double> matmul_ref(const Tensor& a, const Tensor& b, bool trans_b, std::int64_t Bt,
                               std::int64_t M, std::int64_t N, std::int64_t K) {
  std::vector<double> y(Bt * M * N, 0.0);
  for (std::int64_t t = 0; t < Bt; ++t)
    for (std::int64_t m = 0; m < M; ++m)
      for (std::int64_t n = 0; n < N; ++n)
        for (std::int64_t k = 0; k < K; ++k) {
          const float bv =
              trans_b ? b.data()[t * N * K + n * K + k] : b.data()[t * K * N + k * N + n];
          y[t * M * N + m * N + n] += double(a.data()[t * M * K + m * K + k]) * bv;
        }
  return y;
}

TEST(Matmul, ForwardMatchesDoubleLoops) {
  for (bool trans_b : {false, true}) {
    const std::int64_t M = 3, K = 4, N = 5;
    Variable a = random_variable({2, 2, M, K}, 1);
    Variable b = random_variable(trans_b ? Shape{2, 2, N, K} : Shape{2, 2, K, N}, 2);
    Context ctx;
    Variable y = ops::matmul(ctx, a, b, trans_b);
    ASSERT_EQ(y.shape(), (Shape{2, 2, M, N}));
    const auto want = matmul_ref(a.value(), b.value(), trans_b, 4, M, N, K);
    for (std::size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(y.value().data()[i], want[i], 1e-5) << trans_b;
  }
}

TEST(Matmul, Gradcheck) {
  for (bool trans_b : {false, true}) {
    auto f = [trans_b](Context& ctx, const std::vector<Variable>& v) {
      return weighted_sum(ctx, ops::matmul(ctx, v[0], v[1], trans_b));
    };
    EXPECT_TRUE(gradcheck(f, {random_variable({2, 3, 4}, 3),
                              random_variable(trans_b ? Shape{2, 5, 4} : Shape{2, 4, 5}, 4)}))
        << "trans_b=" << trans_b;
    EXPECT_TRUE(gradcheck(
        f, {random_variable({2, 3}, 5), random_variable(trans_b ? Shape{4, 3} : Shape{3, 4}, 6)}))
        << "rank 2, trans_b=" << trans_b;
  }
}

TEST(Matmul, BadShapesNameBothShapes) {
  Context ctx;
  Variable a = random_variable({2, 3, 4}, 1);
  EXPECT_TRUE(test::throws_mentioning(
      [&] {
        ops::matmul(ctx, a, random_variable({2, 5, 4}, 2));
      },
      {"matmul", "[2, 3, 4]", "[2, 5, 4]"}));
  EXPECT_TRUE(test::throws_mentioning(
      [&] {
        ops::matmul(ctx, a, random_variable({3, 4, 5}, 3));
      },  // batch mismatch
      {"matmul", "[2, 3, 4]", "[3, 4, 5]"}));
  EXPECT_TRUE(test::throws_mentioning(
      [&] {
        ops::matmul(ctx, a, random_variable({2, 4, 5}, 4), true);
      },
      {"matmul", "[2, 4, 5]", "[..., N, K]"}));
  EXPECT_TRUE(test::throws_mentioning([&] { ops::matmul(ctx, random_variable({4}, 5), a); },
                                      {"matmul", "[4]"}));
}

}  // namespace
}  // namespace attn
