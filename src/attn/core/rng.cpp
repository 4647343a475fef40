#include "attn/core/rng.h"

#include <cmath>

namespace attn {

std::uint64_t Rng::next_u64() { return counter_hash(state_.seed, 0, state_.counter++); }

float Rng::uniform() { return bits_to_unit(next_u64()); }

float Rng::normal() {
  const double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
  const double u2 = static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2));
}

std::uint64_t Rng::below(std::uint64_t n) {
  // Rejection sampling keeps the distribution exactly uniform.
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
  for (;;) {
    const std::uint64_t v = next_u64();
    if (v < limit) return v % n;
  }
}

}  // namespace attn
