#pragma once
// The coarse autograd ops. Each op checks shapes (throwing attn::Error with
// both shapes), computes its output with kernels/, and when ctx.records(...)
// records a backward closure that ACCUMULATES into the inputs' gradients.
// The output requires a gradient iff ctx.records(inputs...) is true.
// Shapes use attn's letters: B batch, T time, C channels, H heads, D head dim,
// V vocabulary, N rows.
#include <cstdint>
#include <vector>

#include "attn/autograd/tape.h"

namespace attn::ops {

// ---- linear algebra (linear.cpp) ----
// x [..., I], w [O, I], b [O] (may be undefined) -> y [..., O];  y = x·wᵀ + b
Variable linear(Context& ctx, const Variable& x, const Variable& w, const Variable& b);
// a [..., M, K], b [..., K, N] (same leading dims) -> [..., M, N]; trans_b: b is [..., N, K]
Variable matmul(Context& ctx, const Variable& a, const Variable& b, bool trans_b = false);

// ---- elementwise (elementwise.cpp) ----
Variable add(Context& ctx, const Variable& a, const Variable& b);  // same shape
// x [B, T, C] + p [T', C] with T <= T' (rows 0..T-1 of p broadcast over B)
Variable add_rows(Context& ctx, const Variable& x, const Variable& p);
Variable scale(Context& ctx, const Variable& x, float s);
Variable relu(Context& ctx, const Variable& x);
enum class GeluApprox { none, tanh };  // none = exact erf form (PyTorch default)
Variable gelu(Context& ctx, const Variable& x, GeluApprox approx);
Variable sigmoid(Context& ctx, const Variable& x);
// Inverted dropout: active only when ctx.training and p > 0; draws from ctx.rng.
Variable dropout(Context& ctx, const Variable& x, float p);
// Same storage, new shape (gradient reshaped back).
Variable reshape(Context& ctx, const Variable& x, const Shape& shape);

// ---- normalisation (layer_norm.cpp) ----
// x [..., C], gamma [C], beta [C] -> [..., C]
Variable layer_norm(Context& ctx, const Variable& x, const Variable& gamma, const Variable& beta,
                    float eps);
// The residual add and the layer norm after it, fused: sum = a + b (same shape
// [..., C]) and normed = layer_norm(sum). Equal bit for bit to add() followed by
// layer_norm(); both outputs may be used (a pre-norm block keeps sum as its
// residual stream, a post-norm block uses only normed).
struct AddNorm {
  Variable sum, normed;
};
AddNorm add_layer_norm(Context& ctx, const Variable& a, const Variable& b, const Variable& gamma,
                       const Variable& beta, float eps);

// ---- embedding (embedding.cpp) ----
// table [V, C], ids (numel = prod(ids_shape), each in [0, V)) -> ids_shape + [C]
// Throws attn::Error naming the first out-of-range id and its position.
Variable embedding(Context& ctx, const Variable& table, const std::vector<std::int32_t>& ids,
                   const Shape& ids_shape);

// ---- attention (attention.cpp) ----
// x [B, T, H*D] -> [B, H, T, D]
Variable split_heads(Context& ctx, const Variable& x, int heads);
// x [B, H, T, D] -> [B, T, H*D]
Variable merge_heads(Context& ctx, const Variable& x);

// Boolean "may attend" mask and/or additive float bias for attention scores.
// allow: u8 [B, Tq, Tk] or [Tq, Tk] (1 = may attend), or undefined = all allowed.
// bias: f32 [Tq, Tk] or [B, Tq, Tk] added to scaled scores, or undefined. -inf allowed.
// A query row with no allowed key gets all-zero probabilities (never NaN).
struct AttentionMask {
  Tensor allow;
  Tensor bias;
  bool causal = false;  // query i sees keys j <= i + (Tk - Tq); combines with allow and bias
};
// q [B, H, Tq, D], k [B, H, Tk, D], v [B, H, Tk, Dv] -> [B, H, Tq, Dv]
// softmax(q·kᵀ·scale + bias, masked) with dropout on the probabilities.
// If probs_out is non-null it receives the probabilities [B, H, Tq, Tk] (before dropout),
// computed by the naive kernels; otherwise, for Tq >= 3, the flash kernels run, with
// no [Tq, Tk] buffer in forward or backward (the naive reference under ATTN_FORCE_REF).
Variable attention(Context& ctx, const Variable& q, const Variable& k, const Variable& v,
                   const AttentionMask& mask, float scale, float dropout_p,
                   Tensor* probs_out = nullptr);

// ---- pooling (pooling.cpp) ----
// x [B, T, C], valid u8 [B, T] (1 = real token; undefined = all valid) -> [B, C]
// Mean over valid positions (a row with none gives zeros).
Variable mean_pool(Context& ctx, const Variable& x, const Tensor& valid);
// Max over valid positions (a row with none gives zeros); gradient to the argmax.
Variable max_pool(Context& ctx, const Variable& x, const Tensor& valid);
// x [B, T, C] -> x[:, t, :] as [B, C]
Variable select_time(Context& ctx, const Variable& x, std::int64_t t);

// ---- losses (losses.cpp); each returns a 1-element mean ----
// logits [N] or [N, 1], targets N values in [0, 1]; optional per-example weights.
Variable bce_with_logits(Context& ctx, const Variable& logits, const std::vector<float>& targets);
// logits [N, V], targets N ids; entries equal to ignore_index are skipped; the
// mean is over non-ignored rows. label_smoothing as in PyTorch's cross_entropy.
Variable cross_entropy(Context& ctx, const Variable& logits,
                       const std::vector<std::int32_t>& targets, float label_smoothing = 0.0f,
                       std::int32_t ignore_index = -100);

}  // namespace attn::ops
