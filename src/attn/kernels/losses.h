#pragma once
// Loss kernels over raw pointers: binary cross-entropy with logits (the plain
// sigmoid lives in elementwise.h) and softmax cross-entropy with label
// smoothing and ignore_index (PyTorch semantics). Losses are the mean over counted rows,
// accumulated in double so the value does not depend on N's rounding order. Backward kernels
// ACCUMULATE
// (+=) into their gradient outputs.
#include <cstdint>

namespace attn::kernels {

// logits x [N], targets t [N] in [0, 1] -> mean of max(x,0) - x·t + log1p(exp(-|x|))
// (the form that never overflows and equals -t·log σ(x) - (1-t)·log(1-σ(x))).
float bce_with_logits_forward(const float* x, const float* t, std::int64_t n);
// dx [N] += dloss / N · (σ(x) - t)
void bce_with_logits_backward(const float* x, const float* t, std::int64_t n, float dloss,
                              float* dx);

// logits [N, V], targets [N] (each in [0, V) or == ignore_index) -> mean loss over
// the non-ignored rows of (1-ε)·(-log p_target) + ε·mean_c(-log p_c), p = softmax(row).
// All rows ignored -> 0. lse [N] (may be null) receives each row's log-sum-exp.
float cross_entropy_forward(const float* logits, const std::int32_t* targets, std::int64_t n,
                            std::int64_t v, float label_smoothing, std::int32_t ignore_index,
                            float* lse);
// dlogits [N, V] += dloss / count · (p - ((1-ε)·onehot(target) + ε/V)) for non-ignored rows.
// lse [N] is the forward's output.
void cross_entropy_backward(const float* logits, const std::int32_t* targets, std::int64_t n,
                            std::int64_t v, float label_smoothing, std::int32_t ignore_index,
                            const float* lse, float dloss, float* dlogits);

// Same contracts, straightforward scalar code in double, for tests to compare against.
float bce_with_logits_forward_ref(const float* x, const float* t, std::int64_t n);
float cross_entropy_forward_ref(const float* logits, const std::int32_t* targets, std::int64_t n,
                                std::int64_t v, float label_smoothing, std::int32_t ignore_index);

}  // namespace attn::kernels
