#pragma once
// Helpers shared by the C++ benchmarks in bench/ (never by the library or tests).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "attn/core/rng.h"

namespace attn::bench {

// n values uniform in [-1, 1) from the counter RNG (the same for every run).
inline std::vector<float> random_vec(std::int64_t n, std::uint64_t seed) {
  Rng r(seed);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = r.uniform() * 2.0f - 1.0f;
  return v;
}

// The best wall time of `reps` calls of fn, in seconds: the best, not the mean,
// because the machine is shared and noise only ever adds time.
template <class Fn>
double best_seconds(int reps, Fn&& fn) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace attn::bench
