#pragma once
// Naive (materialised N×N) scaled dot-product attention, forward and backward,
// over raw pointers: one (batch, head) pair per task, with K/V transposed into
// per-task scratch so the inner loops are contiguous and vectorise (register
// paths for head sizes 16/32/64/128). tests/kernels/attention_ref.h holds the
// double-precision reference it is checked against. flash_attention.h computes
// the same function without the [Tq, Tk] probabilities; this one keeps them for
// callers that want them (attention maps).
//
// Work is split over B*H with attn::parallel_for and each pair is computed
// entirely by one thread, and dropout decisions are a pure hash of the element
// index, so results are bit-identical for any thread count.
#include <cstdint>

namespace attn::kernels {

struct AttentionDims {
  std::int64_t batch = 0, heads = 0, tq = 0, tk = 0, d = 0, dv = 0;
};

// Optional mask parts. allow (u8, 1 = may attend) and bias (f32, added to the
// scaled scores, may hold -inf) are each [Tq, Tk] shared by the batch or
// [B, Tq, Tk] (the *_batched flag); null means absent. Heads share the mask.
// causal allows query i only keys j <= i + (Tk - Tq) (the last query row sees
// every key), without an allow buffer; it combines with the other parts.
struct AttentionMaskView {
  const std::uint8_t* allow = nullptr;
  bool allow_batched = false;
  const float* bias = nullptr;
  bool bias_batched = false;
  bool causal = false;
};

// One past the last key query row i (of tq) may attend: the causal cut, then
// the last allowed entry of allow_row ([tk], may be null); 0 if there is none.
std::int64_t allowed_key_end(const AttentionMaskView& mask, const std::uint8_t* allow_row,
                             std::int64_t i, std::int64_t tq, std::int64_t tk);

// Inverted dropout on the probabilities: element e of probs [B,H,Tq,Tk] is kept
// iff bits_to_unit(counter_hash(seed, key, e)) >= p, and kept ones are scaled
// by 1/(1-p). p == 0 disables it.
struct AttentionDropout {
  float p = 0.0f;
  std::uint64_t seed = 0;
  std::uint64_t key = 0;
};

// q [B,H,Tq,D], k [B,H,Tk,D], v [B,H,Tk,Dv] -> out [B,H,Tq,Dv], probs [B,H,Tq,Tk]
// probs = masked softmax(scale·q·kᵀ + bias) (saved for backward, before dropout);
// a key is masked when allow says 0, causal excludes it, or its bias is -inf;
// out = dropout(probs)·v. A query row with no allowed key gets zero probabilities.
void attention_forward(const AttentionDims& dims, const float* q, const float* k, const float* v,
                       const AttentionMaskView& mask, float scale, const AttentionDropout& drop,
                       float* probs, float* out);

// probs [B,H,Tq,Tk] from forward, dout [B,H,Tq,Dv] ->
// dq [B,H,Tq,D] +=, dk [B,H,Tk,D] +=, dv [B,H,Tk,Dv] += (each may be null = not needed).
// The mask is not needed: masked entries have probability 0 and so no gradient.
void attention_backward(const AttentionDims& dims, const float* q, const float* k, const float* v,
                        const float* probs, float scale, const AttentionDropout& drop,
                        const float* dout, float* dq, float* dk, float* dv);

// Plain scalar twins of the two kernels above, same contracts (attention_ref.cpp);
// the fast kernels use them when use_reference_kernels() (ATTN_FORCE_REF=1).
void attention_forward_ref(const AttentionDims& dims, const float* q, const float* k,
                           const float* v, const AttentionMaskView& mask, float scale,
                           const AttentionDropout& drop, float* probs, float* out);
void attention_backward_ref(const AttentionDims& dims, const float* q, const float* k,
                            const float* v, const float* probs, float scale,
                            const AttentionDropout& drop, const float* dout, float* dq, float* dk,
                            float* dv);

}  // namespace attn::kernels
