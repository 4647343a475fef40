#pragma once
// Elementwise kernels over flat float arrays of n elements: activations
// (GELU, ReLU, sigmoid) forward/backward, counter-based dropout and the
// add / axpy / scale helpers the autograd ops need. Each fast variant splits
// the range with attn::parallel_for and computes every element exactly as
// its scalar `_ref` twin does, so the two agree bit for bit.
// Backward kernels ACCUMULATE: dx += dy * f'(.), unless accumulate is false:
// then dx = dy * f'(.) and dx's old contents are never read (a gradient buffer
// that no other op has written yet, Variable::grad_target).
#include <cstdint>

namespace attn::kernels {

enum class GeluForm { erf, tanh };  // erf = exact (PyTorch default), tanh = approximation

// x [n] -> y [n]. The erf form's fast path uses vec_math.h's erfc_nonneg (within 2e-6
// relative of the libm-based *_ref, vectorised); the tanh form is the same formula in both.
void gelu_forward(GeluForm form, const float* x, float* y, std::int64_t n);
void gelu_forward_ref(GeluForm form, const float* x, float* y, std::int64_t n);
// x [n], dy [n] -> dx [n] += dy * gelu'(x)
void gelu_backward(GeluForm form, const float* x, const float* dy, float* dx, std::int64_t n,
                   bool accumulate = true);
void gelu_backward_ref(GeluForm form, const float* x, const float* dy, float* dx, std::int64_t n,
                       bool accumulate = true);

// x [n] -> y [n] = max(x, 0)
void relu_forward(const float* x, float* y, std::int64_t n);
void relu_forward_ref(const float* x, float* y, std::int64_t n);
// x [n], dy [n] -> dx [n] += dy * (x > 0)
void relu_backward(const float* x, const float* dy, float* dx, std::int64_t n,
                   bool accumulate = true);
void relu_backward_ref(const float* x, const float* dy, float* dx, std::int64_t n,
                       bool accumulate = true);

// x [n] -> y [n] = 1 / (1 + exp(-x)), without overflow for large |x|
void sigmoid_forward(const float* x, float* y, std::int64_t n);
void sigmoid_forward_ref(const float* x, float* y, std::int64_t n);
// y [n] (the forward output), dy [n] -> dx [n] += dy * y * (1 - y)
void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t n);
void sigmoid_backward_ref(const float* y, const float* dy, float* dx, std::int64_t n);

// ---- dropout ----
// Element i of stream (seed, key) is kept iff its uniform draw is >= p. The
// decision is a pure function of (seed, key, i), so it is the same for any
// thread count and the backward pass recomputes it instead of storing a mask.
bool dropout_keep(std::uint64_t seed, std::uint64_t key, std::uint64_t index, float p);
// -> keep [n] (1 = kept, 0 = dropped)
void dropout_mask(std::uint64_t seed, std::uint64_t key, float p, std::uint8_t* keep,
                  std::int64_t n);
void dropout_mask_ref(std::uint64_t seed, std::uint64_t key, float p, std::uint8_t* keep,
                      std::int64_t n);
// x [n] -> y [n] = keep ? x / (1 - p) : 0   (inverted dropout; 0 <= p < 1)
void dropout_forward(std::uint64_t seed, std::uint64_t key, float p, const float* x, float* y,
                     std::int64_t n);
void dropout_forward_ref(std::uint64_t seed, std::uint64_t key, float p, const float* x, float* y,
                         std::int64_t n);
// dy [n] -> dx [n] += keep ? dy / (1 - p) : 0
void dropout_backward(std::uint64_t seed, std::uint64_t key, float p, const float* dy, float* dx,
                      std::int64_t n, bool accumulate = true);
void dropout_backward_ref(std::uint64_t seed, std::uint64_t key, float p, const float* dy,
                          float* dx, std::int64_t n, bool accumulate = true);

// ---- add / axpy / scale helpers ----
// a [n], b [n] -> y [n] = a + b (y may alias a or b)
void add(const float* a, const float* b, float* y, std::int64_t n);
void add_ref(const float* a, const float* b, float* y, std::int64_t n);
// x [n] -> y [n] += alpha * x
void axpy(std::int64_t n, float alpha, const float* x, float* y);
void axpy_ref(std::int64_t n, float alpha, const float* x, float* y);
// x [n] -> y [n] = x (parallel copy; a gradient passed through unchanged)
void copy(std::int64_t n, const float* x, float* y);
// x [n] -> y [n] = s * x (y may alias x)
void scale(std::int64_t n, float s, const float* x, float* y);
void scale_ref(std::int64_t n, float s, const float* x, float* y);
// x [R, C], row [C] -> y [R, C] = x + row broadcast over rows (y may alias x)
void add_row_vector(std::int64_t rows, std::int64_t cols, const float* x, const float* row,
                    float* y);
void add_row_vector_ref(std::int64_t rows, std::int64_t cols, const float* x, const float* row,
                        float* y);
// x [R, C] -> out [C] += sum over rows. Each column is summed in row order, so
// the result does not depend on the thread count (bias gradients).
void sum_rows(std::int64_t rows, std::int64_t cols, const float* x, float* out);
void sum_rows_ref(std::int64_t rows, std::int64_t cols, const float* x, float* out);

}  // namespace attn::kernels
