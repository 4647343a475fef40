#pragma once
// The dropout multipliers of attention's probabilities, shared by the naive and
// the flash kernels so both drop exactly the same elements. Internal to kernels/.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "attn/core/rng.h"
#include "attn/kernels/attention.h"

namespace attn::kernels {

// f [n]: multiplier dropout applies to elements e0 .. e0+n-1 of probs, 0
// (dropped) or 1/(1-p). Element e is kept iff bits_to_unit(counter_hash(seed,
// key, e)) >= p. bits_to_unit(b) is the integer b>>40 (< 2^24) times 2^-24,
// both exact in float, so that test equals (b>>40) >= ceil(p·2^24) exactly;
// the integer form has no int->float conversion and vectorises.
// Only called when p > 0; without dropout the callers skip the hash entirely.
inline void dropout_factors(const AttentionDropout& drop, std::int64_t e0, std::int64_t n,
                            float* f) {
  const float keep_scale = 1.0f / (1.0f - drop.p);
  const double threshold_real = std::ceil(static_cast<double>(drop.p) * 16777216.0);
  const std::uint64_t threshold =
      static_cast<std::uint64_t>(std::min(threshold_real, 16777216.0));  // p >= 1: drop all
  for (std::int64_t j = 0; j < n; ++j) {
    const std::uint64_t bits =
        counter_hash(drop.seed, drop.key, static_cast<std::uint64_t>(e0 + j));
    f[j] = (bits >> 40) >= threshold ? keep_scale : 0.0f;
  }
}

}  // namespace attn::kernels
