#include "attn/kernels/elementwise.h"

#include <algorithm>
#include <cmath>

#include "attn/core/rng.h"
#include "attn/core/thread_pool.h"
#include "attn/kernels/dropout_bits.h"
#include "attn/kernels/reference_mode.h"
#include "attn/kernels/vec_math.h"

namespace attn::kernels {

namespace {

// Elementwise work is memory bound: below this many elements per thread the
// wake-up cost of the pool outweighs the split.
constexpr std::int64_t kGrain = 1 << 14;

// Runs body(begin, end) over [0, n) on the pool, or serially in reference mode.
template <typename Body>
void split(std::int64_t n, const Body& body) {
  if (use_reference_kernels()) {
    body(std::int64_t{0}, n);
    return;
  }
  parallel_for(n, kGrain, [&](std::int64_t b, std::int64_t e) { body(b, e); });
}

constexpr float kSqrtHalf = 0.70710678118654752f;     // 1/√2
constexpr float kInvSqrt2Pi = 0.39894228040143268f;   // 1/√(2π)
constexpr float kSqrt2OverPi = 0.79788456080286536f;  // √(2/π)
constexpr float kGeluCoef = 0.044715f;

float sigmoid_one(float x) {
  // Branch on the sign so exp never overflows.
  if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
}

// Both GELU forms are written without the 1 + erf / 1 + tanh of the textbook
// formula, which cancels for x << 0 and loses most digits of the small result:
// 1 + erf(z) = erfc(-z) and 1 + tanh(u) = 2 sigmoid(2u).
float gelu_one(GeluForm form, float x) {
  if (form == GeluForm::erf) return 0.5f * x * std::erfc(-x * kSqrtHalf);
  const float u = kSqrt2OverPi * (x + kGeluCoef * x * x * x);
  return x * sigmoid_one(2.0f * u);
}

float gelu_grad_one(GeluForm form, float x) {
  if (form == GeluForm::erf) {
    // d/dx [x Φ(x)] = Φ(x) + x φ(x)
    return 0.5f * std::erfc(-x * kSqrtHalf) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
  }
  // With s = sigmoid(2u): 0.5 (1 + tanh u) = s and 1 - tanh² u = 4 s (1 - s).
  const float u = kSqrt2OverPi * (x + kGeluCoef * x * x * x);
  const float s = sigmoid_one(2.0f * u);
  const float du = kSqrt2OverPi * (1.0f + 3.0f * kGeluCoef * x * x);
  return s + 2.0f * x * s * (1.0f - s) * du;
}

// dx = v (accumulate false: dx's old contents are stale) or dx += v.
inline void put(float& dx, float v, bool accumulate) { dx = accumulate ? dx + v : v; }

// The erf form's fast path: Φ(x) = erfc(-x/√2)/2 from erfc_nonneg(|x|/√2) and the
// sign, branch-free so the loops vectorise (libm's erfcf was 9 % of a KJV LM step).
// |x| > 14: Φ is 0 or 1 to float precision and φ underflows, so x is clamped there
// first (x² of a huge x would overflow and turn the result into NaN).
inline float gelu_clamp(float x) { return std::min(std::max(x, -14.0f), 14.0f); }
inline float gelu_cdf_fast(float xin) {
  const float x = gelu_clamp(xin);
  const float xx = x * x;  // z² = x²/2 = (xx + fma(x, x, -xx)) / 2, exactly
  const float half_c =
      0.5f * erfc_nonneg_split(std::fabs(x) * kSqrtHalf, 0.5f * xx, 0.5f * std::fma(x, x, -xx));
  return x < 0.0f ? half_c : 1.0f - half_c;
}
void gelu_erf_fwd_fast(const float* x, float* y, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i) y[i] = x[i] * gelu_cdf_fast(x[i]);
}
template <bool Accumulate>
void gelu_erf_bwd_fast(const float* x, const float* dy, float* dx, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i) {
    const float v = gelu_clamp(x[i]), vv = v * v;
    const float pdf = exp_nonpos(-0.5f * vv) * (1.0f - 0.5f * std::fma(v, v, -vv));  // e^{-v²/2}
    put(dx[i], dy[i] * std::fma(v * kInvSqrt2Pi, pdf, gelu_cdf_fast(v)), Accumulate);
  }
}

