#include "attn/nn/decoder_layer.h"

namespace attn::nn {

DecoderLayer::DecoderLayer(const EncoderLayerOptions& opt, Rng& rng)
    : opt_(opt),
      self_attn_(layer_attention_options(opt), rng),
      cross_attn_(layer_attention_options(opt), rng),
      ff_(opt.d_model, opt.d_ff, opt.activation, opt.dropout, rng, opt.bias),
      norm1_(opt.d_model, opt.layer_norm_eps, opt.bias),
      norm2_(opt.d_model, opt.layer_norm_eps, opt.bias),
      norm3_(opt.d_model, opt.layer_norm_eps, opt.bias) {
  register_module("self_attn", self_attn_);
  register_module("multihead_attn", cross_attn_);  // PyTorch's name for cross-attention
  register_module("", ff_);
  register_module("norm1", norm1_);
  register_module("norm2", norm2_);
  register_module("norm3", norm3_);
}

Variable DecoderLayer::forward(Context& ctx, const Variable& x, const Variable& memory,
                               const Tensor& memory_valid, Tensor* self_scores,
                               Tensor* cross_scores) const {
  AttentionMaskSpec causal;
  causal.use_causal_mask = true;
  AttentionMaskSpec source;
  source.key_valid = memory_valid;
  auto self_block = [&](const Variable& h) {
    return ops::dropout(ctx, self_attn_.forward(ctx, h, h, Variable(), causal, self_scores),
                        opt_.dropout);
  };
  auto cross_block = [&](const Variable& h) {
    return ops::dropout(ctx, cross_attn_.forward(ctx, h, memory, Variable(), source, cross_scores),
                        opt_.dropout);
  };
  auto feed = [&](const Variable& h) {
    return ops::dropout(ctx, ff_.forward(ctx, h), opt_.dropout);
  };
  // Each residual add that a norm reads is fused with it (ops::add_layer_norm).
  if (opt_.norm_first) {
    const ops::AddNorm h1 = norm2_.add_forward(ctx, x, self_block(norm1_.forward(ctx, x)));
    const ops::AddNorm h2 = norm3_.add_forward(ctx, h1.sum, cross_block(h1.normed));
    return ops::add(ctx, h2.sum, feed(h2.normed));
  }
  Variable h = norm1_.add_forward(ctx, x, self_block(x)).normed;
  h = norm2_.add_forward(ctx, h, cross_block(h)).normed;
  return norm3_.add_forward(ctx, h, feed(h)).normed;
}

}  // namespace attn::nn
