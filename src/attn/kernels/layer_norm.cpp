#include "attn/kernels/layer_norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "attn/core/thread_pool.h"
#include "attn/kernels/reference_mode.h"
#include "attn/kernels/scratch.h"

namespace attn::kernels {

struct LayerNormBackward;  // owners of their scratch buffers (kernels/scratch.h)
struct AddLayerNormBackward;

namespace {

// Rows per block of the dgamma/dbeta partial sums. A constant (not the thread
// count) so the summation order, hence the rounding, is fixed.
constexpr std::int64_t kRowBlock = 32;

// Row sums run in kLanes partial sums (lane l takes the elements c with
// c % kLanes == l, lanes added in order at the end): a fixed order, so results do not depend on
// threads, and one the compiler vectorises (a plain float sum stays scalar
// without -ffast-math).
constexpr std::int64_t kLanes = 16;

float add_lanes(const float* acc) {
  float s = 0.0f;
  for (std::int64_t l = 0; l < kLanes; ++l) s += acc[l];
  return s;
}

// One row: two passes (mean, then centred variance) avoid the cancellation of
// the E[x²] - E[x]² shortcut.
void forward_row(const float* x, const float* gamma, const float* beta, float eps, std::int64_t C,
                 float* y, float* mean_out, float* rstd_out) {
  const std::int64_t full = C / kLanes * kLanes;
  float acc[kLanes] = {};
  for (std::int64_t c0 = 0; c0 < full; c0 += kLanes)
    for (std::int64_t l = 0; l < kLanes; ++l) acc[l] += x[c0 + l];
  for (std::int64_t c = full; c < C; ++c) acc[c - full] += x[c];
  const float mean = C > 0 ? add_lanes(acc) / static_cast<float>(C) : 0.0f;
  float vacc[kLanes] = {};
  for (std::int64_t c0 = 0; c0 < full; c0 += kLanes)
    for (std::int64_t l = 0; l < kLanes; ++l) vacc[l] += (x[c0 + l] - mean) * (x[c0 + l] - mean);
  for (std::int64_t c = full; c < C; ++c) vacc[c - full] += (x[c] - mean) * (x[c] - mean);
  const float var = C > 0 ? add_lanes(vacc) / static_cast<float>(C) : 0.0f;
  const float rstd = 1.0f / std::sqrt(var + eps);
  for (std::int64_t c = 0; c < C; ++c) {
    const float g = gamma ? gamma[c] : 1.0f;
    const float b = beta ? beta[c] : 0.0f;
    y[c] = (x[c] - mean) * rstd * g + b;
  }
  *mean_out = mean;
  *rstd_out = rstd;
}

// dx for one row: rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * gamma;
// added to dx, or written over it. A template, not a flag tested per element, so
// every caller of one form compiles the same expression (whether the compiler
// fuses dx + rstd·t into one FMA must not depend on the call site: the fused
// add + norm is bit-identical to the unfused ops only if it does not).
template <bool Accumulate>
void backward_row_dx(const float* dy, const float* x, const float* gamma, float mean, float rstd,
                     std::int64_t C, float* dx) {
  const std::int64_t full = C / kLanes * kLanes;
  float acc_g[kLanes] = {}, acc_gx[kLanes] = {};
  for (std::int64_t c0 = 0; c0 < full; c0 += kLanes)
    for (std::int64_t l = 0; l < kLanes; ++l) {
      const float g = dy[c0 + l] * (gamma ? gamma[c0 + l] : 1.0f);
      acc_g[l] += g;
      acc_gx[l] += g * (x[c0 + l] - mean) * rstd;
    }
  for (std::int64_t c = full; c < C; ++c) {
    const float g = dy[c] * (gamma ? gamma[c] : 1.0f);
    acc_g[c - full] += g;
    acc_gx[c - full] += g * (x[c] - mean) * rstd;
  }
  const float inv_c = 1.0f / static_cast<float>(C);
  const float mg = add_lanes(acc_g) * inv_c, mgx = add_lanes(acc_gx) * inv_c;
  for (std::int64_t c = 0; c < C; ++c) {
    const float g = dy[c] * (gamma ? gamma[c] : 1.0f);
    const float xhat = (x[c] - mean) * rstd;
    if constexpr (Accumulate)
      dx[c] += rstd * (g - mg - xhat * mgx);
    else
      dx[c] = rstd * (g - mg - xhat * mgx);
  }
}

// dgamma [C] += Σ_rows dy · xhat, dbeta [C] += Σ_rows dy (either may be null).
void param_grads(const float* dy, const float* x, const float* mean, const float* rstd,
                 std::int64_t N, std::int64_t C, float* dgamma, float* dbeta) {
  if (!dgamma && !dbeta) return;
  // Partials [blocks, C] for dgamma and dbeta, one fixed row block each.
  const std::int64_t blocks = (N + kRowBlock - 1) / kRowBlock;
  auto& pg = scratch<LayerNormBackward, float, 0>(static_cast<std::size_t>(blocks * C));
  auto& pb = scratch<LayerNormBackward, float, 1>(static_cast<std::size_t>(blocks * C));
  parallel_for(blocks, 1, [&](std::int64_t b0, std::int64_t b1) {
    for (std::int64_t blk = b0; blk < b1; ++blk) {
      float* g = pg.data() + blk * C;
      float* bb = pb.data() + blk * C;
      const std::int64_t r1 = std::min(N, (blk + 1) * kRowBlock);
      for (std::int64_t r = blk * kRowBlock; r < r1; ++r) {
        const float* dyr = dy + r * C;
        const float* xr = x + r * C;
        for (std::int64_t c = 0; c < C; ++c) {
          g[c] += dyr[c] * (xr[c] - mean[r]) * rstd[r];
          bb[c] += dyr[c];
        }
      }
    }
  });
  for (std::int64_t blk = 0; blk < blocks; ++blk) {
    for (std::int64_t c = 0; c < C; ++c) {
      if (dgamma) dgamma[c] += pg[static_cast<std::size_t>(blk * C + c)];
      if (dbeta) dbeta[c] += pb[static_cast<std::size_t>(blk * C + c)];
    }
  }
}

}  // namespace

void layer_norm_forward(const float* x, const float* gamma, const float* beta, float eps,
                        std::int64_t N, std::int64_t C, float* y, float* mean, float* rstd) {
  if (use_reference_kernels())
    return layer_norm_forward_ref(x, gamma, beta, eps, N, C, y, mean, rstd);
  const std::int64_t grain = std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(C, 1));
  parallel_for(N, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t r = b; r < e; ++r)
      forward_row(x + r * C, gamma, beta, eps, C, y + r * C, mean + r, rstd + r);
  });
}

