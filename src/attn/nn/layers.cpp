#include "attn/nn/layers.h"

#include <cmath>

namespace attn::nn {

Embedding::Embedding(std::int64_t vocab, std::int64_t dim, Rng& rng) {
  weight_ = register_parameter("weight", uniform_init({vocab, dim}, 0.05f, rng));
}

Variable Embedding::forward(Context& ctx, const std::vector<std::int32_t>& ids,
                            const Shape& ids_shape) const {
  return ops::embedding(ctx, weight_, ids, ids_shape);
}

Linear::Linear(std::int64_t in, std::int64_t out, bool bias, Rng& rng) {
  weight_ = register_parameter("weight", glorot_uniform({out, in}, rng));
  if (bias) bias_ = register_parameter("bias", Tensor::zeros({out}), false);
}

Variable Linear::forward(Context& ctx, const Variable& x) const {
  return ops::linear(ctx, x, weight_, bias_);
}

LayerNorm::LayerNorm(std::int64_t dim, float eps, bool bias) : eps_(eps) {
  gamma_ = register_parameter("weight", Tensor::full({dim}, 1.0f), false);
  if (bias) beta_ = register_parameter("bias", Tensor::zeros({dim}), false);
}

Variable LayerNorm::forward(Context& ctx, const Variable& x) const {
  return ops::layer_norm(ctx, x, gamma_, beta_, eps_);
}

ops::AddNorm LayerNorm::add_forward(Context& ctx, const Variable& x,
                                    const Variable& residual) const {
  return ops::add_layer_norm(ctx, x, residual, gamma_, beta_, eps_);
}

Dropout::Dropout(float p) : p_(p) {
  ATTN_CHECK(p >= 0.0f && p < 1.0f, "Dropout: p must be in [0, 1), got {}", p);
}

Positional parse_positional(const std::string& s) {
  if (s == "none") return Positional::none;
  if (s == "sinusoidal") return Positional::sinusoidal;
  if (s == "learned") return Positional::learned;
  fail("unknown positional encoding \"{}\" (expected none, sinusoidal or learned)", s);
}

const char* positional_name(Positional p) {
  switch (p) {
    case Positional::none:
      return "none";
    case Positional::sinusoidal:
      return "sinusoidal";
    case Positional::learned:
      return "learned";
  }
  return "?";
}

Tensor sinusoidal_table(std::int64_t max_len, std::int64_t dim) {
  // PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(same), Vaswani et al. 2017 §3.5.
  Tensor t = Tensor::empty({max_len, dim});
  for (std::int64_t pos = 0; pos < max_len; ++pos) {
    for (std::int64_t c = 0; c < dim; ++c) {
      const double rate = std::pow(10000.0, -static_cast<double>(c - c % 2) / dim);
      const double a = static_cast<double>(pos) * rate;
      t.data()[pos * dim + c] = static_cast<float>(c % 2 == 0 ? std::sin(a) : std::cos(a));
    }
  }
  return t;
}

PositionalEncoding::PositionalEncoding(Positional kind, std::int64_t max_len, std::int64_t dim,
                                       Rng& rng)
    : kind_(kind), max_len_(max_len) {
  if (kind == Positional::learned) {
    table_ = register_parameter("weight", uniform_init({max_len, dim}, 0.05f, rng));
  } else if (kind == Positional::sinusoidal) {
    table_ = Variable(sinusoidal_table(max_len, dim));
  }
}

Variable PositionalEncoding::forward(Context& ctx, const Variable& x) const {
  if (kind_ == Positional::none) return x;
  ATTN_CHECK(x.shape().size() == 3 && x.shape()[1] <= max_len_,
             "positional encoding: input {} is longer than max_len {}", shape_str(x.shape()),
             max_len_);
  return ops::add_rows(ctx, x, table_);
}

Activation parse_activation(const std::string& s) {
  if (s == "relu") return Activation::relu;
  if (s == "gelu") return Activation::gelu;
  if (s == "gelu_tanh") return Activation::gelu_tanh;
  fail("unknown activation \"{}\" (expected relu, gelu or gelu_tanh)", s);
}

FeedForward::FeedForward(std::int64_t d_model, std::int64_t d_ff, Activation act, float dropout,
                         Rng& rng, bool bias)
    : linear1_(d_model, d_ff, bias, rng),
      linear2_(d_ff, d_model, bias, rng),
      act_(act),
      dropout_(dropout) {
  register_module("linear1", linear1_);
  register_module("linear2", linear2_);
}

Variable FeedForward::forward(Context& ctx, const Variable& x) const {
  Variable h = linear1_.forward(ctx, x);
  switch (act_) {
    case Activation::relu:
      h = ops::relu(ctx, h);
      break;
    case Activation::gelu:
      h = ops::gelu(ctx, h, ops::GeluApprox::none);
      break;
    case Activation::gelu_tanh:
      h = ops::gelu(ctx, h, ops::GeluApprox::tanh);
      break;
  }
  return linear2_.forward(ctx, ops::dropout(ctx, h, dropout_));
}

}  // namespace attn::nn