void gelu_fwd_range(GeluForm form, const float* x, float* y, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i) y[i] = gelu_one(form, x[i]);
}
void gelu_bwd_range(GeluForm form, const float* x, const float* dy, float* dx, std::int64_t b,
                    std::int64_t e, bool acc) {
  for (std::int64_t i = b; i < e; ++i) put(dx[i], dy[i] * gelu_grad_one(form, x[i]), acc);
}
void relu_fwd_range(const float* x, float* y, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
void relu_bwd_range(const float* x, const float* dy, float* dx, std::int64_t b, std::int64_t e,
                    bool acc) {
  for (std::int64_t i = b; i < e; ++i) put(dx[i], x[i] > 0.0f ? dy[i] : 0.0f, acc);
}
void sigmoid_fwd_range(const float* x, float* y, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i) y[i] = sigmoid_one(x[i]);
}
void sigmoid_bwd_range(const float* y, const float* dy, float* dx, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i) dx[i] += dy[i] * y[i] * (1.0f - y[i]);
}

float dropout_scale(float p) { return 1.0f / (1.0f - p); }

// The dropout loops draw their bits a chunk at a time (kernels/dropout_bits.h),
// then select per element with every load and store unconditional. The selects
// are functions of their own: written inline in the chunk lambdas (reading the
// captures) GCC 12 left them scalar on AVX2. Kept iff bits >= dropout_threshold(p),
// which is dropout_keep's test exactly.
void keep_select(const std::uint32_t* r, std::uint32_t t, std::uint8_t* keep, std::int64_t n) {
  for (std::int64_t j = 0; j < n; ++j) keep[j] = r[j] >= t ? 1 : 0;
}
// y = x·s where kept, else 0.
void dropout_select(const std::uint32_t* r, std::uint32_t t, float s, const float* x, float* y,
                    std::int64_t n) {
  for (std::int64_t j = 0; j < n; ++j) {
    const float v = x[j];
    y[j] = r[j] >= t ? v * s : 0.0f;
  }
}
// dx += dy·s where kept, as one fused multiply-add (written out, so the fast and
// the reference kernel round alike whatever the compiler contracts).
void dropout_select_add(const std::uint32_t* r, std::uint32_t t, float s, const float* dy,
                        float* dx, std::int64_t n) {
  for (std::int64_t j = 0; j < n; ++j) {
    const float g = dy[j], old = dx[j];
    dx[j] = r[j] >= t ? std::fma(g, s, old) : old;
  }
}

void dropout_mask_range(std::uint64_t seed, std::uint64_t key, float p, std::uint8_t* keep,
                        std::int64_t b, std::int64_t e) {
  const std::uint32_t t = dropout_threshold(p);
  for_dropout_chunks(seed, key, b, e, [&](std::int64_t c, std::int64_t n, const std::uint32_t* r) {
    keep_select(r, t, keep + c, n);
  });
}
void dropout_fwd_range(std::uint64_t seed, std::uint64_t key, float p, const float* x, float* y,
                       std::int64_t b, std::int64_t e) {
  const float s = dropout_scale(p);
  const std::uint32_t t = dropout_threshold(p);
  for_dropout_chunks(seed, key, b, e, [&](std::int64_t c, std::int64_t n, const std::uint32_t* r) {
    dropout_select(r, t, s, x + c, y + c, n);
  });
}
void dropout_bwd_range(std::uint64_t seed, std::uint64_t key, float p, const float* dy, float* dx,
                       std::int64_t b, std::int64_t e, bool acc) {
  const float s = dropout_scale(p);
  const std::uint32_t t = dropout_threshold(p);
  for_dropout_chunks(seed, key, b, e, [&](std::int64_t c, std::int64_t n, const std::uint32_t* r) {
    if (acc)
      dropout_select_add(r, t, s, dy + c, dx + c, n);
    else
      dropout_select(r, t, s, dy + c, dx + c, n);
  });
}

