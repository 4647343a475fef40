#include "attn/kernels/softmax.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "attn/kernels/reference_mode.h"
#include "attn/kernels/vec_math.h"

namespace attn::kernels {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// The output of a row whose max is -inf: zeros when every score is -inf (nothing to
// normalise over, not 0/0), but NaN when a score is NaN. std::max skips NaN, so a row of
// NaN scores (a NaN query) would otherwise come out as zeros and hide the NaN from the
// training's check.
inline float empty_row_value(const float* y, std::int64_t cols) {
  return std::any_of(y, y + cols, [](float s) { return std::isnan(s); }) ? kNaN : 0.0f;
}

// y[j] = exp(y[j] - max) for the row already holding scores in y; returns the sum.
inline float exp_row(float* y, float max, std::int64_t cols) {
  for (std::int64_t j = 0; j < cols; ++j) y[j] = exp_nonpos(y[j] - max);
  return sum_fixed_order(y, cols);
}

inline float row_max(const float* y, std::int64_t cols) {
  float m = kNegInf;
  for (std::int64_t j = 0; j < cols; ++j) m = std::max(m, y[j]);
  return m;
}

inline void normalise_row(float* y, float sum, std::int64_t cols) {
  const float inv = 1.0f / sum;
  for (std::int64_t j = 0; j < cols; ++j) y[j] *= inv;
}

}  // namespace

void softmax_forward(const float* x, float* y, std::int64_t rows, std::int64_t cols) {
  if (use_reference_kernels()) return softmax_forward_ref(x, y, rows, cols);
  for (std::int64_t i = 0; i < rows; ++i) {
    const float* xr = x + i * cols;
    float* yr = y + i * cols;
    const float m = row_max(xr, cols);
    if (m == kNegInf) {  // every entry -inf (or NaN)
      std::fill(yr, yr + cols, empty_row_value(xr, cols));
      continue;
    }
    std::copy(xr, xr + cols, yr);
    normalise_row(yr, exp_row(yr, m, cols), cols);
  }
}

void softmax_forward_ref(const float* x, float* y, std::int64_t rows, std::int64_t cols) {
  for (std::int64_t i = 0; i < rows; ++i) {
    const float* xr = x + i * cols;
    float* yr = y + i * cols;
    float m = kNegInf;
    for (std::int64_t j = 0; j < cols; ++j) m = std::max(m, xr[j]);
    if (m == kNegInf) {
      const bool nan = std::any_of(xr, xr + cols, [](float s) { return std::isnan(s); });
      for (std::int64_t j = 0; j < cols; ++j) yr[j] = nan ? kNaN : 0.0f;
      continue;
    }
    float sum = 0.0f;
    for (std::int64_t j = 0; j < cols; ++j) {
      yr[j] = std::exp(xr[j] - m);
      sum += yr[j];
    }
    for (std::int64_t j = 0; j < cols; ++j) yr[j] /= sum;
  }
}

void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows,
                      std::int64_t cols) {
  masked_softmax_backward(y, dy, 1.0f, dx, rows, cols);
}

void softmax_backward_ref(const float* y, const float* dy, float* dx, std::int64_t rows,
                          std::int64_t cols) {
  masked_softmax_backward_ref(y, dy, 1.0f, dx, rows, cols);
}

void masked_softmax_forward(const float* x, const std::uint8_t* allow, const float* bias,
                            float scale, float* y, std::int64_t rows, std::int64_t cols) {
  if (use_reference_kernels())
    return masked_softmax_forward_ref(x, allow, bias, scale, y, rows, cols);
  for (std::int64_t i = 0; i < rows; ++i) {
    const float* xr = x + i * cols;
    float* yr = y + i * cols;
    // Pass 1: scores, with disallowed entries set to -inf (same index read then
    // written, so y may alias x).
    for (std::int64_t j = 0; j < cols; ++j) {
      float s = scale * xr[j];
      if (bias) s += bias[i * cols + j];
      yr[j] = s;
    }
    if (allow) {
      const std::uint8_t* ar = allow + i * cols;
      for (std::int64_t j = 0; j < cols; ++j) yr[j] = ar[j] ? yr[j] : kNegInf;
    }
    const float m = row_max(yr, cols);
    if (m == kNegInf) {  // nothing may be attended (or NaN scores)
      std::fill(yr, yr + cols, empty_row_value(yr, cols));
      continue;
    }
    normalise_row(yr, exp_row(yr, m, cols), cols);
  }
}

void masked_softmax_forward_ref(const float* x, const std::uint8_t* allow, const float* bias,
                                float scale, float* y, std::int64_t rows, std::int64_t cols) {
  for (std::int64_t i = 0; i < rows; ++i) {
    float* yr = y + i * cols;
    float m = kNegInf;
    for (std::int64_t j = 0; j < cols; ++j) {
      const std::int64_t at = i * cols + j;
      const bool ok = allow == nullptr || allow[at] != 0;
      yr[j] = ok ? scale * x[at] + (bias ? bias[at] : 0.0f) : kNegInf;
      m = std::max(m, yr[j]);
    }
    float sum = 0.0f;
    for (std::int64_t j = 0; j < cols; ++j) {
      yr[j] = yr[j] == kNegInf ? 0.0f : std::exp(yr[j] - m);
      sum += yr[j];
    }
    // sum is 0 when nothing may be attended, NaN when an allowed score is NaN.
    for (std::int64_t j = 0; j < cols; ++j)
      yr[j] = sum > 0.0f || std::isnan(sum) ? yr[j] / sum : 0.0f;
  }
}

void masked_softmax_backward(const float* y, const float* dy, float scale, float* dx,
                             std::int64_t rows, std::int64_t cols) {
  if (use_reference_kernels()) return masked_softmax_backward_ref(y, dy, scale, dx, rows, cols);
  for (std::int64_t i = 0; i < rows; ++i) {
    const float* yr = y + i * cols;
    const float* dyr = dy + i * cols;
    float* dxr = dx + i * cols;
    float dot = 0.0f;
    for (std::int64_t j = 0; j < cols; ++j) dot += yr[j] * dyr[j];
    for (std::int64_t j = 0; j < cols; ++j) dxr[j] += scale * yr[j] * (dyr[j] - dot);
  }
}

void masked_softmax_backward_ref(const float* y, const float* dy, float scale, float* dx,
                                 std::int64_t rows, std::int64_t cols) {
  // d y_j / d s_k = y_j (δ_jk - y_k), so dx_k = scale · y_k (dy_k - Σ_j dy_j y_j); in double.
  for (std::int64_t i = 0; i < rows; ++i) {
    double dot = 0.0;
    for (std::int64_t j = 0; j < cols; ++j)
      dot += static_cast<double>(y[i * cols + j]) * dy[i * cols + j];
    for (std::int64_t k = 0; k < cols; ++k) {
      const std::int64_t at = i * cols + k;
      dx[at] += static_cast<float>(scale * y[at] * (dy[at] - dot));
    }
  }
}

}  // namespace attn::kernels
