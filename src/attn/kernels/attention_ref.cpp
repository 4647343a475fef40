// The plain scalar reference for kernels/attention.cpp (the project's first
// attention kernel, kept as the algorithmic reference and the ATTN_FORCE_REF path):
// one (batch, head) pair per task, a dot product per score, row-by-row axpy.
#include <algorithm>
#include <vector>

#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "attn/kernels/attention.h"
#include "attn/kernels/softmax.h"

namespace attn::kernels {
namespace {

// Multiplier dropout applies to element e of probs: 0 (dropped) or 1/(1-p).
inline float dropout_factor(const AttentionDropout& drop, std::int64_t e) {
  if (drop.p <= 0.0f) return 1.0f;
  const float u = bits_to_unit(counter_hash(drop.seed, drop.key, static_cast<std::uint64_t>(e)));
  return u >= drop.p ? 1.0f / (1.0f - drop.p) : 0.0f;
}

inline float dot(const float* a, const float* b, std::int64_t n) {
  float s = 0.0f;
  for (std::int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// y [n] += a * x [n]
inline void axpy(float a, const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// One task per (batch, head) pair; a pair's cost is about Tq*Tk*(D+Dv), so a
// grain of 1 is right except for tiny heads where threading costs more.
std::int64_t head_grain(const AttentionDims& d) {
  const std::int64_t work = std::max<std::int64_t>(1, d.tq * d.tk * (d.d + d.dv));
  return std::max<std::int64_t>(1, 32768 / work);
}

}  // namespace

void attention_forward_ref(const AttentionDims& dims, const float* q, const float* k,
                           const float* v, const AttentionMaskView& mask, float scale,
                           const AttentionDropout& drop, float* probs, float* out) {
  // Plain copies, not a structured binding: clang 14 cannot capture those in lambdas.
  const std::int64_t B = dims.batch, H = dims.heads, Tq = dims.tq, Tk = dims.tk, D = dims.d,
                     Dv = dims.dv;
  parallel_for(B * H, head_grain(dims), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t bh = begin; bh < end; ++bh) {
      const std::int64_t b = bh / H;
      const float* qh = q + bh * Tq * D;
      const float* kh = k + bh * Tk * D;
      const float* vh = v + bh * Tk * Dv;
      const std::uint8_t* allow =
          mask.allow ? mask.allow + (mask.allow_batched ? b * Tq * Tk : 0) : nullptr;
      const float* bias = mask.bias ? mask.bias + (mask.bias_batched ? b * Tq * Tk : 0) : nullptr;
      for (std::int64_t i = 0; i < Tq; ++i) {
        const std::int64_t row = (bh * Tq + i) * Tk;
        float* p = probs + row;
        for (std::int64_t j = 0; j < Tk; ++j) p[j] = dot(qh + i * D, kh + j * D, D);
        // Keys past a causal row's end are masked: the softmax runs over the rest.
        const std::int64_t kend = allowed_key_end(mask, nullptr, i, Tq, Tk);
        std::fill(p + kend, p + Tk, 0.0f);
        if (kend > 0)
          masked_softmax_forward_ref(p, allow ? allow + i * Tk : nullptr,
                                     bias ? bias + i * Tk : nullptr, scale, p, 1, kend);
        float* o = out + (bh * Tq + i) * Dv;
        std::fill(o, o + Dv, 0.0f);
        for (std::int64_t j = 0; j < Tk; ++j) {
          const float w = p[j] * dropout_factor(drop, row + j);
          // Skipping zero weights keeps masked keys out entirely (0·inf would be NaN).
          if (w != 0.0f) axpy(w, vh + j * Dv, o, Dv);
        }
      }
    }
  });
}

void attention_backward_ref(const AttentionDims& dims, const float* q, const float* k,
                            const float* v, const float* probs, float scale,
                            const AttentionDropout& drop, const float* dout, float* dq, float* dk,
                            float* dv) {
  // Plain copies, not a structured binding: clang 14 cannot capture those in lambdas.
  const std::int64_t B = dims.batch, H = dims.heads, Tq = dims.tq, Tk = dims.tk, D = dims.d,
                     Dv = dims.dv;
  const bool need_scores_grad = dq != nullptr || dk != nullptr;
  parallel_for(B * H, head_grain(dims), [&](std::int64_t begin, std::int64_t end) {
    // dp: gradient w.r.t. one row of probs; ds: w.r.t. that row of raw q·kᵀ.
    std::vector<float> dp(static_cast<std::size_t>(Tk)), ds(static_cast<std::size_t>(Tk));
    for (std::int64_t bh = begin; bh < end; ++bh) {
      const float* qh = q + bh * Tq * D;
      const float* kh = k + bh * Tk * D;
      const float* vh = v + bh * Tk * Dv;
      for (std::int64_t i = 0; i < Tq; ++i) {
        const std::int64_t row = (bh * Tq + i) * Tk;
        const float* p = probs + row;
        const float* g = dout + (bh * Tq + i) * Dv;
        for (std::int64_t j = 0; j < Tk; ++j) {
          const float f = dropout_factor(drop, row + j);
          // out_i = Σ_j p_ij f_ij v_j
          if (dv != nullptr && p[j] * f != 0.0f) axpy(p[j] * f, g, dv + (bh * Tk + j) * Dv, Dv);
          dp[j] = f != 0.0f ? f * dot(g, vh + j * Dv, Dv) : 0.0f;
        }
        if (!need_scores_grad) continue;
        std::fill(ds.begin(), ds.end(), 0.0f);
        masked_softmax_backward_ref(p, dp.data(), scale, ds.data(), 1, Tk);
        for (std::int64_t j = 0; j < Tk; ++j) {
          if (ds[j] == 0.0f) continue;
          if (dq != nullptr) axpy(ds[j], kh + j * D, dq + (bh * Tq + i) * D, D);
          if (dk != nullptr) axpy(ds[j], qh + i * D, dk + (bh * Tk + j) * D, D);
        }
      }
    }
  });
}

}  // namespace attn::kernels
