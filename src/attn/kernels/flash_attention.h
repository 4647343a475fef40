#pragma once
// Flash attention: the function of attention_forward / attention_backward
// (attention.h: same inputs, mask, scale, dropout and results up to rounding),
// computed in tiles of 64 queries × 64 keys with an online softmax (Dao et al.,
// "FlashAttention", 2022; the loop order of "FlashAttention-2", Dao 2023), so no
// [Tq, Tk] buffer exists: extra memory is O(Tq) per head plus a few tiles per
// thread. Tiles past a row block's last allowed key (the upper triangle of a
// causal mask) are skipped. Backward recomputes the probabilities from the
// saved log-sum-exp.
//
// One contract differs from the naive kernels: a masked key inside a tile that
// is computed (e.g. on a causal diagonal) has weight 0 that multiplies its k and
// v rows, so those rows must be finite (they are: real tokens or padding
// embeddings); keys past every row's last allowed one are never read.
//
// Forward work is split over (batch, head, query tile) and backward over
// (batch, head); each unit is computed by one thread in a fixed order, so
// results are bit-identical for any thread count.
#include <cstdint>

#include "attn/kernels/attention.h"

namespace attn::kernels {

// q [B,H,Tq,D], k [B,H,Tk,D], v [B,H,Tk,Dv] -> out [B,H,Tq,Dv] and
// lse [B,H,Tq] = log Σ_j exp(scale·q_i·k_j + bias_ij) over the row's allowed
// keys (-inf for a row with none, whose output is 0).
void flash_attention_forward(const AttentionDims& dims, const float* q, const float* k,
                             const float* v, const AttentionMaskView& mask, float scale,
                             const AttentionDropout& drop, float* out, float* lse);

// out and lse from the forward with the same mask, scale and dropout; dout
// [B,H,Tq,Dv] -> dq [B,H,Tq,D] +=, dk [B,H,Tk,D] +=, dv [B,H,Tk,Dv] += (each
// may be null = not needed).
void flash_attention_backward(const AttentionDims& dims, const float* q, const float* k,
                              const float* v, const AttentionMaskView& mask, float scale,
                              const AttentionDropout& drop, const float* out, const float* lse,
                              const float* dout, float* dq, float* dk, float* dv);

}  // namespace attn::kernels
