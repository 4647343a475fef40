#include "attn/kernels/adam.h"

#include <immintrin.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "attn/core/thread_pool.h"
#include "attn/kernels/reference_mode.h"
#include "attn/kernels/scratch.h"

namespace attn::kernels {

namespace {

// The update is memory bound (4 streams in, 3 out): below this many elements
// per thread waking the pool costs more than it saves.
constexpr std::int64_t kGrain = 1 << 14;

// The double a user meant when they wrote the f32 `x` in decimal: the shortest
// decimal that round-trips x, parsed as double. PyTorch gets hyperparameters
// as Python doubles (0.9), so 1 - 0.9 rounds to 0.1f there, whereas 1 - 0.9f
// would give 0.10000002f; recovering the decimal keeps the constants equal.
double typed_decimal(float x) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x);
  double d = static_cast<double>(x);
  if (ec == std::errc()) std::from_chars(buf, end, d);
  return d;
}

// One element; the SIMD loops below perform exactly these operations.
inline void adam_one(float& p, float g, float& m, float& v, const AdamStep& s) {
  if (s.l2 != 0.0f) g = std::fma(p, s.l2, g);
  if (s.decoupled) p = p * s.decay;
  m = std::fma(g, s.one_minus_beta1, m * s.beta1);
  v = std::fma(s.one_minus_beta2 * g, g, v * s.beta2);
  const float denom = std::sqrt(v) / s.bc2_sqrt + s.eps;
  p = p + (s.neg_step_size * m) / denom;
}

void adam_range_scalar(float* p, const float* g, float* m, float* v, std::int64_t b, std::int64_t e,
                       const AdamStep& s) {
  for (std::int64_t i = b; i < e; ++i) adam_one(p[i], g[i], m[i], v[i], s);
}

#if defined(__AVX512F__)
void adam_range(float* p, const float* g, float* m, float* v, std::int64_t b, std::int64_t e,
                const AdamStep& s) {
  const __m512 b1 = _mm512_set1_ps(s.beta1), b2 = _mm512_set1_ps(s.beta2);
  const __m512 omb1 = _mm512_set1_ps(s.one_minus_beta1), omb2 = _mm512_set1_ps(s.one_minus_beta2);
  const __m512 eps = _mm512_set1_ps(s.eps), l2 = _mm512_set1_ps(s.l2);
  const __m512 decay = _mm512_set1_ps(s.decay), nss = _mm512_set1_ps(s.neg_step_size);
  const __m512 bc2 = _mm512_set1_ps(s.bc2_sqrt);
  const bool use_l2 = s.l2 != 0.0f;
  // maskz_sqrt with every lane selected is sqrt; plain _mm512_sqrt_ps trips
  // GCC 12's -Wmaybe-uninitialized on its internal undefined operand.
  const __mmask16 kAll = 0xFFFF;
  std::int64_t i = b;
  for (; i + 16 <= e; i += 16) {
    __m512 P = _mm512_loadu_ps(p + i), G = _mm512_loadu_ps(g + i);
    __m512 M = _mm512_loadu_ps(m + i), V = _mm512_loadu_ps(v + i);
    if (use_l2) G = _mm512_fmadd_ps(P, l2, G);
    if (s.decoupled) P = _mm512_mul_ps(P, decay);
    M = _mm512_fmadd_ps(G, omb1, _mm512_mul_ps(M, b1));
    V = _mm512_fmadd_ps(_mm512_mul_ps(omb2, G), G, _mm512_mul_ps(V, b2));
    const __m512 D = _mm512_add_ps(_mm512_div_ps(_mm512_maskz_sqrt_ps(kAll, V), bc2), eps);
    P = _mm512_add_ps(P, _mm512_div_ps(_mm512_mul_ps(nss, M), D));
    _mm512_storeu_ps(p + i, P);
    _mm512_storeu_ps(m + i, M);
    _mm512_storeu_ps(v + i, V);
  }
  adam_range_scalar(p, g, m, v, i, e, s);
}
#elif defined(__AVX2__) && defined(__FMA__)
void adam_range(float* p, const float* g, float* m, float* v, std::int64_t b, std::int64_t e,
                const AdamStep& s) {
  const __m256 b1 = _mm256_set1_ps(s.beta1), b2 = _mm256_set1_ps(s.beta2);
  const __m256 omb1 = _mm256_set1_ps(s.one_minus_beta1), omb2 = _mm256_set1_ps(s.one_minus_beta2);
  const __m256 eps = _mm256_set1_ps(s.eps), l2 = _mm256_set1_ps(s.l2);
  const __m256 decay = _mm256_set1_ps(s.decay), nss = _mm256_set1_ps(s.neg_step_size);
  const __m256 bc2 = _mm256_set1_ps(s.bc2_sqrt);
  const bool use_l2 = s.l2 != 0.0f;
  std::int64_t i = b;
  for (; i + 8 <= e; i += 8) {
    __m256 P = _mm256_loadu_ps(p + i), G = _mm256_loadu_ps(g + i);
    __m256 M = _mm256_loadu_ps(m + i), V = _mm256_loadu_ps(v + i);
    if (use_l2) G = _mm256_fmadd_ps(P, l2, G);
    if (s.decoupled) P = _mm256_mul_ps(P, decay);
    M = _mm256_fmadd_ps(G, omb1, _mm256_mul_ps(M, b1));
    V = _mm256_fmadd_ps(_mm256_mul_ps(omb2, G), G, _mm256_mul_ps(V, b2));
    const __m256 D = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(V), bc2), eps);
    P = _mm256_add_ps(P, _mm256_div_ps(_mm256_mul_ps(nss, M), D));
    _mm256_storeu_ps(p + i, P);
    _mm256_storeu_ps(m + i, M);
    _mm256_storeu_ps(v + i, V);
  }
  adam_range_scalar(p, g, m, v, i, e, s);
}
#else
void adam_range(float* p, const float* g, float* m, float* v, std::int64_t b, std::int64_t e,
                const AdamStep& s) {
  adam_range_scalar(p, g, m, v, b, e, s);
}
#endif

}  // namespace

