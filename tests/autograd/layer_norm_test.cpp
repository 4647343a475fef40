// ops::layer_norm: forward against a double-precision reference, gradients
// of all three inputs by finite differences, optional gamma/beta, errors.
// ops::add_layer_norm: bit-identical to add + layer_norm (values and every
// gradient) in the ways the blocks use it, gradients by finite differences.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "attn/kernels/reference_mode.h"
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

// Which outputs of the add + norm the loss reads.
enum class Uses { normed_only, sum_and_normed, sum_only };

struct AddNormRun {
  Tensor sum, normed;
  std::vector<Tensor> grads;  // of a, b, gamma, beta
};

// a + b and its norm, fused or not; loss = Σ w1·sum + Σ w2·normed per `uses`.
AddNormRun run_add_norm(bool fused, Uses uses, bool same_input, bool affine) {
  const std::int64_t N = 70, C = 37;  // 70 rows: split over the threads
  Variable a = random_variable({2, N / 2, C}, 21, -2.0f, 2.0f);
  Variable b = same_input ? a : random_variable({2, N / 2, C}, 22, -2.0f, 2.0f);
  Variable g = affine ? random_variable({C}, 23, 0.5f, 1.5f) : Variable();
  Variable be = affine ? random_variable({C}, 24) : Variable();
  Tape tape;
  Context ctx{&tape, false, nullptr};
  Variable sum, normed;
  if (fused) {
    const ops::AddNorm o = ops::add_layer_norm(ctx, a, b, g, be, 1e-5f);
    sum = o.sum;
    normed = o.normed;
  } else {
    sum = ops::add(ctx, a, b);
    normed = ops::layer_norm(ctx, sum, g, be, 1e-5f);
  }
  Variable loss;
  if (uses == Uses::normed_only) loss = weighted_sum(ctx, normed, 5);
  if (uses == Uses::sum_only) loss = weighted_sum(ctx, sum, 6);
  if (uses == Uses::sum_and_normed)
    loss = ops::add(ctx, weighted_sum(ctx, sum, 6), weighted_sum(ctx, normed, 5));
  tape.backward(loss);
  AddNormRun r{sum.value(), normed.value(), {}};
  for (const Variable* v : {&a, &b, &g, &be})
    r.grads.push_back(v->defined() && v->has_grad() ? v->grad() : Tensor());
  return r;
}

void expect_same_bits(const Tensor& x, const Tensor& y, const std::string& what) {
  ASSERT_EQ(x.defined(), y.defined()) << what;
  if (!x.defined()) return;
  ASSERT_EQ(x.shape(), y.shape()) << what;
  EXPECT_EQ(std::memcmp(x.raw(), y.raw(), x.nbytes()), 0) << what << " differs";
}

TEST(AddLayerNormOp, BitIdenticalToAddThenLayerNorm) {
  test::ThreadCountGuard restore;
  for (int threads : {1, 2, 3}) {
    ThreadPool::set_num_threads(threads);
    for (Uses uses : {Uses::normed_only, Uses::sum_and_normed, Uses::sum_only})
      for (bool same : {false, true})
        for (bool affine : {true, false}) {
          const std::string what = "threads " + std::to_string(threads) + " uses " +
                                   std::to_string(static_cast<int>(uses)) + " same " +
                                   std::to_string(same) + " affine " + std::to_string(affine);
          const AddNormRun f = run_add_norm(true, uses, same, affine);
          const AddNormRun u = run_add_norm(false, uses, same, affine);
          expect_same_bits(f.sum, u.sum, what + ": sum");
          expect_same_bits(f.normed, u.normed, what + ": normed");
          for (std::size_t i = 0; i < f.grads.size(); ++i)
            expect_same_bits(f.grads[i], u.grads[i], what + ": gradient " + std::to_string(i));
        }
  }
}

TEST(AddLayerNormOp, GradcheckBothOutputs) {
  auto f = [](Context& ctx, const std::vector<Variable>& v) {
    const ops::AddNorm o = ops::add_layer_norm(ctx, v[0], v[1], v[2], v[3], 1e-5f);
    return ops::add(ctx, weighted_sum(ctx, o.normed, 7), weighted_sum(ctx, o.sum, 8));
  };
  EXPECT_TRUE(gradcheck(
      f,
      {random_variable({2, 3, 4}, 31, -2.0f, 2.0f), random_variable({2, 3, 4}, 32, -2.0f, 2.0f),
       random_variable({4}, 33, 0.5f, 1.5f), random_variable({4}, 34)},
      1e-3));
}

TEST(AddLayerNormOp, ReferenceKernelsAgree) {
  const AddNormRun fast = run_add_norm(true, Uses::sum_and_normed, false, true);
  const AddNormRun fast_post = run_add_norm(true, Uses::normed_only, false, true);
  AddNormRun ref, ref_post;
  {
    struct ReferenceMode {  // off again even if a run throws
      ReferenceMode() { kernels::set_use_reference_kernels(true); }
      ~ReferenceMode() { kernels::set_use_reference_kernels(false); }
    } on;
    ref = run_add_norm(true, Uses::sum_and_normed, false, true);
    ref_post = run_add_norm(true, Uses::normed_only, false, true);
  }
  auto close = [](const Tensor& x, const Tensor& y) {
    return test::max_rel_error(x.data(), y.data(), x.numel()) < 1e-4f;
  };
  EXPECT_TRUE(close(fast.normed, ref.normed));
  for (std::size_t i = 0; i < fast.grads.size(); ++i) {
    EXPECT_TRUE(close(fast.grads[i], ref.grads[i])) << "gradient " << i;
    EXPECT_TRUE(close(fast_post.grads[i], ref_post.grads[i])) << "gradient " << i;
  }
}

TEST(AddLayerNormOp, BadShapesAreErrors) {
  Context ctx;
  Variable a = random_variable({2, 3, 4}, 1);
  EXPECT_TRUE(test::throws_mentioning(
      [&] {
        ops::add_layer_norm(ctx, a, random_variable({2, 4, 3}, 2), Variable(), Variable(), 1e-5f);
      },
      {"add_layer_norm", "[2, 3, 4]", "[2, 4, 3]", "same shape"}));
  EXPECT_TRUE(test::throws_mentioning(
      [&] { ops::add_layer_norm(ctx, a, a, random_variable({3}, 2), Variable(), 1e-5f); },
      {"add_layer_norm", "gamma", "[3]"}));
}

}  // namespace
}  // namespace attn
