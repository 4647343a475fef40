#include "attn/kernels/flash_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "attn/core/thread_pool.h"
#include "attn/kernels/attention_dropout.h"
#include "attn/kernels/scratch.h"
#include "attn/kernels/tile_gemm.h"
#include "attn/kernels/vec_math.h"

namespace attn::kernels {

// Owners of the per-thread scratch buffers (kernels/scratch.h).
struct FlashForward;
struct FlashBackward;
namespace {

// 64 × 64 tiles: a tile of scores, of Q, of Kᵀ and of V (head size 64) are
// 16 KB each, so one step's operands stay in L1/L2 while tile_gemm streams them.
constexpr std::int64_t kBlockQ = 64;
constexpr std::int64_t kBlockK = 64;
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// One (batch, head) pair's inputs and its batch element's mask rows.
struct Head {
  const float* q = nullptr;             // [Tq, D]
  const float* k = nullptr;             // [Tk, D]
  const float* v = nullptr;             // [Tk, Dv]
  const std::uint8_t* allow = nullptr;  // [Tq, Tk] or null
  const float* bias = nullptr;          // [Tq, Tk] or null
};

Head head_at(const AttentionDims& d, std::int64_t bh, const float* q, const float* k,
             const float* v, const AttentionMaskView& mask) {
  const std::int64_t b = bh / d.heads, plane = d.tq * d.tk;
  Head h;
  h.q = q + bh * d.tq * d.d;
  h.k = k + bh * d.tk * d.d;
  h.v = v + bh * d.tk * d.dv;
  if (mask.allow != nullptr) h.allow = mask.allow + (mask.allow_batched ? b * plane : 0);
  if (mask.bias != nullptr) h.bias = mask.bias + (mask.bias_batched ? b * plane : 0);
  return h;
}

// x [rows, cols] (row stride ld) -> xt [cols, rows] (row stride ldt)
void transpose(const float* x, std::int64_t rows, std::int64_t cols, std::int64_t ld, float* xt,
               std::int64_t ldt) {
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) xt[c * ldt + r] = x[r * ld + c];
}

// key_end[r] = allowed_key_end of query i0 + r, for rows rows; returns their maximum.
std::int64_t key_ends(const AttentionDims& d, const AttentionMaskView& mask, const Head& h,
                      std::int64_t i0, std::int64_t rows, std::int64_t* key_end) {
  std::int64_t most = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t i = i0 + r;
    key_end[r] = allowed_key_end(mask, h.allow ? h.allow + i * d.tk : nullptr, i, d.tq, d.tk);
    most = std::max(most, key_end[r]);
  }
  return most;
}

// Scores are kept transposed, st [cols keys, rows queries], so every per-query
// step (mask, running max, exp, sums) is a loop over contiguous queries that
// vectorises, and the products need no per-tile transpose (tile_gemm_at reads
// st as its transpose). st holds k·qᵀ of keys j0.. against queries i0..; it
// becomes scale·s + bias, and -inf where the key is masked (not allowed, or at
// or past the query's key end), as the naive kernel's masked softmax sees it.
void mask_scores(float* st, std::int64_t cols, std::int64_t rows, std::int64_t i0, std::int64_t j0,
                 std::int64_t tk, const std::int64_t* key_end, const Head& h, float scale) {
  for (std::int64_t c = 0; c < cols; ++c) {
    float* sc = st + c * rows;
    const std::int64_t j = j0 + c;
    for (std::int64_t r = 0; r < rows; ++r) sc[r] *= scale;
    if (h.bias != nullptr)
      for (std::int64_t r = 0; r < rows; ++r) sc[r] += h.bias[(i0 + r) * tk + j];
    if (h.allow != nullptr)
      for (std::int64_t r = 0; r < rows; ++r)
        sc[r] = h.allow[(i0 + r) * tk + j] != 0 ? sc[r] : kNegInf;
    for (std::int64_t r = 0; r < rows; ++r) sc[r] = j < key_end[r] ? sc[r] : kNegInf;
  }
}

