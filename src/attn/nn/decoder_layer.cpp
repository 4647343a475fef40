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
  if (opt_.norm_first) {
    Variable h = ops::add(ctx, x, self_block(norm1_.forward(ctx, x)));
    h = ops::add(ctx, h, cross_block(norm2_.forward(ctx, h)));
    return ops::add(ctx, h, feed(norm3_.forward(ctx, h)));
  }
  Variable h = norm1_.forward(ctx, ops::add(ctx, x, self_block(x)));
  h = norm2_.forward(ctx, ops::add(ctx, h, cross_block(h)));
  return norm3_.forward(ctx, ops::add(ctx, h, feed(h)));
}

}  // namespace attn::nn
