#include "attn/nn/encoder_layer.h"

namespace attn::nn {

MultiHeadAttentionOptions layer_attention_options(const EncoderLayerOptions& o) {
  ATTN_CHECK(o.num_heads >= 1 && o.d_model % o.num_heads == 0,
             "encoder layer: d_model {} must be divisible by num_heads {}", o.d_model, o.num_heads);
  MultiHeadAttentionOptions m;
  m.num_heads = o.num_heads;
  m.key_dim = o.d_model / o.num_heads;
  m.dropout = o.dropout;
  m.query_dim = o.d_model;
  m.use_bias = o.bias;
  return m;
}

EncoderLayer::EncoderLayer(const EncoderLayerOptions& opt, Rng& rng)
    : opt_(opt),
      self_attn_(layer_attention_options(opt), rng),
      ff_(opt.d_model, opt.d_ff, opt.activation, opt.dropout, rng, opt.bias),
      norm1_(opt.d_model, opt.layer_norm_eps, opt.bias),
      norm2_(opt.d_model, opt.layer_norm_eps, opt.bias) {
  register_module("self_attn", self_attn_);
  register_module("", ff_);
  register_module("norm1", norm1_);
  register_module("norm2", norm2_);
}

Variable EncoderLayer::forward(Context& ctx, const Variable& x, const AttentionMaskSpec& mask,
                               Tensor* scores_out) const {
  auto attend = [&](const Variable& h) {
    return ops::dropout(ctx, self_attn_.forward(ctx, h, h, Variable(), mask, scores_out),
                        opt_.dropout);
  };
  auto feed = [&](const Variable& h) {
    return ops::dropout(ctx, ff_.forward(ctx, h), opt_.dropout);
  };
  // Each residual add that a norm reads is fused with it (ops::add_layer_norm).
  if (opt_.norm_first) {
    const ops::AddNorm h = norm2_.add_forward(ctx, x, attend(norm1_.forward(ctx, x)));
    return ops::add(ctx, h.sum, feed(h.normed));
  }
  const Variable h = norm1_.add_forward(ctx, x, attend(x)).normed;
  return norm2_.add_forward(ctx, h, feed(h)).normed;
}

}  // namespace attn::nn