// The online-softmax step for one key tile: st [cols, rows] scores become
// exp(s - m') with m' = max(m, max s) per query; the running sums l and the
// output rows o [rows, dv] are rescaled to the new maxima. A query that has
// seen only masked keys keeps m = -inf and gets zero weights. top and alpha
// are [rows] scratch.
void online_softmax(float* st, std::int64_t cols, std::int64_t rows, float* m, float* l, float* o,
                    std::int64_t dv, float* top, float* alpha) {
  std::copy(m, m + rows, top);
  for (std::int64_t c = 0; c < cols; ++c)
    for (std::int64_t r = 0; r < rows; ++r) top[r] = std::max(top[r], st[c * rows + r]);
  // A query whose new maximum is still -inf subtracts 0 instead: its scores are
  // all -inf and give exactly 0 (-inf - -inf would be NaN).
  for (std::int64_t r = 0; r < rows; ++r) top[r] = top[r] == kNegInf ? 0.0f : top[r];
  for (std::int64_t r = 0; r < rows; ++r) alpha[r] = exp_nonpos(m[r] - top[r]);  // 0 if m = -inf
  for (std::int64_t r = 0; r < rows; ++r) l[r] *= alpha[r];
  // Per query the sum runs over keys in order, one vector lane per query.
  for (std::int64_t c = 0; c < cols; ++c) {
    float* sc = st + c * rows;
    for (std::int64_t r = 0; r < rows; ++r) {
      sc[r] = exp_nonpos(sc[r] - top[r]);
      l[r] += sc[r];
    }
  }
  for (std::int64_t r = 0; r < rows; ++r) {
    if (alpha[r] != 1.0f)
      for (std::int64_t x = 0; x < dv; ++x) o[r * dv + x] *= alpha[r];
    // Only l == 0 means no allowed key yet; a NaN score makes l NaN, which must
    // stay visible in the output rather than pass for an empty row.
    m[r] = l[r] == 0.0f ? kNegInf : top[r];
  }
}

// ft [cols, rows] = the dropout factors of probs elements row0 + r·tk + c (row0
// = (bh·Tq + i0)·Tk + j0: the naive kernel's element index), built one query at
// a time through f [cols].
void dropout_tile(const AttentionDropout& drop, std::int64_t row0, std::int64_t tk,
                  std::int64_t cols, std::int64_t rows, float* ft, float* f) {
  for (std::int64_t r = 0; r < rows; ++r) {
    dropout_factors(drop, row0 + r * tk, cols, f);
    for (std::int64_t c = 0; c < cols; ++c) ft[c * rows + r] = f[c];
  }
}

// Tasks of about 32k multiply-adds or more: smaller ones cost more to hand out.
std::int64_t grain_for(std::int64_t work_per_task) {
  return std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(1, work_per_task));
}

}  // namespace

