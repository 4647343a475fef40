#include "attn/optim/clip.h"

#include <cmath>

#include "attn/core/thread_pool.h"
#include "attn/kernels/scratch.h"

namespace attn::optim {

namespace {

// Partial sums cover fixed blocks of this many elements, so the summation
// tree depends only on the sizes, never on how blocks land on threads.
constexpr std::int64_t kBlock = 1 << 15;

// g [n] -> sum of g² in double, blocks summed left to right.
double sum_squares(const float* g, std::int64_t n) {
  const std::int64_t blocks = (n + kBlock - 1) / kBlock;
  struct SumSquaresPartials;  // scratch owner tag: no allocation per step
  std::vector<double>& partial =
      kernels::scratch<SumSquaresPartials, double, 0>(static_cast<std::size_t>(blocks));
  parallel_for(blocks, 1, [&](std::int64_t bb, std::int64_t be) {
    for (std::int64_t b = bb; b < be; ++b) {
      const std::int64_t end = std::min(n, (b + 1) * kBlock);
      double s = 0.0;
      for (std::int64_t i = b * kBlock; i < end; ++i) s += static_cast<double>(g[i]) * g[i];
      partial[static_cast<std::size_t>(b)] = s;
    }
  });
  double total = 0.0;
  for (double s : partial) total += s;
  return total;
}

}  // namespace

float global_grad_norm(const std::vector<ParamRef>& params) {
  double total = 0.0;
  for (const ParamRef& p : params) {
    if (!p.var.defined() || !p.var.has_grad()) continue;
    const Tensor& g = p.var.grad();
    total += sum_squares(g.data(), g.numel());
  }
  return static_cast<float>(std::sqrt(total));
}

float clip_grad_norm(const std::vector<ParamRef>& params, float max_norm) {
  ATTN_CHECK(max_norm > 0.0f, "clip_grad_norm: max_norm must be > 0, got {}", max_norm);
  const float norm = global_grad_norm(params);
  if (!std::isfinite(norm)) return norm;
  // Same epsilon as torch, so a norm just at max_norm is scaled by ~1 - 1e-6/norm.
  const double coef = static_cast<double>(max_norm) / (static_cast<double>(norm) + 1e-6);
  if (coef >= 1.0) return norm;
  const float c = static_cast<float>(coef);
  for (const ParamRef& p : params) {
    if (!p.var.defined() || !p.var.has_grad()) continue;
    Tensor& g = p.var.grad();
    float* d = g.data();
    parallel_for(g.numel(), kBlock, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) d[i] *= c;
    });
  }
  return norm;
}

}  // namespace attn::optim
