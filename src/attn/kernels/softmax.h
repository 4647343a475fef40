#pragma once
// Row softmax kernels over raw pointers. Each fast kernel has a plain scalar
// `_ref` twin with the same contract; tests compare the two.
//
// Masked softmax is the attention form: scores scale*x + bias, restricted to
// the entries a u8 "may attend" mask allows. Entries that are disallowed or
// whose score is -inf get probability exactly 0; a row with no such entry
// left gets all zeros (never NaN), as DESIGN.md's mask contract requires.
// Backward kernels ACCUMULATE (+=) into dx, like every backward in attn.
#include <cstdint>

namespace attn::kernels {

// x [N, C] -> y [N, C]; y may alias x.
void softmax_forward(const float* x, float* y, std::int64_t rows, std::int64_t cols);
void softmax_forward_ref(const float* x, float* y, std::int64_t rows, std::int64_t cols);

// y [N, C] (forward output), dy [N, C] -> dx [N, C] += y * (dy - sum(dy * y))
void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows,
                      std::int64_t cols);
void softmax_backward_ref(const float* y, const float* dy, float* dx, std::int64_t rows,
                          std::int64_t cols);

// x [N, C], allow u8 [N, C] or null (all allowed), bias [N, C] or null -> y [N, C]
// y = softmax(scale * x + bias) over allowed entries; y may alias x.
void masked_softmax_forward(const float* x, const std::uint8_t* allow, const float* bias,
                            float scale, float* y, std::int64_t rows, std::int64_t cols);
void masked_softmax_forward_ref(const float* x, const std::uint8_t* allow, const float* bias,
                                float scale, float* y, std::int64_t rows, std::int64_t cols);

// y [N, C], dy [N, C] -> dx [N, C] += scale * y * (dy - sum(dy * y)) (gradient w.r.t. x;
// masked entries have y = 0 and so get none).
void masked_softmax_backward(const float* y, const float* dy, float scale, float* dx,
                             std::int64_t rows, std::int64_t cols);
void masked_softmax_backward_ref(const float* y, const float* dy, float scale, float* dx,
                                 std::int64_t rows, std::int64_t cols);

}  // namespace attn::kernels