void flash_attention_forward(const AttentionDims& dims, const float* q, const float* k,
                             const float* v, const AttentionMaskView& mask, float scale,
                             const AttentionDropout& drop, float* out, float* lse) {
  // Plain copies, not a structured binding: clang 14 cannot capture those in lambdas.
  const std::int64_t Tq = dims.tq, Tk = dims.tk, D = dims.d, Dv = dims.dv;
  const bool dropout = drop.p > 0.0f;
  const std::int64_t q_tiles = (Tq + kBlockQ - 1) / kBlockQ;
  const std::int64_t tasks = dims.batch * dims.heads * q_tiles;
  const std::int64_t grain = grain_for(std::min(Tq, kBlockQ) * Tk * (D + Dv));
  parallel_for(tasks, grain, [&](std::int64_t begin, std::int64_t end) {
    // Per-chunk scratch: qt [D, kBlockQ] (the query tile transposed), st
    // [kBlockK, kBlockQ] (scores, then weights), o [kBlockQ, Dv] (unnormalised
    // output), ft [kBlockK, kBlockQ] and f [kBlockK] (dropout factors), the
    // queries' softmax state.
    auto& qt = scratch<FlashForward, float, 0>(static_cast<std::size_t>(D * kBlockQ));
    auto& st = scratch<FlashForward, float, 1>(static_cast<std::size_t>(kBlockK * kBlockQ));
    auto& o = scratch<FlashForward, float, 2>(static_cast<std::size_t>(kBlockQ * Dv));
    auto& ft = scratch<FlashForward, float, 3>(dropout ? st.size() : 0);
    auto& f = scratch<FlashForward, float, 4>(dropout ? kBlockK : 0);
    float m[kBlockQ], l[kBlockQ], top[kBlockQ], alpha[kBlockQ];
    std::int64_t key_end[kBlockQ];
    for (std::int64_t task = begin; task < end; ++task) {
      const std::int64_t bh = task / q_tiles;
      const std::int64_t i0 = (task % q_tiles) * kBlockQ;
      const std::int64_t rows = std::min(kBlockQ, Tq - i0);
      const Head h = head_at(dims, bh, q, k, v, mask);
      const std::int64_t tile_end = key_ends(dims, mask, h, i0, rows, key_end);
      transpose(h.q + i0 * D, rows, D, D, qt.data(), rows);
      std::fill(m, m + rows, kNegInf);
      std::fill(l, l + rows, 0.0f);
      std::fill(o.begin(), o.begin() + rows * Dv, 0.0f);
      // Key tiles past every query's last allowed key (a causal mask's upper
      // triangle) are never touched.
      for (std::int64_t j0 = 0; j0 < tile_end; j0 += kBlockK) {
        const std::int64_t cols = std::min(kBlockK, tile_end - j0);
        tile_gemm(cols, rows, D, h.k + j0 * D, D, qt.data(), rows, st.data(), rows, false);
        mask_scores(st.data(), cols, rows, i0, j0, Tk, key_end, h, scale);
        online_softmax(st.data(), cols, rows, m, l, o.data(), Dv, top, alpha);
        if (dropout) {
          dropout_tile(drop, (bh * Tq + i0) * Tk + j0, Tk, cols, rows, ft.data(), f.data());
          for (std::int64_t x = 0; x < cols * rows; ++x) st[x] *= ft[x];
        }
        tile_gemm_at(rows, Dv, cols, st.data(), rows, h.v + j0 * Dv, Dv, o.data(), Dv, true);
      }
      for (std::int64_t r = 0; r < rows; ++r) {
        const std::int64_t i = bh * Tq + i0 + r;
        float* dst = out + i * Dv;
        const float* src = o.data() + r * Dv;
        if (l[r] != 0.0f) {  // a NaN l propagates
          const float inv = 1.0f / l[r];
          for (std::int64_t c = 0; c < Dv; ++c) dst[c] = src[c] * inv;
          lse[i] = m[r] + std::log(l[r]);
        } else {
          std::fill(dst, dst + Dv, 0.0f);
          lse[i] = kNegInf;
        }
      }
    }
  });
}