void add_range(const float* a, const float* b_, float* y, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i) y[i] = a[i] + b_[i];
}
void axpy_range(float alpha, const float* x, float* y, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i) y[i] += alpha * x[i];
}
void scale_range(float s, const float* x, float* y, std::int64_t b, std::int64_t e) {
  for (std::int64_t i = b; i < e; ++i) y[i] = s * x[i];
}
// Rows [rb, re) of y = x + row.
void add_row_vector_range(std::int64_t cols, const float* x, const float* row, float* y,
                          std::int64_t rb, std::int64_t re) {
  for (std::int64_t r = rb; r < re; ++r)
    for (std::int64_t c = 0; c < cols; ++c) y[r * cols + c] = x[r * cols + c] + row[c];
}
// Columns [cb, ce) of out += column sums of x [rows, cols].
void sum_rows_range(std::int64_t rows, std::int64_t cols, const float* x, float* out,
                    std::int64_t cb, std::int64_t ce) {
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = cb; c < ce; ++c) out[c] += x[r * cols + c];
}

}  // namespace

bool dropout_keep(std::uint64_t seed, std::uint64_t key, std::uint64_t index, float p) {
  return bits_to_unit(counter_hash(seed, key, index)) >= p;
}

// ---- fast (pool-split) variants ----

void gelu_forward(GeluForm form, const float* x, float* y, std::int64_t n) {
  if (form == GeluForm::erf && !use_reference_kernels())
    return split(n, [&](std::int64_t b, std::int64_t e) { gelu_erf_fwd_fast(x, y, b, e); });
  split(n, [&](std::int64_t b, std::int64_t e) { gelu_fwd_range(form, x, y, b, e); });
}
void gelu_backward(GeluForm form, const float* x, const float* dy, float* dx, std::int64_t n,
                   bool accumulate) {
  if (form == GeluForm::erf && !use_reference_kernels())
    return split(n, [&](std::int64_t b, std::int64_t e) {
      if (accumulate)
        gelu_erf_bwd_fast<true>(x, dy, dx, b, e);
      else
        gelu_erf_bwd_fast<false>(x, dy, dx, b, e);
    });
  split(n,
        [&](std::int64_t b, std::int64_t e) { gelu_bwd_range(form, x, dy, dx, b, e, accumulate); });
}
void relu_forward(const float* x, float* y, std::int64_t n) {
  split(n, [&](std::int64_t b, std::int64_t e) { relu_fwd_range(x, y, b, e); });
}
void relu_backward(const float* x, const float* dy, float* dx, std::int64_t n, bool accumulate) {
  split(n, [&](std::int64_t b, std::int64_t e) { relu_bwd_range(x, dy, dx, b, e, accumulate); });
}
void sigmoid_forward(const float* x, float* y, std::int64_t n) {
  split(n, [&](std::int64_t b, std::int64_t e) { sigmoid_fwd_range(x, y, b, e); });
}
void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t n) {
  split(n, [&](std::int64_t b, std::int64_t e) { sigmoid_bwd_range(y, dy, dx, b, e); });
}
void dropout_mask(std::uint64_t seed, std::uint64_t key, float p, std::uint8_t* keep,
                  std::int64_t n) {
  split(n, [&](std::int64_t b, std::int64_t e) { dropout_mask_range(seed, key, p, keep, b, e); });
}
void dropout_forward(std::uint64_t seed, std::uint64_t key, float p, const float* x, float* y,
                     std::int64_t n) {
  split(n, [&](std::int64_t b, std::int64_t e) { dropout_fwd_range(seed, key, p, x, y, b, e); });
}
void dropout_backward(std::uint64_t seed, std::uint64_t key, float p, const float* dy, float* dx,
                      std::int64_t n, bool accumulate) {
  split(n, [&](std::int64_t b, std::int64_t e) {
    dropout_bwd_range(seed, key, p, dy, dx, b, e, accumulate);
  });
}
void add(const float* a, const float* b, float* y, std::int64_t n) {
  split(n, [&](std::int64_t lo, std::int64_t hi) { add_range(a, b, y, lo, hi); });
}
void axpy(std::int64_t n, float alpha, const float* x, float* y) {
  split(n, [&](std::int64_t b, std::int64_t e) { axpy_range(alpha, x, y, b, e); });
}
void copy(std::int64_t n, const float* x, float* y) {
  split(n, [&](std::int64_t b, std::int64_t e) { std::copy(x + b, x + e, y + b); });
}
void scale(std::int64_t n, float s, const float* x, float* y) {
  split(n, [&](std::int64_t b, std::int64_t e) { scale_range(s, x, y, b, e); });
}
void add_row_vector(std::int64_t rows, std::int64_t cols, const float* x, const float* row,
                    float* y) {
  if (cols <= 0) return;
  if (use_reference_kernels()) return add_row_vector_ref(rows, cols, x, row, y);
  const std::int64_t grain = std::max<std::int64_t>(1, kGrain / cols);
  parallel_for(rows, grain, [&](std::int64_t b, std::int64_t e) {
    add_row_vector_range(cols, x, row, y, b, e);
  });
}
void sum_rows(std::int64_t rows, std::int64_t cols, const float* x, float* out) {
  if (rows <= 0) return;
  if (use_reference_kernels()) return sum_rows_ref(rows, cols, x, out);
  // Split the columns, not the rows: every column keeps its serial row order.
  const std::int64_t grain = std::max<std::int64_t>(16, kGrain / rows);
  parallel_for(cols, grain,
               [&](std::int64_t b, std::int64_t e) { sum_rows_range(rows, cols, x, out, b, e); });
}

