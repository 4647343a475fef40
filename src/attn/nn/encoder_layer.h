#pragma once
// TransformerEncoderLayer, PyTorch's structure and parameter names:
//   post-norm (2017 paper): x = norm1(x + drop(attn(x))); x = norm2(x + drop(ff(x)))
//   pre-norm:               x = x + drop(attn(norm1(x))); x = x + drop(ff(norm2(x)))
#include "attn/nn/attention.h"

namespace attn::nn {

struct EncoderLayerOptions {
  std::int64_t d_model = 64;
  std::int64_t num_heads = 2;
  std::int64_t d_ff = 256;
  float dropout = 0.1f;
  Activation activation = Activation::relu;
  bool norm_first = false;
  float layer_norm_eps = 1e-5f;
  bool bias = true;  // false: no bias in projections, feed-forward or norms (nanoGPT bias=False)

  // Parameters of one self-attention block (4 projections, feed-forward, 2 norms), and
  // of a decoder block, which adds cross-attention and a third norm: what the layers
  // register, without building them (memory planning needs the count first).
  std::int64_t encoder_block_parameters() const {
    const std::int64_t b = bias ? 1 : 0;
    const std::int64_t attention = 4 * d_model * d_model + 4 * b * d_model;
    const std::int64_t feed_forward = 2 * d_model * d_ff + b * (d_ff + d_model);
    return attention + feed_forward + 2 * (1 + b) * d_model;
  }
  std::int64_t decoder_block_parameters() const {
    const std::int64_t b = bias ? 1 : 0;
    return encoder_block_parameters() + 4 * d_model * d_model + 4 * b * d_model + (1 + b) * d_model;
  }
};

class EncoderLayer : public Module {
 public:
  EncoderLayer(const EncoderLayerOptions& opt, Rng& rng);
  // x [B, T, d_model] -> [B, T, d_model]
  Variable forward(Context& ctx, const Variable& x, const AttentionMaskSpec& mask,
                   Tensor* scores_out = nullptr) const;
  // Read-only parts, for incremental (KV-cached) inference that reuses the same weights.
  const EncoderLayerOptions& options() const { return opt_; }
  const MultiHeadAttention& self_attn() const { return self_attn_; }
  const FeedForward& feed_forward() const { return ff_; }
  const LayerNorm& norm1() const { return norm1_; }
  const LayerNorm& norm2() const { return norm2_; }

 private:
  EncoderLayerOptions opt_;
  MultiHeadAttention self_attn_;
  FeedForward ff_;
  LayerNorm norm1_, norm2_;
};

// The attention options both layer kinds use: d_model split evenly over the heads.
MultiHeadAttentionOptions layer_attention_options(const EncoderLayerOptions& o);

}  // namespace attn::nn