AdamStep adam_step_constants(const AdamHyper& h, std::int64_t t) {
  const double lr = typed_decimal(h.lr), b1 = typed_decimal(h.beta1);
  const double b2 = typed_decimal(h.beta2), wd = typed_decimal(h.weight_decay);
  const double td = static_cast<double>(t);
  const double bc1 = 1.0 - std::pow(b1, td), bc2 = 1.0 - std::pow(b2, td);
  AdamStep s{};
  s.beta1 = h.beta1;
  s.beta2 = h.beta2;
  s.one_minus_beta1 = static_cast<float>(1.0 - b1);
  s.one_minus_beta2 = static_cast<float>(1.0 - b2);
  s.eps = h.eps;
  s.l2 = h.decoupled ? 0.0f : h.weight_decay;
  s.decoupled = h.decoupled && h.weight_decay != 0.0f;
  s.decay = s.decoupled ? static_cast<float>(1.0 - lr * wd) : 1.0f;
  s.neg_step_size = static_cast<float>(-(lr / bc1));
  s.bc2_sqrt = static_cast<float>(std::sqrt(bc2));
  return s;
}

void adam(float* p, const float* g, float* m, float* v, std::int64_t n, const AdamStep& s) {
  if (use_reference_kernels()) {
    adam_ref(p, g, m, v, n, s);
    return;
  }
  parallel_for(n, kGrain, [&](std::int64_t b, std::int64_t e) { adam_range(p, g, m, v, b, e, s); });
}

void adam_multi(const AdamSegment* segments, std::size_t count) {
  if (use_reference_kernels()) {
    for (std::size_t i = 0; i < count; ++i) {
      const AdamSegment& x = segments[i];
      adam_ref(x.p, x.g, x.m, x.v, x.n, x.s);
    }
    return;
  }
  // start[i] = offset of segment i in the concatenation (kernels/scratch.h: no
  // allocation once the parameter list is known).
  auto& start = scratch<struct AdamMulti, std::int64_t, 0>(count + 1);
  for (std::size_t i = 0; i < count; ++i) start[i + 1] = start[i] + segments[i].n;
  const std::int64_t* offsets = start.data();
  parallel_for(offsets[count], kGrain, [&](std::int64_t b, std::int64_t e) {
    // The last segment starting at or before b, then every segment overlapping [b, e).
    std::size_t i =
        static_cast<std::size_t>(std::upper_bound(offsets, offsets + count + 1, b) - offsets - 1);
    for (; i < count && offsets[i] < e; ++i) {
      const AdamSegment& x = segments[i];
      const std::int64_t lo = std::max(b, offsets[i]) - offsets[i];
      const std::int64_t hi = std::min(e, offsets[i + 1]) - offsets[i];
      if (lo < hi) adam_range(x.p, x.g, x.m, x.v, lo, hi, x.s);
    }
  });
}

void adam_ref(float* p, const float* g, float* m, float* v, std::int64_t n, const AdamStep& s) {
  adam_range_scalar(p, g, m, v, 0, n, s);
}

}  // namespace attn::kernels
