#include "attn/kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "attn/core/thread_pool.h"
#include "attn/kernels/attention_dropout.h"
#include "attn/kernels/reference_mode.h"
#include "attn/kernels/softmax.h"

namespace attn::kernels {
namespace {

// Every inner loop below runs over a contiguous index (keys j or features c)
// with no reduction across iterations, so GCC vectorises it at -O3 without
// -ffast-math; the q·kᵀ and dout·vᵀ reductions over the feature axis become
// axpy loops over keys by reading a transposed copy of K (or V) of the head.

// The index of the last nonzero of x [n], or -1 if there is none.
template <typename T>
std::int64_t last_nonzero(const T* x, std::int64_t n) {
  std::int64_t j = n - 1;
  while (j >= 0 && x[j] == T{0}) --j;
  return j;
}

// x [rows, cols] -> xt [cols, rows]
void transpose(const float* x, std::int64_t rows, std::int64_t cols, float* xt) {
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) xt[c * rows + r] = x[r * cols + c];
}

// a [n], bt [n, ld] -> y [m] = a·bt[:, :m] (m <= ld). Each y_j is summed over n in
// order, like a plain dot product, but with the m columns as the vectorised inner
// loop; columns go in tiles of kTile whose sums stay in registers across the n loop.
void row_times_matrix(const float* a, const float* bt, std::int64_t n, std::int64_t m,
                      std::int64_t ld, float* y) {
  constexpr std::int64_t kTile = 128;
  std::int64_t j0 = 0;
  for (; j0 + kTile <= m; j0 += kTile) {
    float acc[kTile] = {};
    for (std::int64_t d = 0; d < n; ++d) {
      const float ad = a[d];
      const float* br = bt + d * ld + j0;
      for (std::int64_t j = 0; j < kTile; ++j) acc[j] += ad * br[j];
    }
    std::copy(acc, acc + kTile, y + j0);
  }
  if (j0 == m) return;
  std::fill(y + j0, y + m, 0.0f);
  for (std::int64_t d = 0; d < n; ++d) {
    const float ad = a[d];
    const float* br = bt + d * ld;
    for (std::int64_t j = j0; j < m; ++j) y[j] += ad * br[j];
  }
}

// y [n] += a * x [n]
inline void axpy(float a, const float* x, float* y, std::int64_t n) {
  for (std::int64_t c = 0; c < n; ++c) y[c] += a * x[c];
}

// w [rows], x [rows, kC] -> y [kC] += Σ_j w_j x_j, skipping zero weights (a
// masked key's row must not contribute even if it holds inf). The fixed width
// lets the sums live in vector registers instead of a store-to-load chain
// through y, and kU interleaved partial sums (rows j ≡ u mod kU) hide the
// add latency; the order is fixed, so results do not depend on threads.
template <int kC>
void weighted_row_sum_fixed(const float* w, const float* x, std::int64_t rows, float* y) {
  constexpr int kU = kC >= 128 ? 1 : 128 / kC;
  float acc[kU][kC] = {};
  std::int64_t j = 0;
  for (; j + kU <= rows; j += kU) {
    for (int u = 0; u < kU; ++u) {
      const float wj = w[j + u];
      if (wj == 0.0f) continue;
      const float* xj = x + (j + u) * kC;
      for (int c = 0; c < kC; ++c) acc[u][c] += wj * xj[c];
    }
  }
  for (; j < rows; ++j) {
    const float wj = w[j];
    if (wj == 0.0f) continue;
    for (int c = 0; c < kC; ++c) acc[0][c] += wj * x[j * kC + c];
  }
  for (int u = 1; u < kU; ++u)
    for (int c = 0; c < kC; ++c) acc[0][c] += acc[u][c];
  for (int c = 0; c < kC; ++c) y[c] += acc[0][c];
}

// Same contract as weighted_row_sum_fixed for any width (head sizes 16, 32, 48,
// 64, 96 and 128 take the fixed-width path).
void weighted_row_sum(const float* w, const float* x, std::int64_t rows, std::int64_t cols,
                      float* y) {
  switch (cols) {
    case 16:
      return weighted_row_sum_fixed<16>(w, x, rows, y);
    case 32:
      return weighted_row_sum_fixed<32>(w, x, rows, y);
    case 48:  // d_model 192 or 384 over 4 or 8 heads
      return weighted_row_sum_fixed<48>(w, x, rows, y);
    case 64:
      return weighted_row_sum_fixed<64>(w, x, rows, y);
    case 96:
      return weighted_row_sum_fixed<96>(w, x, rows, y);
    case 128:
      return weighted_row_sum_fixed<128>(w, x, rows, y);
    default:
      break;
  }
  for (std::int64_t j = 0; j < rows; ++j)
    if (w[j] != 0.0f) axpy(w[j], x + j * cols, y, cols);
}

// One task per (batch, head) pair; a pair's cost is about Tq*Tk*(D+Dv), so a
// grain of 1 is right except for tiny heads where threading costs more.
std::int64_t head_grain(const AttentionDims& d) {
  const std::int64_t work = std::max<std::int64_t>(1, d.tq * d.tk * (d.d + d.dv));
  return std::max<std::int64_t>(1, 32768 / work);
}

}  // namespace

