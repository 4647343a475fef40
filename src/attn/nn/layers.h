#pragma once
// Basic layers: Embedding, Linear (Keras Dense), LayerNorm, Dropout,
// positional encodings and the position-wise FeedForward block.
#include <cstdint>
#include <string>
#include <vector>

#include "attn/autograd/ops.h"
#include "attn/nn/module.h"

namespace attn::nn {

class Embedding : public Module {
 public:
  Embedding(std::int64_t vocab, std::int64_t dim, Rng& rng);
  // ids [B, T] (row-major, numel = B*T) -> [B, T, dim]
  Variable forward(Context& ctx, const std::vector<std::int32_t>& ids,
                   const Shape& ids_shape) const;
  const Variable& weight() const { return weight_; }

 private:
  Variable weight_;
};

class Linear : public Module {
 public:
  Linear(std::int64_t in, std::int64_t out, bool bias, Rng& rng);
  // x [..., in] -> [..., out]
  Variable forward(Context& ctx, const Variable& x) const;
  const Variable& weight() const { return weight_; }
  const Variable& bias() const { return bias_; }

 private:
  Variable weight_, bias_;
};

class LayerNorm : public Module {
 public:
  // bias = false: no beta (GPT-style "bias": false configs drop every bias).
  LayerNorm(std::int64_t dim, float eps, bool bias = true);
  Variable forward(Context& ctx, const Variable& x) const;
  // x + residual and its norm in one pass (ops::add_layer_norm).
  ops::AddNorm add_forward(Context& ctx, const Variable& x, const Variable& residual) const;

 private:
  Variable gamma_, beta_;
  float eps_;
};

// Inverted dropout, active only in training (ctx.training); no parameters.
class Dropout : public Module {
 public:
  explicit Dropout(float p);
  Variable forward(Context& ctx, const Variable& x) const { return ops::dropout(ctx, x, p_); }
  float p() const { return p_; }

 private:
  float p_;
};

enum class Positional { none, sinusoidal, learned };
Positional parse_positional(const std::string& s);  // "none" | "sinusoidal" | "learned"
const char* positional_name(Positional p);

// Adds position information to x [B, T, C], T <= max_len. Sinusoidal is the
// 2017 paper's fixed table (sin on even channels, cos on odd); learned is a
// trained [max_len, C] table. Applied to the embeddings before any attention.
class PositionalEncoding : public Module {
 public:
  PositionalEncoding(Positional kind, std::int64_t max_len, std::int64_t dim, Rng& rng);
  Variable forward(Context& ctx, const Variable& x) const;
  Positional kind() const { return kind_; }
  const Variable& table() const { return table_; }  // [max_len, C]; undefined for none

 private:
  Positional kind_;
  std::int64_t max_len_;
  Variable table_;
};

Tensor sinusoidal_table(std::int64_t max_len, std::int64_t dim);

enum class Activation { relu, gelu, gelu_tanh };
Activation parse_activation(const std::string& s);  // "relu" | "gelu" | "gelu_tanh"

// linear2(dropout(act(linear1(x)))), PyTorch's TransformerEncoderLayer feed-forward.
class FeedForward : public Module {
 public:
  FeedForward(std::int64_t d_model, std::int64_t d_ff, Activation act, float dropout, Rng& rng,
              bool bias = true);
  Variable forward(Context& ctx, const Variable& x) const;

 private:
  Linear linear1_, linear2_;
  Activation act_;
  float dropout_;
};

}  // namespace attn::nn
