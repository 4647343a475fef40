#include "attn/nn/attention.h"

#include <cmath>

namespace attn::nn {

namespace {
MultiHeadAttentionOptions resolved(MultiHeadAttentionOptions o) {
  ATTN_CHECK(o.num_heads >= 1 && o.key_dim >= 1 && o.query_dim >= 1,
             "MultiHeadAttention: num_heads, key_dim and query_dim must be >= 1 (got {}, {}, {})",
             o.num_heads, o.key_dim, o.query_dim);
  ATTN_CHECK(o.dropout >= 0.0f && o.dropout < 1.0f,
             "MultiHeadAttention: dropout must be in [0, 1), got {}", o.dropout);
  if (o.value_dim == 0) o.value_dim = o.key_dim;
  if (o.output_dim == 0) o.output_dim = o.query_dim;
  if (o.value_input_dim == 0) o.value_input_dim = o.query_dim;
  if (o.key_input_dim == 0) o.key_input_dim = o.value_input_dim;
  return o;
}
}  // namespace

MultiHeadAttention::MultiHeadAttention(const MultiHeadAttentionOptions& opt, Rng& rng)
    : opt_(resolved(opt)),
      q_proj_(opt_.query_dim, opt_.num_heads * opt_.key_dim, opt_.use_bias, rng),
      k_proj_(opt_.key_input_dim, opt_.num_heads * opt_.key_dim, opt_.use_bias, rng),
      v_proj_(opt_.value_input_dim, opt_.num_heads * opt_.value_dim, opt_.use_bias, rng),
      out_proj_(opt_.num_heads * opt_.value_dim, opt_.output_dim, opt_.use_bias, rng) {
  register_module("q_proj", q_proj_);
  register_module("k_proj", k_proj_);
  register_module("v_proj", v_proj_);
  register_module("out_proj", out_proj_);
}

Tensor build_allow_mask(const AttentionMaskSpec& spec, std::int64_t batch, std::int64_t t,
                        std::int64_t s) {
  if (!spec.key_valid.defined() && !spec.attention_mask.defined() && !spec.use_causal_mask)
    return Tensor();
  if (spec.key_valid.defined())
    ATTN_CHECK(spec.key_valid.shape() == (Shape{batch, s}) && spec.key_valid.dtype() == DType::u8,
               "attention: key padding mask must be U8 [{}, {}], got {} {}", batch, s,
               dtype_name(spec.key_valid.dtype()), shape_str(spec.key_valid.shape()));
  const bool per_batch = spec.attention_mask.defined() && spec.attention_mask.rank() == 3;
  if (spec.attention_mask.defined()) {
    const Shape want = per_batch ? Shape{batch, t, s} : Shape{t, s};
    ATTN_CHECK(spec.attention_mask.shape() == want && spec.attention_mask.dtype() == DType::u8,
               "attention: attention_mask must be U8 {} or [{}, {}], got {} {}",
               shape_str({batch, t, s}), t, s, dtype_name(spec.attention_mask.dtype()),
               shape_str(spec.attention_mask.shape()));
  }
  Tensor allow = Tensor::empty({batch, t, s}, DType::u8);
  auto* a = allow.data_as<std::uint8_t>();
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t i = 0; i < t; ++i) {
      for (std::int64_t j = 0; j < s; ++j) {
        bool ok = true;
        if (spec.key_valid.defined()) ok = ok && spec.key_valid.data_as<std::uint8_t>()[b * s + j];
        if (spec.attention_mask.defined()) {
          const std::int64_t idx = (per_batch ? b * t * s : 0) + i * s + j;
          ok = ok && spec.attention_mask.data_as<std::uint8_t>()[idx];
        }
        if (spec.use_causal_mask) ok = ok && j <= i;
        a[(b * t + i) * s + j] = ok ? 1 : 0;
      }
    }
  }
  return allow;
}

Variable MultiHeadAttention::forward(Context& ctx, const Variable& query, const Variable& value,
                                     const Variable& key, const AttentionMaskSpec& mask,
                                     Tensor* scores_out) const {
  const Variable& k_in = key.defined() ? key : value;
  ATTN_CHECK(
      query.shape().size() == 3 && value.shape().size() == 3 && k_in.shape().size() == 3 &&
          query.shape()[0] == value.shape()[0] &&
          k_in.shape() == Shape({value.shape()[0], value.shape()[1], k_in.shape()[2]}),
      "MultiHeadAttention: expected query [B, T, E], value [B, S, E], key [B, S, E]; got {}, "
      "{}, {}",
      shape_str(query.shape()), shape_str(value.shape()), shape_str(k_in.shape()));
  const std::int64_t batch = query.shape()[0], t = query.shape()[1], s = value.shape()[1];
  const int heads = static_cast<int>(opt_.num_heads);
  Variable q = ops::split_heads(ctx, q_proj_.forward(ctx, query), heads);
  Variable k = ops::split_heads(ctx, k_proj_.forward(ctx, k_in), heads);
  Variable v = ops::split_heads(ctx, v_proj_.forward(ctx, value), heads);
  // A plain causal mask over equal lengths needs no [B, T, S] buffer: the kernels
  // take it as a flag (their j <= i + (S - T) is the layer's j <= i when S == T).
  const bool causal_only =
      mask.use_causal_mask && t == s && !mask.key_valid.defined() && !mask.attention_mask.defined();
  ops::AttentionMask m{causal_only ? Tensor() : build_allow_mask(mask, batch, t, s), mask.bias,
                       causal_only};
  const float scale = 1.0f / std::sqrt(static_cast<float>(opt_.key_dim));
  Variable o = ops::attention(ctx, q, k, v, m, scale, opt_.dropout, scores_out);
  return out_proj_.forward(ctx, ops::merge_heads(ctx, o));
}

}  // namespace attn::nn
