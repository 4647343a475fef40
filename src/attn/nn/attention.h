#pragma once
// MultiHeadAttention with Keras's arguments and call semantics, numerically
// equal to PyTorch's nn.MultiheadAttention (whose packed in_proj splits into
// q_proj/k_proj/v_proj here).
#include <cstdint>

#include "attn/nn/layers.h"

namespace attn::nn {

struct MultiHeadAttentionOptions {
  std::int64_t num_heads = 1;
  std::int64_t key_dim = 0;    // per-head size of queries and keys
  std::int64_t value_dim = 0;  // per-head size of values; 0 = key_dim
  float dropout = 0.0f;        // on the attention probabilities
  bool use_bias = true;
  std::int64_t output_dim = 0;  // 0 = query_dim (Keras output_shape)
  std::int64_t query_dim = 0;   // input feature sizes; key/value 0 = query_dim
  std::int64_t key_input_dim = 0;
  std::int64_t value_input_dim = 0;
};

// Which scores may be kept. All parts combine with AND; any may be absent.
struct AttentionMaskSpec {
  Tensor key_valid;       // u8 [B, S], 1 = real key (PyTorch key_padding_mask inverted)
  Tensor attention_mask;  // u8 [B, T, S] or [T, S], 1 = may attend (Keras attention_mask)
  bool use_causal_mask = false;
  Tensor bias;  // f32 [T, S] or [B, T, S] added to scores (PyTorch float attn_mask)
};

class MultiHeadAttention : public Module {
 public:
  MultiHeadAttention(const MultiHeadAttentionOptions& opt, Rng& rng);
  // query [B, T, Eq], value [B, S, Ev], key [B, S, Ek] (undefined = value)
  // -> [B, T, output_dim]. scores_out (optional) gets probabilities [B, H, T, S].
  Variable forward(Context& ctx, const Variable& query, const Variable& value, const Variable& key,
                   const AttentionMaskSpec& mask, Tensor* scores_out = nullptr) const;
  const MultiHeadAttentionOptions& options() const { return opt_; }
  // Read-only parts, for inference paths that run the projections themselves
  // (generate's KV cache projects only the new tokens' keys and values).
  const Linear& q_proj() const { return q_proj_; }
  const Linear& k_proj() const { return k_proj_; }
  const Linear& v_proj() const { return v_proj_; }
  const Linear& out_proj() const { return out_proj_; }

 private:
  MultiHeadAttentionOptions opt_;
  Linear q_proj_, k_proj_, v_proj_, out_proj_;
};

// Builds attention's u8 [B, T, S] "may attend" mask from the parts of spec
// (undefined when nothing is masked).
Tensor build_allow_mask(const AttentionMaskSpec& spec, std::int64_t batch, std::int64_t t,
                        std::int64_t s);

}  // namespace attn::nn
