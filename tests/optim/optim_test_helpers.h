#pragma once
// Small helpers shared by the optim tests: parameters from values, gradients
// set per step, and a relative-error check against double references.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "attn/optim/optim.h"

namespace attn::optim_test {

inline optim::ParamRef make_param(const std::string& name, const Shape& shape,
                                  const std::vector<float>& values, bool decay = true) {
  return {name, Variable(Tensor::from(shape, values), true, name), decay};
}

inline void set_grad(const optim::ParamRef& p, const std::vector<float>& g) {
  Tensor& grad = p.var.grad();
  ASSERT_EQ(static_cast<std::size_t>(grad.numel()), g.size());
  std::copy(g.begin(), g.end(), grad.data());
}

inline std::vector<float> values(const optim::ParamRef& p) { return p.var.value().to_vector(); }

// A gradient for step k of an n-element parameter: mixed signs and
// magnitudes, with a tiny entry (so eps matters) and an exact zero.
inline std::vector<float> grad_at(int k, std::size_t n, float scale = 1.0f) {
  std::vector<float> g(n);
  for (std::size_t i = 0; i < n; ++i)
    g[i] = scale * static_cast<float>(std::sin(1.3 * static_cast<double>(i) + 0.7 * k + 0.2));
  if (n > 2) g[1] = 1e-7f * static_cast<float>(k + 1);
  if (n > 3) g[3] = 0.0f;
  return g;
}

// max |got - want| / max(|want|, floor)
inline double max_rel(const std::vector<float>& got, const std::vector<double>& want,
                      double floor = 1e-6) {
  EXPECT_EQ(got.size(), want.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    const double e = std::fabs(got[i] - want[i]) / std::max(std::fabs(want[i]), floor);
    if (std::isnan(e)) return INFINITY;
    worst = std::max(worst, e);
  }
  return worst;
}

inline bool bit_equal(const std::vector<float>& a, const std::vector<float>& b) {
  // memcmp on the null data() of an empty vector is undefined, even for 0 bytes.
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

}  // namespace attn::optim_test
