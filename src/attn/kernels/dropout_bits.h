#pragma once
// The random bits behind every dropout decision (elementwise dropout and
// attention's), drawn in a loop that vectorises on AVX2 as well as AVX-512.
// Internal to kernels/.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "attn/core/rng.h"

namespace attn::kernels {

// Element e of stream key is kept iff bits_to_unit(counter_hash(seed, key, e)) >= p.
// bits_to_unit(b) is the integer b >> 40 (< 2^24) times 2^-24, both exact in float,
// so that test equals (b >> 40) >= ceil(p·2^24) exactly; p >= 1 drops everything.
inline std::uint32_t dropout_threshold(float p) {
  const double t = std::ceil(static_cast<double>(p) * 16777216.0);
  // A NaN p fails every float test (drop all), and must not reach the cast.
  if (std::isnan(t)) return 16777216u;
  return static_cast<std::uint32_t>(std::clamp(t, 0.0, 16777216.0));
}

// The most elements one dropout_bits call fills, so callers keep them on the stack.
constexpr std::int64_t kDropoutChunk = 256;

// bits[j] = counter_hash(seed, key, e0 + j) >> 40 for j < n <= kDropoutChunk. A
// loop of 64-bit integer arithmetic alone: GCC vectorises it without AVX-512 too
// (emulating the 64-bit products), whereas beside float loads and stores the
// hash stayed scalar there (13 % of a gpt_10m step on a Zen 3).
inline void dropout_bits(std::uint64_t seed, std::uint64_t key, std::int64_t e0, std::int64_t n,
                         std::uint32_t* bits) {
  const std::uint64_t stream = mix64(mix64(seed) ^ key);  // counter_hash's first two rounds
  for (std::int64_t j = 0; j < n; ++j)
    bits[j] = static_cast<std::uint32_t>(mix64(stream + static_cast<std::uint64_t>(e0 + j)) >> 40);
}

// f[j] = keep_scale where bits[j] >= t, else 0. A function of its own: written
// inline in a chunk lambda GCC 12 left the select scalar on AVX2.
inline void dropout_factor_select(const std::uint32_t* bits, std::uint32_t t, float keep_scale,
                                  float* f, std::int64_t n) {
  for (std::int64_t j = 0; j < n; ++j) f[j] = bits[j] >= t ? keep_scale : 0.0f;
}

// Runs body(first, n, bits) over [b, e) in chunks of at most kDropoutChunk, with
// bits[j] the dropout bits of element first + j.
template <typename Body>
void for_dropout_chunks(std::uint64_t seed, std::uint64_t key, std::int64_t b, std::int64_t e,
                        const Body& body) {
  std::uint32_t bits[kDropoutChunk];
  for (std::int64_t c = b; c < e; c += kDropoutChunk) {
    const std::int64_t n = std::min(kDropoutChunk, e - c);
    dropout_bits(seed, key, c, n, bits);
    body(c, n, static_cast<const std::uint32_t*>(bits));
  }
}

}  // namespace attn::kernels
