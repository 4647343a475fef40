#pragma once
// Counter-based random numbers: the value at position i of stream (seed, key)
// is a pure hash of (seed, key, i) (SplitMix64 finaliser rounds), so parallel
// code draws the same numbers whatever the thread count, and the whole RNG
// state is two integers that a checkpoint saves and restores exactly.
#include <cstdint>

namespace attn {

// Inline: dropout calls these once per element in the hot loop.
inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
// Random bits for element `index` of stream `key` under `seed`.
inline std::uint64_t counter_hash(std::uint64_t seed, std::uint64_t key, std::uint64_t index) {
  return mix64(mix64(mix64(seed) ^ key) + index);
}
// Uniform float in [0, 1) from 24 random bits.
inline float bits_to_unit(std::uint64_t bits) {
  return static_cast<float>(bits >> 40) * (1.0f / 16777216.0f);
}

struct RngState {
  std::uint64_t seed = 0;
  std::uint64_t counter = 0;
};

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) : state_{seed, 0} {}
  std::uint64_t next_u64();              // next value of the default stream
  float uniform();                       // [0, 1)
  float normal();                        // N(0, 1), Box-Muller on two draws
  std::uint64_t below(std::uint64_t n);  // uniform integer in [0, n), n > 0
  // Reserves a fresh stream key: callers then draw counter_hash(seed(), key, i).
  std::uint64_t next_stream() { return next_u64(); }
  std::uint64_t seed() const { return state_.seed; }
  RngState state() const { return state_; }
  void set_state(RngState s) { state_ = s; }

 private:
  RngState state_;
};

}  // namespace attn
