#include "attn/kernels/losses.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "attn/core/thread_pool.h"
#include "attn/kernels/scratch.h"
#include "attn/kernels/vec_math.h"

namespace attn::kernels {
namespace {

// σ(x) evaluated so exp never overflows: exp(-|x|) <= 1.
inline float stable_sigmoid(float x) {
  const float e = std::exp(-std::fabs(x));
  return x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

constexpr int kLanes = 16;  // partial results per row: one AVX-512 register

// max_c z_c with kLanes partial maxima, so the loop vectorises (a NaN in z
// reaches the sum below through exp and makes the row NaN either way).
inline float row_max(const float* z, std::int64_t v) {
  float part[kLanes];
  std::fill(part, part + kLanes, z[0]);
  std::int64_t c = 0;
  for (; c + kLanes <= v; c += kLanes)
    for (int l = 0; l < kLanes; ++l) part[l] = std::max(part[l], z[c + l]);
  float m = z[0];
  for (; c < v; ++c) m = std::max(m, z[c]);
  for (float p : part) m = std::max(m, p);
  return m;
}

// log Σ_c exp(z_c) (shifted by the row max so exp stays <= 1) and Σ_c z_c, in
// one pass with kLanes partial sums in a fixed order: vectorised and the same
// bits for any thread count.
inline float log_sum_exp(const float* z, std::int64_t v, float* zsum) {
  const float m = row_max(z, v);
  float e[kLanes] = {}, s[kLanes] = {};
  std::int64_t c = 0;
  for (; c + kLanes <= v; c += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      e[l] += exp_nonpos(z[c + l] - m);
      s[l] += z[c + l];
    }
  float esum = 0.0f, total = 0.0f;
  for (; c < v; ++c) {
    esum += exp_nonpos(z[c] - m);
    total += z[c];
  }
  for (int l = 0; l < kLanes; ++l) {
    esum += e[l];
    total += s[l];
  }
  *zsum = total;
  return m + std::log(esum);
}

// Rows per chunk of the row-parallel loops: about 64k logits each.
std::int64_t row_grain(std::int64_t v) {
  return std::max<std::int64_t>(1, 65536 / std::max<std::int64_t>(v, 1));
}

std::int64_t counted_rows(const std::int32_t* targets, std::int64_t n, std::int32_t ignore) {
  std::int64_t count = 0;
  for (std::int64_t i = 0; i < n; ++i) count += targets[i] != ignore;
  return count;
}

}  // namespace

float bce_with_logits_forward(const float* x, const float* t, std::int64_t n) {
  if (n == 0) return 0.0f;
  double sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i)
    sum += std::max(x[i], 0.0f) - x[i] * t[i] + std::log1p(std::exp(-std::fabs(x[i])));
  return static_cast<float>(sum / static_cast<double>(n));
}

void bce_with_logits_backward(const float* x, const float* t, std::int64_t n, float dloss,
                              float* dx) {
  if (n == 0) return;
  const float g = dloss / static_cast<float>(n);
  for (std::int64_t i = 0; i < n; ++i) dx[i] += g * (stable_sigmoid(x[i]) - t[i]);
}

float cross_entropy_forward(const float* logits, const std::int32_t* targets, std::int64_t n,
                            std::int64_t v, float label_smoothing, std::int32_t ignore_index,
                            float* lse) {
  const double eps = label_smoothing;
  // Rows in parallel, each row's loss kept, then summed in row order: the total
  // does not depend on the thread count.
  double* losses =
      scratch<struct CrossEntropyForward, double, 0>(static_cast<std::size_t>(n)).data();
  parallel_for(n, row_grain(v), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      const float* z = logits + i * v;
      float zsum = 0.0f;
      const float l = log_sum_exp(z, v, &zsum);
      if (lse) lse[i] = l;
      if (targets[i] == ignore_index) continue;
      // -log p_c = lse - z_c, so its mean over classes is lse - mean(z).
      const double nll = static_cast<double>(l) - z[targets[i]];
      const double smooth = static_cast<double>(l) - zsum / static_cast<double>(v);
      losses[i] = (1.0 - eps) * nll + eps * smooth;
    }
  });
  double total = 0.0;
  for (std::int64_t i = 0; i < n; ++i) total += losses[i];
  const std::int64_t count = counted_rows(targets, n, ignore_index);
  return count == 0 ? 0.0f : static_cast<float>(total / static_cast<double>(count));
}

void cross_entropy_backward(const float* logits, const std::int32_t* targets, std::int64_t n,
                            std::int64_t v, float label_smoothing, std::int32_t ignore_index,
                            const float* lse, float dloss, float* dlogits) {
  const std::int64_t count = counted_rows(targets, n, ignore_index);
  if (count == 0) return;
  const float g = dloss / static_cast<float>(count);
  const float off = label_smoothing / static_cast<float>(v);  // smoothed target mass per class
  parallel_for(n, row_grain(v), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      if (targets[i] == ignore_index) continue;
      const float* z = logits + i * v;
      float* dz = dlogits + i * v;
      const float l = lse[i];
      // z - lse <= 0 up to rounding: exp_nonpos covers it and vectorises.
      for (std::int64_t c = 0; c < v; ++c) dz[c] += g * (exp_nonpos(z[c] - l) - off);
      dz[targets[i]] -= g * (1.0f - label_smoothing);
    }
  });
}

float bce_with_logits_forward_ref(const float* x, const float* t, std::int64_t n) {
  if (n == 0) return 0.0f;
  double sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double xi = x[i];
    // log σ(x) = -log1p(exp(-x)); log(1-σ(x)) = -x - log1p(exp(-x)), written to stay finite.
    const double log_p = xi >= 0 ? -std::log1p(std::exp(-xi)) : xi - std::log1p(std::exp(xi));
    const double log_q = log_p - xi;
    sum += -(t[i] * log_p + (1.0 - t[i]) * log_q);
  }
  return static_cast<float>(sum / static_cast<double>(n));
}

float cross_entropy_forward_ref(const float* logits, const std::int32_t* targets, std::int64_t n,
                                std::int64_t v, float label_smoothing, std::int32_t ignore_index) {
  double total = 0.0;
  std::int64_t count = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (targets[i] == ignore_index) continue;
    const float* z = logits + i * v;
    double m = z[0];
    for (std::int64_t c = 1; c < v; ++c) m = std::max(m, static_cast<double>(z[c]));
    double sum = 0.0;
    for (std::int64_t c = 0; c < v; ++c) sum += std::exp(z[c] - m);
    double smooth = 0.0;
    for (std::int64_t c = 0; c < v; ++c) smooth += -(z[c] - m - std::log(sum));
    const double nll = -(z[targets[i]] - m - std::log(sum));
    total += (1.0 - label_smoothing) * nll + label_smoothing * smooth / static_cast<double>(v);
    ++count;
  }
  return count == 0 ? 0.0f : static_cast<float>(total / static_cast<double>(count));
}

}  // namespace attn::kernels
