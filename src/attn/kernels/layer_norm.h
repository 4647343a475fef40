#pragma once
// Layer normalisation over the last axis of N rows of C channels:
//   y = (x - mean) * rstd * gamma + beta,  rstd = 1 / sqrt(var + eps)
// with the biased variance, as PyTorch and Keras compute it. The forward pass
// saves mean and rstd per row for the backward pass.
#include <cstdint>

namespace attn::kernels {

// x [N,C], gamma [C], beta [C] -> y [N,C], mean [N], rstd [N]
// gamma / beta may be null (meaning 1 / 0). Rows run in parallel.
void layer_norm_forward(const float* x, const float* gamma, const float* beta, float eps,
                        std::int64_t N, std::int64_t C, float* y, float* mean, float* rstd);
void layer_norm_forward_ref(const float* x, const float* gamma, const float* beta, float eps,
                            std::int64_t N, std::int64_t C, float* y, float* mean, float* rstd);

// dy [N,C], x [N,C], gamma [C], mean [N], rstd [N]
//   -> dx [N,C] += (= when accumulate_dx is false: dx's old contents are
//   stale, Variable::grad_target), dgamma [C] +=, dbeta [C] +=
// Any of dx / dgamma / dbeta may be null (not needed); gamma may be null (= 1).
// dgamma/dbeta are summed per fixed block of rows and the blocks are added in
// order, so the result does not depend on the thread count.
void layer_norm_backward(const float* dy, const float* x, const float* gamma, const float* mean,
                         const float* rstd, std::int64_t N, std::int64_t C, float* dx,
                         float* dgamma, float* dbeta, bool accumulate_dx = true);
void layer_norm_backward_ref(const float* dy, const float* x, const float* gamma, const float* mean,
                             const float* rstd, std::int64_t N, std::int64_t C, float* dx,
                             float* dgamma, float* dbeta, bool accumulate_dx = true);

// The residual add fused with the layer norm that follows it (one pass over
// a and b instead of an add pass and a norm pass):
//   s = a + b [N,C], y = layer_norm(s) with mean [N] and rstd [N].
// Each row is added and then normalised by the same code as
// layer_norm_forward, so the results equal the unfused add + norm bit for bit.
void add_layer_norm_forward(const float* a, const float* b, const float* gamma, const float* beta,
                            float eps, std::int64_t N, std::int64_t C, float* s, float* y,
                            float* mean, float* rstd);

// Backward of add_layer_norm_forward: the gradient of s is ds (what reached s
// directly, e.g. the residual stream of a pre-norm block; null if nothing did)
// plus the layer norm's dx of dy; then da += that and db += that (either may be
// null; they may be the same buffer when a and b are; accumulate_a/_b false:
// overwrite instead of add). ds, when given, is left holding the total. dgamma/dbeta += as in
// layer_norm_backward. Same sums in the same order as layer_norm_backward followed by the add's
// backward.
void add_layer_norm_backward(const float* dy, const float* s, const float* gamma, const float* mean,
                             const float* rstd, std::int64_t N, std::int64_t C, float* ds,
                             float* da, float* db, float* dgamma, float* dbeta,
                             bool accumulate_a = true, bool accumulate_b = true);

}  // namespace attn::kernels
