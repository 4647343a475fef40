#pragma once
// Elementary functions written without library calls, so the loops that use them
// vectorise (GCC turns them into AVX-512 or AVX2 code under -march=native; the
// selects need -fno-trapping-math without AVX-512, see CMakeLists.txt) and give
// the same bits for every thread count. Internal to kernels/.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace attn::kernels {

// exp(x) for x <= 0 (and small positive x, |x| < ln2/2). Range reduction
// x = n·ln2 + r with |r| <= ln2/2 (ln2 split in two parts so n·ln2 is exact), then
// a degree-6 polynomial for exp(r) (Cephes expf coefficients, about 1 ulp). Below
// -87 the true value is under FLT_MIN; we return 0 there, which also maps -inf
// (masked scores) to exactly 0.
inline float exp_nonpos(float x) {
  const float xc = std::max(x, -87.0f);
  // n = round(xc / ln2) by the 1.5·2^23 trick: std::floor would block vectorisation
  // (GCC vectorises it only under -fno-trapping-math).
  constexpr float kRound = 12582912.0f;
  const float shifted = xc * 1.44269504088896341f + kRound;
  const float n = shifted - kRound;
  // The integer n read off the bits (no float-to-int conversion, which would be
  // undefined for a NaN x): shifted's low mantissa bits hold n + 2^22.
  const std::uint32_t n_bits =
      std::bit_cast<std::uint32_t>(shifted) - std::bit_cast<std::uint32_t>(kRound);
  float r = std::fma(n, -0.693359375f, xc);
  r = std::fma(n, 2.12194440e-4f, r);
  float p = 1.9875691500e-4f;
  p = std::fma(p, r, 1.3981999507e-3f);
  p = std::fma(p, r, 8.3334519073e-3f);
  p = std::fma(p, r, 4.1665795894e-2f);
  p = std::fma(p, r, 1.6666665459e-1f);
  p = std::fma(p, r, 5.0000001201e-1f);
  const float e = std::fma(p * r, r, r) + 1.0f;
  // n is in [-126, 0], so n + 127 is a valid biased exponent of a normal float
  // (unsigned arithmetic: wraps instead of overflowing for a NaN's garbage).
  const float two_n = std::bit_cast<float>((n_bits + 127u) << 23);
  return x < -87.0f ? 0.0f : e * two_n;
}

// erfc(z) for z >= 0 with a small *relative* error everywhere, so x·Φ(x) keeps its
// digits deep in GELU's negative tail. The Chebyshev fit of Numerical Recipes
// (Press et al., 2nd ed., §6.2, "erfcc"): erfc(z) = t·exp(-z² - 1.26551223 + t·P(t)),
// t = 1 / (1 + z/2), fractional error below 1.2e-7. Adding -z² (up to 87) to the
// polynomial in float would round away up to 4e-6 of the result, so exp(-z²) is taken
// apart: z² = hi + lo exactly (fma), exp(-hi) by itself (exact range reduction),
// exp(-lo) = 1 - lo to first order (|lo| <= 2^-24·z²), and exp(P) of the small
// polynomial (P <= ~1e-7 for every z >= 0).
// The same with z² given as hi + lo (hi = the float nearest z², lo the rest), for a
// caller whose z is itself rounded (GELU's |x|/√2: its z² = x²/2 is exact as hi + lo).
inline float erfc_nonneg_split(float z, float hi, float lo) {
  const float t = 1.0f / std::fma(0.5f, z, 1.0f);
  float p = 0.17087277f;
  p = std::fma(p, t, -0.82215223f);
  p = std::fma(p, t, 1.48851587f);
  p = std::fma(p, t, -1.13520398f);
  p = std::fma(p, t, 0.27886807f);
  p = std::fma(p, t, -0.18628806f);
  p = std::fma(p, t, 0.09678418f);
  p = std::fma(p, t, 0.37409196f);
  p = std::fma(p, t, 1.00002368f);
  p = std::fma(p, t, -1.26551223f);
  return t * exp_nonpos(p) * (exp_nonpos(-hi) * (1.0f - lo));
}

inline float erfc_nonneg(float z) {
  // erfc(10) = 2e-45 is below every float: clamping keeps z² finite (z = inf would
  // make lo = inf - inf = NaN). NaN stays NaN (std::min returns its first argument).
  const float zc = std::min(z, 10.0f);
  const float hi = zc * zc;
  return erfc_nonneg_split(zc, hi, std::fma(zc, zc, -hi));
}

// Σ x[0..n) with eight partial sums in a fixed order: deterministic, and one
// vector register wide, which a plain serial float sum cannot be without
// -ffast-math.
inline float sum_fixed_order(const float* x, std::int64_t n) {
  float part[8] = {};
  std::int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; ++l) part[l] += x[j + l];
  float sum = 0.0f;
  for (; j < n; ++j) sum += x[j];
  for (float p : part) sum += p;
  return sum;
}

}  // namespace attn::kernels
