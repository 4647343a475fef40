#pragma once
// Module: owns named parameters and child modules, PyTorch-style. Full
// parameter names are dotted paths ("layers.0.self_attn.q_proj.weight") so
// a state dict maps one-to-one onto PyTorch's and onto safetensors keys.
#include <string>
#include <utility>
#include <vector>

#include "attn/autograd/tape.h"
#include "attn/core/rng.h"

namespace attn::nn {

struct NamedParameter {
  std::string name;
  Variable var;
  bool decay = true;  // false for biases and norm gains: no weight decay
};

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Every parameter of this module and its children, in registration order.
  std::vector<NamedParameter> parameters() const;
  std::int64_t num_parameters() const;

 protected:
  Variable register_parameter(const std::string& name, Tensor init, bool decay = true);
  void register_module(const std::string& name, Module& child);

 private:
  void collect(const std::string& prefix, std::vector<NamedParameter>& out) const;
  std::vector<NamedParameter> params_;
  std::vector<std::pair<std::string, Module*>> children_;
};

// Initialisers (Keras defaults are glorot_uniform kernels, zero biases,
// uniform(-0.05, 0.05) embeddings).
Tensor glorot_uniform(const Shape& shape_out_in, Rng& rng);
Tensor uniform_init(const Shape& shape, float limit, Rng& rng);
// Overwrites t (f32) with N(0, std) draws (Box-Muller over rng's uniform stream).
void fill_normal(Tensor& t, float std, Rng& rng);

}  // namespace attn::nn