// ---- scalar references ----

void gelu_forward_ref(GeluForm form, const float* x, float* y, std::int64_t n) {
  gelu_fwd_range(form, x, y, 0, n);
}
void gelu_backward_ref(GeluForm form, const float* x, const float* dy, float* dx, std::int64_t n,
                       bool accumulate) {
  gelu_bwd_range(form, x, dy, dx, 0, n, accumulate);
}
void relu_forward_ref(const float* x, float* y, std::int64_t n) { relu_fwd_range(x, y, 0, n); }
void relu_backward_ref(const float* x, const float* dy, float* dx, std::int64_t n,
                       bool accumulate) {
  relu_bwd_range(x, dy, dx, 0, n, accumulate);
}
void sigmoid_forward_ref(const float* x, float* y, std::int64_t n) {
  sigmoid_fwd_range(x, y, 0, n);
}
void sigmoid_backward_ref(const float* y, const float* dy, float* dx, std::int64_t n) {
  sigmoid_bwd_range(y, dy, dx, 0, n);
}
// The references test each element with dropout_keep, the definition, so the
// chunked kernels above are checked against an independent loop.
void dropout_mask_ref(std::uint64_t seed, std::uint64_t key, float p, std::uint8_t* keep,
                      std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i)
    keep[i] = dropout_keep(seed, key, static_cast<std::uint64_t>(i), p) ? 1 : 0;
}
void dropout_forward_ref(std::uint64_t seed, std::uint64_t key, float p, const float* x, float* y,
                         std::int64_t n) {
  const float s = dropout_scale(p);
  for (std::int64_t i = 0; i < n; ++i)
    y[i] = dropout_keep(seed, key, static_cast<std::uint64_t>(i), p) ? x[i] * s : 0.0f;
}
void dropout_backward_ref(std::uint64_t seed, std::uint64_t key, float p, const float* dy,
                          float* dx, std::int64_t n, bool accumulate) {
  const float s = dropout_scale(p);
  for (std::int64_t i = 0; i < n; ++i) {
    const bool kept = dropout_keep(seed, key, static_cast<std::uint64_t>(i), p);
    if (kept)
      dx[i] = accumulate ? std::fma(dy[i], s, dx[i]) : dy[i] * s;
    else if (!accumulate)
      dx[i] = 0.0f;
  }
}
void add_ref(const float* a, const float* b, float* y, std::int64_t n) { add_range(a, b, y, 0, n); }
void axpy_ref(std::int64_t n, float alpha, const float* x, float* y) {
  axpy_range(alpha, x, y, 0, n);
}
void scale_ref(std::int64_t n, float s, const float* x, float* y) { scale_range(s, x, y, 0, n); }
void add_row_vector_ref(std::int64_t rows, std::int64_t cols, const float* x, const float* row,
                        float* y) {
  add_row_vector_range(cols, x, row, y, 0, rows);
}
void sum_rows_ref(std::int64_t rows, std::int64_t cols, const float* x, float* out) {
  sum_rows_range(rows, cols, x, out, 0, cols);
}

}  // namespace attn::kernels
