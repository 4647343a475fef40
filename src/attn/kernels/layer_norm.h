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
//   -> dx [N,C] +=, dgamma [C] +=, dbeta [C] +=
// Any of dx / dgamma / dbeta may be null (not needed); gamma may be null (= 1).
// dgamma/dbeta are summed per fixed block of rows and the blocks are added in
// order, so the result does not depend on the thread count.
void layer_norm_backward(const float* dy, const float* x, const float* gamma, const float* mean,
                         const float* rstd, std::int64_t N, std::int64_t C, float* dx,
                         float* dgamma, float* dbeta);
void layer_norm_backward_ref(const float* dy, const float* x, const float* gamma, const float* mean,
                             const float* rstd, std::int64_t N, std::int64_t C, float* dx,
                             float* dgamma, float* dbeta);

}  // namespace attn::kernels