void flash_attention_backward(const AttentionDims& dims, const float* q, const float* k,
                              const float* v, const AttentionMaskView& mask, float scale,
                              const AttentionDropout& drop, const float* out, const float* lse,
                              const float* dout, float* dq, float* dk, float* dv) {
  // Plain copies, not a structured binding: clang 14 cannot capture those in lambdas.
  const std::int64_t Tq = dims.tq, Tk = dims.tk, D = dims.d, Dv = dims.dv;
  const bool dropout = drop.p > 0.0f;
  const bool need_scores_grad = dq != nullptr || dk != nullptr;
  if (!need_scores_grad && dv == nullptr) return;
  const std::int64_t q_tiles = (Tq + kBlockQ - 1) / kBlockQ;
  const std::int64_t grain = grain_for(Tq * Tk * (D + Dv));
  // One task per (batch, head): dq rows collect from every key tile and dk/dv
  // rows from every query tile, so a head's tiles stay on one thread.
  parallel_for(dims.batch * dims.heads, grain, [&](std::int64_t begin, std::int64_t end) {
    // Per-chunk scratch. Per head: key_end [Tq], tile_end [q_tiles], delta [Tq]
    // (dout_i · out_i, which equals Σ_j p_ij dp_ij), qt [q_tiles, D, kBlockQ] and
    // gt [q_tiles, Dv, kBlockQ] (each query tile of q and dout transposed, so score
    // tiles come out transposed; tile-major, because rows Tq floats apart would
    // alias in L1 when Tq is a multiple of 1024). Per key tile:
    // dk_acc / dv_acc (its gradients). Per tile pair, all [kBlockK, kBlockQ]:
    // pt (probabilities, then dS), dpt, ft (dropout factors) and pft (p·f).
    const std::size_t tile = static_cast<std::size_t>(kBlockQ * kBlockK);
    auto& key_end = scratch<FlashBackward, std::int64_t, 0>(static_cast<std::size_t>(Tq));
    auto& tile_end = scratch<FlashBackward, std::int64_t, 1>(static_cast<std::size_t>(q_tiles));
    auto& delta = scratch<FlashBackward, float, 0>(static_cast<std::size_t>(Tq));
    const std::int64_t padded = q_tiles * kBlockQ;
    auto& qt = scratch<FlashBackward, float, 1>(static_cast<std::size_t>(D * padded));
    auto& gt = scratch<FlashBackward, float, 2>(
        need_scores_grad ? static_cast<std::size_t>(Dv * padded) : 0);
    auto& dk_acc = scratch<FlashBackward, float, 3>(static_cast<std::size_t>(kBlockK * D));
    auto& dv_acc = scratch<FlashBackward, float, 4>(static_cast<std::size_t>(kBlockK * Dv));
    auto& pt = scratch<FlashBackward, float, 5>(tile);
    auto& dpt = scratch<FlashBackward, float, 6>(need_scores_grad ? tile : 0);
    auto& ft = scratch<FlashBackward, float, 7>(dropout ? tile : 0);
    auto& pft = scratch<FlashBackward, float, 8>(dropout ? tile : 0);
    auto& f = scratch<FlashBackward, float, 9>(dropout ? kBlockK : 0);
    for (std::int64_t bh = begin; bh < end; ++bh) {
      const Head h = head_at(dims, bh, q, k, v, mask);
      const float* oh = out + bh * Tq * Dv;
      const float* gh = dout + bh * Tq * Dv;
      const float* lh = lse + bh * Tq;
      std::int64_t keys = 0;
      for (std::int64_t ti = 0; ti < q_tiles; ++ti) {
        const std::int64_t i0 = ti * kBlockQ;
        tile_end[ti] = key_ends(dims, mask, h, i0, std::min(kBlockQ, Tq - i0), &key_end[i0]);
        keys = std::max(keys, tile_end[ti]);
      }
      for (std::int64_t i = 0; i < Tq; ++i) {
        float sum = 0.0f;
        for (std::int64_t c = 0; c < Dv; ++c) sum += gh[i * Dv + c] * oh[i * Dv + c];
        delta[i] = sum;
      }
      for (std::int64_t ti = 0; ti < q_tiles; ++ti) {
        const std::int64_t i0 = ti * kBlockQ, rows = std::min(kBlockQ, Tq - i0);
        transpose(h.q + i0 * D, rows, D, D, qt.data() + ti * D * kBlockQ, kBlockQ);
        if (need_scores_grad)
          transpose(gh + i0 * Dv, rows, Dv, Dv, gt.data() + ti * Dv * kBlockQ, kBlockQ);
      }
      for (std::int64_t j0 = 0; j0 < keys; j0 += kBlockK) {
        const std::int64_t cols = std::min(kBlockK, keys - j0);
        const float* kj = h.k + j0 * D;
        const float* vj = h.v + j0 * Dv;
        std::fill(dk_acc.begin(), dk_acc.begin() + cols * D, 0.0f);
        std::fill(dv_acc.begin(), dv_acc.begin() + cols * Dv, 0.0f);
        for (std::int64_t ti = 0; ti < q_tiles; ++ti) {
          if (tile_end[ti] <= j0) continue;  // every key of this tile is masked for these rows
          const std::int64_t i0 = ti * kBlockQ;
          const std::int64_t rows = std::min(kBlockQ, Tq - i0);
          // The forward's probabilities, recomputed: exp(score - lse), 0 for a
          // query with no allowed key (its lse is -inf).
          tile_gemm(cols, rows, D, kj, D, qt.data() + ti * D * kBlockQ, kBlockQ, pt.data(), rows,
                    false);
          mask_scores(pt.data(), cols, rows, i0, j0, Tk, &key_end[i0], h, scale);
          const float* li = lh + i0;
          for (std::int64_t c = 0; c < cols; ++c) {
            float* pc = pt.data() + c * rows;
            for (std::int64_t r = 0; r < rows; ++r)
              pc[r] = li[r] == kNegInf ? 0.0f : exp_nonpos(pc[r] - li[r]);
          }
          const float* weights = pt.data();  // what multiplied v in forward
          if (dropout) {
            dropout_tile(drop, (bh * Tq + i0) * Tk + j0, Tk, cols, rows, ft.data(), f.data());
            for (std::int64_t x = 0; x < cols * rows; ++x) pft[x] = pt[x] * ft[x];
            weights = pft.data();
          }
          // out_i = Σ_j p_ij f_ij v_j, so dv_j += Σ_i p_ij f_ij dout_i.
          if (dv != nullptr)
            tile_gemm(cols, Dv, rows, weights, rows, gh + i0 * Dv, Dv, dv_acc.data(), Dv, true);
          if (!need_scores_grad) continue;
          // dp = dout·vᵀ (times the dropout factor); dS = scale·p·(dp - delta).
          tile_gemm(cols, rows, Dv, vj, Dv, gt.data() + ti * Dv * kBlockQ, kBlockQ, dpt.data(),
                    rows, false);
          const float* di = delta.data() + i0;
          for (std::int64_t c = 0; c < cols; ++c) {
            float* pc = pt.data() + c * rows;
            const float* dpc = dpt.data() + c * rows;
            if (dropout) {
              const float* fc = ft.data() + c * rows;
              for (std::int64_t r = 0; r < rows; ++r) {
                const float g = fc[r] != 0.0f ? fc[r] * dpc[r] : 0.0f;
                pc[r] = scale * pc[r] * (g - di[r]);
              }
            } else {
              for (std::int64_t r = 0; r < rows; ++r) pc[r] = scale * pc[r] * (dpc[r] - di[r]);
            }
          }
          if (dq != nullptr)
            tile_gemm_at(rows, D, cols, pt.data(), rows, kj, D, dq + (bh * Tq + i0) * D, D, true);
          if (dk != nullptr)
            tile_gemm(cols, D, rows, pt.data(), rows, h.q + i0 * D, D, dk_acc.data(), D, true);
        }
        if (dk != nullptr) {
          float* dst = dk + (bh * Tk + j0) * D;
          for (std::int64_t x = 0; x < cols * D; ++x) dst[x] += dk_acc[x];
        }
        if (dv != nullptr) {
          float* dst = dv + (bh * Tk + j0) * Dv;
          for (std::int64_t x = 0; x < cols * Dv; ++x) dst[x] += dv_acc[x];
        }
      }
    }
  });
}

}  // namespace attn::kernels
