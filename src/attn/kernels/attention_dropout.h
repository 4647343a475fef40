#pragma once
// The dropout multipliers of attention's probabilities, shared by the naive and
// the flash kernels so both drop exactly the same elements. Internal to kernels/.
#include <cstdint>

#include "attn/kernels/attention.h"
#include "attn/kernels/dropout_bits.h"

namespace attn::kernels {

// f [n]: multiplier dropout applies to elements e0 .. e0+n-1 of probs, 0
// (dropped) or 1/(1-p): element e is kept iff bits_to_unit(counter_hash(seed,
// key, e)) >= p, tested on the integer bits (kernels/dropout_bits.h).
// Only called when p > 0; without dropout the callers skip the hash entirely.
inline void dropout_factors(const AttentionDropout& drop, std::int64_t e0, std::int64_t n,
                            float* f) {
  const float keep_scale = 1.0f / (1.0f - drop.p);
  const std::uint32_t t = dropout_threshold(drop.p);
  for_dropout_chunks(drop.seed, drop.key, e0, e0 + n,
                     [&](std::int64_t c, std::int64_t m, const std::uint32_t* r) {
                       dropout_factor_select(r, t, keep_scale, f + (c - e0), m);
                     });
}

}  // namespace attn::kernels
