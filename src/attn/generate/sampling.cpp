#include "attn/generate/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "attn/core/error.h"
#include "attn/core/rng.h"

namespace attn::generate {

void validate(const SamplingOptions& opt) {
  ATTN_CHECK(std::isfinite(opt.temperature) && opt.temperature >= 0.0f,
             "sampling: temperature must be a finite number >= 0 (0 = greedy), got {}",
             opt.temperature);
  ATTN_CHECK(opt.top_k >= 0, "sampling: top_k must be >= 0 (0 = no limit), got {}", opt.top_k);
  ATTN_CHECK(opt.top_p > 0.0f && opt.top_p <= 1.0f, "sampling: top_p must be in (0, 1], got {}",
             opt.top_p);
  ATTN_CHECK(std::isfinite(opt.repetition_penalty) && opt.repetition_penalty > 0.0f,
             "sampling: repetition_penalty must be > 0 (1 = none), got {}", opt.repetition_penalty);
}

namespace {

// Lowest id among the largest values.
std::int32_t argmax(const std::vector<float>& z) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < z.size(); ++i)
    if (z[i] > z[best]) best = i;
  return static_cast<std::int32_t>(best);
}

}  // namespace

std::int32_t sample_next(std::span<const float> logits, const SamplingOptions& opt,
                         const std::vector<std::int32_t>& history, std::uint64_t stream,
                         std::uint64_t step) {
  validate(opt);
  ATTN_CHECK(!logits.empty(), "sampling: empty logits");
  const std::size_t n = logits.size();
  std::vector<float> z(logits.begin(), logits.end());
  if (opt.repetition_penalty != 1.0f) {
    std::vector<bool> seen(n, false);  // each distinct token is penalised once
    for (std::int32_t t : history) {
      ATTN_CHECK(t >= 0 && static_cast<std::size_t>(t) < n,
                 "sampling: history token {} is outside the vocabulary [0, {})", t, n);
      if (seen[static_cast<std::size_t>(t)]) continue;
      seen[static_cast<std::size_t>(t)] = true;
      float& v = z[static_cast<std::size_t>(t)];
      v = v > 0.0f ? v / opt.repetition_penalty : v * opt.repetition_penalty;
    }
  }
  if (opt.temperature == 0.0f) return argmax(z);

  // Candidates by decreasing logit, ties by id, so the cut-offs are deterministic.
  std::vector<std::int32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return z[static_cast<std::size_t>(a)] > z[static_cast<std::size_t>(b)];
  });
  std::size_t keep = n;
  if (opt.top_k > 0) keep = std::min(keep, static_cast<std::size_t>(opt.top_k));
  // Softmax over the kept candidates, in double so the nucleus sums are stable.
  const double top = static_cast<double>(z[static_cast<std::size_t>(order[0])]);
  std::vector<double> p(keep);
  double sum = 0.0;
  for (std::size_t i = 0; i < keep; ++i) {
    p[i] = std::exp((static_cast<double>(z[static_cast<std::size_t>(order[i])]) - top) /
                    static_cast<double>(opt.temperature));
    sum += p[i];
  }
  if (opt.top_p < 1.0f) {
    const double target = static_cast<double>(opt.top_p) - 1e-6;
    double cum = 0.0;
    std::size_t i = 0;
    while (i < keep) {
      cum += p[i] / sum;
      ++i;
      if (cum >= target) break;
    }
    keep = i;  // >= 1
    sum = std::accumulate(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(keep), 0.0);
  }
  // Inverse CDF with u in [0, 1); the last kept token catches any rounding remainder.
  const double u = static_cast<double>(bits_to_unit(counter_hash(opt.seed, stream, step))) * sum;
  double cum = 0.0;
  for (std::size_t i = 0; i + 1 < keep; ++i) {
    cum += p[i];
    if (u < cum) return order[i];
  }
  return order[keep - 1];
}

}  // namespace attn::generate
