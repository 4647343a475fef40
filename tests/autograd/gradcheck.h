#pragma once
// Finite-difference gradient check for autograd ops (ggml's grad mode, in
// miniature). For a scalar function f of some Variables it compares every
// analytic gradient element with the central difference (f(x+h) - f(x-h)) / 2h,
// computed in double from f32 evaluations. f must be deterministic (dropout
// draws from a freshly seeded RNG each call).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "attn/autograd/ops.h"

namespace attn::test {

// Builds a 1-element loss from the inputs: usually sum(op(...) * fixed random weights),
// so every output element matters with a distinct weight.
using LossFn = std::function<Variable(Context&, const std::vector<Variable>&)>;

// Reduces y to sum(y * w) for fixed pseudo-random w; built from linear so it is
// itself differentiable: y [...] is flattened to [1, n] and multiplied by w [1, n].
inline Variable weighted_sum(Context& ctx, const Variable& y, std::uint64_t seed = 99) {
  const std::int64_t n = y.value().numel();
  Tensor w = Tensor::empty({1, n});
  Rng r(seed);
  for (std::int64_t i = 0; i < n; ++i) w.data()[i] = r.uniform() * 2.0f - 1.0f;
  Variable flat = ops::reshape(ctx, y, {1, n});
  return ops::reshape(ctx, ops::linear(ctx, flat, Variable(w), Variable()), {1});
}

inline Variable random_variable(const Shape& shape, std::uint64_t seed, float lo = -1.0f,
                                float hi = 1.0f) {
  Tensor t = Tensor::empty(shape);
  Rng r(seed);
  for (std::int64_t i = 0; i < t.numel(); ++i) t.data()[i] = lo + (hi - lo) * r.uniform();
  return Variable(t, true);
}

// Checks d loss / d inputs[i] for every input that requires a gradient.
inline ::testing::AssertionResult gradcheck(const LossFn& f, std::vector<Variable> inputs,
                                            double h = 1e-2, double tol = 2e-2) {
  auto eval = [&]() {
    Context ctx;
    return static_cast<double>(f(ctx, inputs).value().item());
  };
  Tape tape;
  Context ctx;
  ctx.tape = &tape;
  for (auto& v : inputs) v.clear_grad();
  Variable loss = f(ctx, inputs);
  tape.backward(loss);
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    Variable& v = inputs[k];
    if (!v.requires_grad()) continue;
    float* x = v.value().data();
    const Tensor& g = v.grad();
    for (std::int64_t i = 0; i < v.value().numel(); ++i) {
      const float saved = x[i];
      x[i] = static_cast<float>(saved + h);
      const double up = eval();
      x[i] = static_cast<float>(saved - h);
      const double down = eval();
      x[i] = saved;
      const double numeric = (up - down) / (2 * h);
      const double analytic = g.data()[i];
      const double err = std::fabs(numeric - analytic) / std::max(1.0, std::fabs(numeric));
      if (err > tol)
        return ::testing::AssertionFailure() << "input " << k << " element " << i << ": analytic "
                                             << analytic << " vs numeric " << numeric;
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace attn::test
