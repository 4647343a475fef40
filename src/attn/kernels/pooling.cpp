#include "attn/kernels/pooling.h"

#include <algorithm>

namespace attn::kernels {
namespace {

inline bool is_valid(const std::uint8_t* valid, std::int64_t at) {
  return valid == nullptr || valid[at] != 0;
}

std::int64_t valid_count(const std::uint8_t* valid, std::int64_t bi, std::int64_t t) {
  std::int64_t n = 0;
  for (std::int64_t ti = 0; ti < t; ++ti) n += is_valid(valid, bi * t + ti);
  return n;
}

}  // namespace

void mean_pool_forward(const float* x, const std::uint8_t* valid, float* y, std::int64_t b,
                       std::int64_t t, std::int64_t c) {
  for (std::int64_t bi = 0; bi < b; ++bi) {
    float* yr = y + bi * c;
    std::fill(yr, yr + c, 0.0f);
    const std::int64_t n = valid_count(valid, bi, t);
    if (n == 0) continue;
    for (std::int64_t ti = 0; ti < t; ++ti) {
      if (!is_valid(valid, bi * t + ti)) continue;
      const float* xr = x + (bi * t + ti) * c;
      for (std::int64_t ci = 0; ci < c; ++ci) yr[ci] += xr[ci];
    }
    const float inv = 1.0f / static_cast<float>(n);
    for (std::int64_t ci = 0; ci < c; ++ci) yr[ci] *= inv;
  }
}

void mean_pool_backward(const float* dy, const std::uint8_t* valid, float* dx, std::int64_t b,
                        std::int64_t t, std::int64_t c) {
  for (std::int64_t bi = 0; bi < b; ++bi) {
    const std::int64_t n = valid_count(valid, bi, t);
    if (n == 0) continue;
    const float inv = 1.0f / static_cast<float>(n);
    const float* g = dy + bi * c;
    for (std::int64_t ti = 0; ti < t; ++ti) {
      if (!is_valid(valid, bi * t + ti)) continue;
      float* dxr = dx + (bi * t + ti) * c;
      for (std::int64_t ci = 0; ci < c; ++ci) dxr[ci] += g[ci] * inv;
    }
  }
}

void max_pool_forward(const float* x, const std::uint8_t* valid, float* y, std::int64_t* argmax,
                      std::int64_t b, std::int64_t t, std::int64_t c) {
  for (std::int64_t bi = 0; bi < b; ++bi) {
    float* yr = y + bi * c;
    std::int64_t* ar = argmax + bi * c;
    std::fill(yr, yr + c, 0.0f);
    std::fill(ar, ar + c, std::int64_t{-1});
    for (std::int64_t ti = 0; ti < t; ++ti) {
      if (!is_valid(valid, bi * t + ti)) continue;
      const float* xr = x + (bi * t + ti) * c;
      for (std::int64_t ci = 0; ci < c; ++ci) {
        if (ar[ci] < 0 || xr[ci] > yr[ci]) {
          yr[ci] = xr[ci];
          ar[ci] = ti;
        }
      }
    }
  }
}

void max_pool_backward(const float* dy, const std::int64_t* argmax, float* dx, std::int64_t b,
                       std::int64_t t, std::int64_t c) {
  for (std::int64_t bi = 0; bi < b; ++bi) {
    for (std::int64_t ci = 0; ci < c; ++ci) {
      const std::int64_t ti = argmax[bi * c + ci];
      if (ti >= 0) dx[(bi * t + ti) * c + ci] += dy[bi * c + ci];
    }
  }
}

}  // namespace attn::kernels