void layer_norm_forward_ref(const float* x, const float* gamma, const float* beta, float eps,
                            std::int64_t N, std::int64_t C, float* y, float* mean, float* rstd) {
  // Double accumulation makes the reference an independent, tighter answer.
  for (std::int64_t r = 0; r < N; ++r) {
    const float* xr = x + r * C;
    double s = 0.0;
    for (std::int64_t c = 0; c < C; ++c) s += xr[c];
    const double m = C > 0 ? s / static_cast<double>(C) : 0.0;
    double v = 0.0;
    for (std::int64_t c = 0; c < C; ++c) v += (xr[c] - m) * (xr[c] - m);
    v = C > 0 ? v / static_cast<double>(C) : 0.0;
    const double rs = 1.0 / std::sqrt(v + static_cast<double>(eps));
    for (std::int64_t c = 0; c < C; ++c) {
      const double g = gamma ? gamma[c] : 1.0, b = beta ? beta[c] : 0.0;
      y[r * C + c] = static_cast<float>((xr[c] - m) * rs * g + b);
    }
    mean[r] = static_cast<float>(m);
    rstd[r] = static_cast<float>(rs);
  }
}

void layer_norm_backward(const float* dy, const float* x, const float* gamma, const float* mean,
                         const float* rstd, std::int64_t N, std::int64_t C, float* dx,
                         float* dgamma, float* dbeta, bool accumulate_dx) {
  if (use_reference_kernels())
    return layer_norm_backward_ref(dy, x, gamma, mean, rstd, N, C, dx, dgamma, dbeta,
                                   accumulate_dx);
  if (N <= 0 || C <= 0) return;
  if (dx) {
    const std::int64_t grain = std::max<std::int64_t>(1, 4096 / C);
    parallel_for(N, grain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t r = b; r < e; ++r) {
        if (accumulate_dx)
          backward_row_dx<true>(dy + r * C, x + r * C, gamma, mean[r], rstd[r], C, dx + r * C);
        else
          backward_row_dx<false>(dy + r * C, x + r * C, gamma, mean[r], rstd[r], C, dx + r * C);
      }
    });
  }
  param_grads(dy, x, mean, rstd, N, C, dgamma, dbeta);
}