std::int64_t allowed_key_end(const AttentionMaskView& mask, const std::uint8_t* allow_row,
                             std::int64_t i, std::int64_t tq, std::int64_t tk) {
  std::int64_t end = mask.causal ? std::clamp<std::int64_t>(i + (tk - tq) + 1, 0, tk) : tk;
  if (allow_row != nullptr) end = last_nonzero(allow_row, end) + 1;
  return end;
}

void attention_forward(const AttentionDims& dims, const float* q, const float* k, const float* v,
                       const AttentionMaskView& mask, float scale, const AttentionDropout& drop,
                       float* probs, float* out) {
  if (use_reference_kernels()) {
    attention_forward_ref(dims, q, k, v, mask, scale, drop, probs, out);
    return;
  }
  // Plain copies, not a structured binding: clang 14 cannot capture those in lambdas.
  const std::int64_t B = dims.batch, H = dims.heads, Tq = dims.tq, Tk = dims.tk, D = dims.d,
                     Dv = dims.dv;
  const bool dropout = drop.p > 0.0f;
  parallel_for(B * H, head_grain(dims), [&](std::int64_t begin, std::int64_t end) {
    // Per-chunk scratch: kt [D, Tk] (this head's K transposed), w [Tk] (one row
    // of dropped-out probabilities).
    std::vector<float> kt(static_cast<std::size_t>(D * Tk));
    std::vector<float> w(dropout ? static_cast<std::size_t>(Tk) : 0);
    for (std::int64_t bh = begin; bh < end; ++bh) {
      const std::int64_t b = bh / H;
      const float* qh = q + bh * Tq * D;
      const float* vh = v + bh * Tk * Dv;
      const std::uint8_t* allow =
          mask.allow ? mask.allow + (mask.allow_batched ? b * Tq * Tk : 0) : nullptr;
      const float* bias = mask.bias ? mask.bias + (mask.bias_batched ? b * Tq * Tk : 0) : nullptr;
      transpose(k + bh * Tk * D, Tk, D, kt.data());
      for (std::int64_t i = 0; i < Tq; ++i) {
        const std::int64_t row = (bh * Tq + i) * Tk;
        float* p = probs + row;
        // Keys past the row's last allowed one (all later keys under a causal
        // mask) get probability 0 whatever their score: skip their dot products.
        const std::uint8_t* allow_i = allow ? allow + i * Tk : nullptr;
        const std::int64_t kend = allowed_key_end(mask, allow_i, i, Tq, Tk);
        row_times_matrix(qh + i * D, kt.data(), D, kend, Tk, p);
        std::fill(p + kend, p + Tk, 0.0f);
        // The softmax runs over the keys before kend only: later ones are masked.
        if (kend > 0)
          masked_softmax_forward(p, allow_i, bias ? bias + i * Tk : nullptr, scale, p, 1, kend);
        float* o = out + (bh * Tq + i) * Dv;
        std::fill(o, o + Dv, 0.0f);
        const float* wi = p;
        if (dropout) {
          dropout_factors(drop, row, Tk, w.data());
          for (std::int64_t j = 0; j < Tk; ++j) w[j] *= p[j];
          wi = w.data();
        }
        weighted_row_sum(wi, vh, kend, Dv, o);
      }
    }
  });
}

