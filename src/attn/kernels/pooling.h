#pragma once
// Pooling over time with a validity mask (padding excluded), over raw pointers.
// valid is u8 [B, T] (1 = real token) or null (all valid). A batch row with no
// valid position pools to zeros and passes no gradient. Backward kernels
// ACCUMULATE (+=) into dx.
#include <cstdint>

namespace attn::kernels {

// x [B,T,C], valid [B,T] -> y [B,C] = mean of x[b,t,:] over valid t
void mean_pool_forward(const float* x, const std::uint8_t* valid, float* y, std::int64_t b,
                       std::int64_t t, std::int64_t c);
// dy [B,C] -> dx [B,T,C] += dy[b,:] / count_b at valid t
void mean_pool_backward(const float* dy, const std::uint8_t* valid, float* dx, std::int64_t b,
                        std::int64_t t, std::int64_t c);

// x [B,T,C], valid [B,T] -> y [B,C] = max over valid t, argmax [B,C] = that t
// (first one on ties) or -1 for a row with no valid position.
void max_pool_forward(const float* x, const std::uint8_t* valid, float* y, std::int64_t* argmax,
                      std::int64_t b, std::int64_t t, std::int64_t c);
// dy [B,C], argmax [B,C] -> dx [B,T,C] += dy at each argmax position
void max_pool_backward(const float* dy, const std::int64_t* argmax, float* dx, std::int64_t b,
                       std::int64_t t, std::int64_t c);

}  // namespace attn::kernels
