#pragma once
// bfloat16: the top 16 bits of an IEEE float (8-bit exponent, 7-bit mantissa).
// Conversions follow what AVX-512 BF16's VCVTNE2PS2BF16 does, so the scalar and
// vector packers of gemm_bf16 produce the same bits: round to nearest even,
// NaN stays a (quiet) NaN, and denormal inputs become a signed zero.
#include <bit>
#include <cstdint>

namespace attn::kernels {

inline std::uint16_t float_to_bf16(float x) {
  std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  if ((u & 0x7F800000u) == 0)
    return static_cast<std::uint16_t>((u >> 16) & 0x8000u);  // ±0, denormal
  if ((u & 0x7FFFFFFFu) > 0x7F800000u)
    return static_cast<std::uint16_t>((u >> 16) | 0x0040u);  // NaN
  u += 0x7FFFu + ((u >> 16) & 1u);                           // round to nearest, ties to even
  return static_cast<std::uint16_t>(u >> 16);
}

inline float bf16_to_float(std::uint16_t h) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(h) << 16);
}

// x rounded to the nearest bfloat16, as a float.
inline float round_to_bf16(float x) { return bf16_to_float(float_to_bf16(x)); }

}  // namespace attn::kernels
