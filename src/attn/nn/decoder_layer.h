#pragma once
// TransformerDecoderLayer, PyTorch's structure and parameter names:
//   post-norm (2017 paper): x = norm1(x + drop(self_attn(x)));
//                           x = norm2(x + drop(multihead_attn(x, memory)));
//                           x = norm3(x + drop(ff(x)))
//   pre-norm:               x = x + drop(self_attn(norm1(x)));
//                           x = x + drop(multihead_attn(norm2(x), memory));
//                           x = x + drop(ff(norm3(x)))
// Self-attention is causal; cross-attention sees every real source position.
#include "attn/nn/encoder_layer.h"

namespace attn::nn {

class DecoderLayer : public Module {
 public:
  // Same options as the encoder layer: one d_model, heads, d_ff, dropout and placement.
  DecoderLayer(const EncoderLayerOptions& opt, Rng& rng);
  // x [B, T, C], memory [B, S, C], memory_valid u8 [B, S] (undefined = all real)
  // -> [B, T, C]. self_scores / cross_scores (optional) receive [B, H, T, T] / [B, H, T, S].
  Variable forward(Context& ctx, const Variable& x, const Variable& memory,
                   const Tensor& memory_valid, Tensor* self_scores = nullptr,
                   Tensor* cross_scores = nullptr) const;
  // Read-only parts, for incremental (KV-cached) decoding with the same weights.
  const EncoderLayerOptions& options() const { return opt_; }
  const MultiHeadAttention& self_attn() const { return self_attn_; }
  const MultiHeadAttention& cross_attn() const { return cross_attn_; }
  const FeedForward& feed_forward() const { return ff_; }
  const LayerNorm& norm1() const { return norm1_; }
  const LayerNorm& norm2() const { return norm2_; }
  const LayerNorm& norm3() const { return norm3_; }

 private:
  EncoderLayerOptions opt_;
  MultiHeadAttention self_attn_, cross_attn_;
  FeedForward ff_;
  LayerNorm norm1_, norm2_, norm3_;
};

}  // namespace attn::nn
