#include "attn/nn/module.h"

#include <cmath>

namespace attn::nn {

std::vector<NamedParameter> Module::parameters() const {
  std::vector<NamedParameter> out;
  collect("", out);
  return out;
}

std::int64_t Module::num_parameters() const {
  std::int64_t n = 0;
  for (const auto& p : parameters()) n += p.var.value().numel();
  return n;
}

Variable Module::register_parameter(const std::string& name, Tensor init, bool decay) {
  Variable v(std::move(init), true, name);
  params_.push_back({name, v, decay});
  return v;
}

void Module::register_module(const std::string& name, Module& child) {
  children_.emplace_back(name, &child);
}

void Module::collect(const std::string& prefix, std::vector<NamedParameter>& out) const {
  for (const auto& p : params_) out.push_back({prefix + p.name, p.var, p.decay});
  // An empty child name flattens the child's parameters into this scope
  // (PyTorch's TransformerEncoderLayer keeps linear1/linear2 at layer level).
  for (const auto& [name, child] : children_)
    child->collect(name.empty() ? prefix : prefix + name + ".", out);
}

Tensor uniform_init(const Shape& shape, float limit, Rng& rng) {
  Tensor t = Tensor::empty(shape);
  float* d = t.data();
  for (std::int64_t i = 0; i < t.numel(); ++i) d[i] = (2.0f * rng.uniform() - 1.0f) * limit;
  return t;
}

Tensor glorot_uniform(const Shape& shape_out_in, Rng& rng) {
  const double fan_out = static_cast<double>(shape_out_in.at(0));
  const double fan_in = static_cast<double>(shape_out_in.at(1));
  return uniform_init(shape_out_in, static_cast<float>(std::sqrt(6.0 / (fan_in + fan_out))), rng);
}

void fill_normal(Tensor& t, float std, Rng& rng) {
  constexpr double kTwoPi = 6.283185307179586;
  float* d = t.data();
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    const double u1 = 1.0 - static_cast<double>(rng.uniform());  // (0, 1]: log is finite
    const double u2 = static_cast<double>(rng.uniform());
    d[i] = static_cast<float>(std * std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2));
  }
}

}  // namespace attn::nn