void attention_backward(const AttentionDims& dims, const float* q, const float* k, const float* v,
                        const float* probs, float scale, const AttentionDropout& drop,
                        const float* dout, float* dq, float* dk, float* dv) {
  if (use_reference_kernels()) {
    attention_backward_ref(dims, q, k, v, probs, scale, drop, dout, dq, dk, dv);
    return;
  }
  // Plain copies, not a structured binding: clang 14 cannot capture those in lambdas.
  const std::int64_t B = dims.batch, H = dims.heads, Tq = dims.tq, Tk = dims.tk, D = dims.d,
                     Dv = dims.dv;
  const bool dropout = drop.p > 0.0f;
  const bool need_scores_grad = dq != nullptr || dk != nullptr;
  parallel_for(B * H, head_grain(dims), [&](std::int64_t begin, std::int64_t end) {
    // Per-chunk scratch: vt [Dv, Tk] (this head's V transposed); f, dp, ds [Tk]:
    // one query row's dropout factors and gradients w.r.t. its probs and raw
    // q·kᵀ scores; pft, dst [Tk, Tq]: the head's dropped-out probs and ds,
    // transposed, so dv and dk become one register-accumulated sum per key
    // instead of a load-add-store of a key row for every (query, key) pair.
    const std::size_t tk = static_cast<std::size_t>(Tk);
    const std::size_t tq_tk = static_cast<std::size_t>(Tq) * tk;
    std::vector<float> vt(need_scores_grad ? static_cast<std::size_t>(Dv) * tk : 0);
    std::vector<float> f(dropout ? tk : 0), dp(tk), ds(tk);
    std::vector<float> pft(dv != nullptr ? tq_tk : 0), dst(dk != nullptr ? tq_tk : 0);
    for (std::int64_t bh = begin; bh < end; ++bh) {
      const float* qh = q + bh * Tq * D;
      const float* kh = k + bh * Tk * D;
      const float* gh = dout + bh * Tq * Dv;
      if (need_scores_grad) transpose(v + bh * Tk * Dv, Tk, Dv, vt.data());
      for (std::int64_t i = 0; i < Tq; ++i) {
        const std::int64_t row = (bh * Tq + i) * Tk;
        const float* p = probs + row;
        if (dropout) dropout_factors(drop, row, Tk, f.data());
        // out_i = Σ_j p_ij f_ij v_j, so dv_j = Σ_i p_ij f_ij dout_i (summed below).
        if (dv != nullptr) {
          if (dropout) {
            for (std::int64_t j = 0; j < Tk; ++j) pft[j * Tq + i] = p[j] * f[j];
          } else {
            for (std::int64_t j = 0; j < Tk; ++j) pft[j * Tq + i] = p[j];
          }
        }
        if (!need_scores_grad) continue;
        // Probabilities past the last nonzero one (masked keys) have no gradient.
        const std::int64_t pend = last_nonzero(p, Tk) + 1;
        row_times_matrix(gh + i * Dv, vt.data(), Dv, pend, Tk, dp.data());
        std::fill(dp.begin() + pend, dp.end(), 0.0f);
        if (dropout)
          for (std::int64_t j = 0; j < Tk; ++j) dp[j] = f[j] != 0.0f ? f[j] * dp[j] : 0.0f;
        std::fill(ds.begin(), ds.end(), 0.0f);
        masked_softmax_backward(p, dp.data(), scale, ds.data(), 1, Tk);
        if (dq != nullptr) weighted_row_sum(ds.data(), kh, pend, D, dq + (bh * Tq + i) * D);
        if (dk != nullptr)
          for (std::int64_t j = 0; j < Tk; ++j) dst[j * Tq + i] = ds[j];
      }
      for (std::int64_t j = 0; j < Tk; ++j) {
        if (dk != nullptr) weighted_row_sum(dst.data() + j * Tq, qh, Tq, D, dk + (bh * Tk + j) * D);
        if (dv != nullptr)
          weighted_row_sum(pft.data() + j * Tq, gh, Tq, Dv, dv + (bh * Tk + j) * Dv);
      }
    }
  });
}

}  // namespace attn::kernels