void layer_norm_backward_ref(const float* dy, const float* x, const float* gamma, const float* mean,
                             const float* rstd, std::int64_t N, std::int64_t C, float* dx,
                             float* dgamma, float* dbeta, bool accumulate_dx) {
  for (std::int64_t r = 0; r < N; ++r) {
    const float* dyr = dy + r * C;
    const float* xr = x + r * C;
    double sum_g = 0.0, sum_gx = 0.0;
    for (std::int64_t c = 0; c < C; ++c) {
      const double xhat = (static_cast<double>(xr[c]) - mean[r]) * rstd[r];
      const double g = static_cast<double>(dyr[c]) * (gamma ? gamma[c] : 1.0);
      sum_g += g;
      sum_gx += g * xhat;
      if (dgamma) dgamma[c] += static_cast<float>(dyr[c] * xhat);
      if (dbeta) dbeta[c] += dyr[c];
    }
    if (!dx) continue;
    for (std::int64_t c = 0; c < C; ++c) {
      const double xhat = (static_cast<double>(xr[c]) - mean[r]) * rstd[r];
      const double g = static_cast<double>(dyr[c]) * (gamma ? gamma[c] : 1.0);
      const auto v = static_cast<float>(rstd[r] * (g - sum_g / C - xhat * sum_gx / C));
      dx[r * C + c] = accumulate_dx ? dx[r * C + c] + v : v;
    }
  }
}

void add_layer_norm_forward(const float* a, const float* b, const float* gamma, const float* beta,
                            float eps, std::int64_t N, std::int64_t C, float* s, float* y,
                            float* mean, float* rstd) {
  if (use_reference_kernels()) {
    for (std::int64_t i = 0; i < N * C; ++i) s[i] = a[i] + b[i];
    return layer_norm_forward_ref(s, gamma, beta, eps, N, C, y, mean, rstd);
  }
  const std::int64_t grain = std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(C, 1));
  parallel_for(N, grain, [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) {
      float* sr = s + r * C;  // written, then normalised while still in L1
      for (std::int64_t c = 0; c < C; ++c) sr[c] = a[r * C + c] + b[r * C + c];
      forward_row(sr, gamma, beta, eps, C, y + r * C, mean + r, rstd + r);
    }
  });
}

void add_layer_norm_backward(const float* dy, const float* s, const float* gamma, const float* mean,
                             const float* rstd, std::int64_t N, std::int64_t C, float* ds,
                             float* da, float* db, float* dgamma, float* dbeta, bool accumulate_a,
                             bool accumulate_b) {
  if (N <= 0 || C <= 0) return;
  if (use_reference_kernels()) {
    // The unfused reference: dx into ds (or a zeroed copy), then the add's backward.
    std::vector<float> own;
    if (!ds) {
      own.assign(static_cast<std::size_t>(N * C), 0.0f);
      ds = own.data();
    }
    layer_norm_backward_ref(dy, s, gamma, mean, rstd, N, C, ds, dgamma, dbeta);
    for (std::int64_t i = 0; i < N * C; ++i) {
      if (da) da[i] = accumulate_a ? da[i] + ds[i] : ds[i];
      if (db) db[i] = accumulate_b ? db[i] + ds[i] : ds[i];
    }
    return;
  }
  const std::int64_t grain = std::max<std::int64_t>(1, 4096 / C);
  parallel_for(N, grain, [&](std::int64_t r0, std::int64_t r1) {
    // Without ds, each row's dx is written to a per-thread row, as the unfused
    // norm writes a fresh gradient of its input.
    std::vector<float>& row = scratch<AddLayerNormBackward, float, 0>(ds ? 0 : C);
    for (std::int64_t r = r0; r < r1; ++r) {
      float* g = ds ? ds + r * C : row.data();
      if (ds)
        backward_row_dx<true>(dy + r * C, s + r * C, gamma, mean[r], rstd[r], C, g);
      else
        backward_row_dx<false>(dy + r * C, s + r * C, gamma, mean[r], rstd[r], C, g);
      // a and b may be one buffer: a's write lands first, then b's add.
      for (std::int64_t c = 0; c < C; ++c) {
        if (da) da[r * C + c] = accumulate_a ? da[r * C + c] + g[c] : g[c];
        if (db) db[r * C + c] = accumulate_b ? db[r * C + c] + g[c] : g[c];
      }
    }
  });
  param_grads(dy, s, mean, rstd, N, C, dgamma, dbeta);
}

}  // namespace attn::kernels
