// Autograd loss ops: each returns a 1-element mean and records a backward that
// scales the per-element gradient by the loss's incoming gradient.
#include "attn/kernels/losses.h"

#include <memory>
#include <vector>

#include "attn/autograd/ops.h"

namespace attn::ops {

// logits [N] or [N, 1], targets N values in [0, 1] -> [1]
Variable bce_with_logits(Context& ctx, const Variable& logits, const std::vector<float>& targets) {
  ATTN_CHECK(logits.defined() && logits.value().dtype() == DType::f32,
             "bce_with_logits: logits must be a defined F32 tensor");
  const Shape& s = logits.shape();
  ATTN_CHECK(s.size() == 1 || (s.size() == 2 && s[1] == 1),
             "bce_with_logits: logits must be [N] or [N, 1], got {}", shape_str(s));
  const std::int64_t n = s[0];
  ATTN_CHECK(static_cast<std::int64_t>(targets.size()) == n,
             "bce_with_logits: {} targets for logits {} (expected {})", targets.size(),
             shape_str(s), n);
  for (std::size_t i = 0; i < targets.size(); ++i)
    ATTN_CHECK(targets[i] >= 0.0f && targets[i] <= 1.0f,
               "bce_with_logits: target {} at index {} is outside [0, 1]", targets[i], i);
  const bool rec = ctx.records(logits);
  Variable loss(
      Tensor::full({1}, kernels::bce_with_logits_forward(logits.value().data(), targets.data(), n)),
      rec);
  if (rec) {
    const Tensor t = Tensor::from({n}, targets);  // arena storage, not a heap copy
    ctx.tape->record([logits, loss, t, n]() {
      if (!loss.has_grad()) return;
      kernels::bce_with_logits_backward(logits.value().data(), t.data(), n, loss.grad().data()[0],
                                        logits.grad().data());
    });
  }
  return loss;
}

// logits [N, V], targets N ids in [0, V) or == ignore_index -> [1]
Variable cross_entropy(Context& ctx, const Variable& logits,
                       const std::vector<std::int32_t>& targets, float label_smoothing,
                       std::int32_t ignore_index) {
  ATTN_CHECK(logits.defined() && logits.value().dtype() == DType::f32,
             "cross_entropy: logits must be a defined F32 tensor");
  const Shape& s = logits.shape();
  ATTN_CHECK(s.size() == 2 && s[1] > 0, "cross_entropy: logits must be [N, V] with V > 0, got {}",
             shape_str(s));
  const std::int64_t n = s[0], v = s[1];
  ATTN_CHECK(static_cast<std::int64_t>(targets.size()) == n,
             "cross_entropy: {} targets for logits {} (expected {})", targets.size(), shape_str(s),
             n);
  for (std::size_t i = 0; i < targets.size(); ++i)
    ATTN_CHECK(targets[i] == ignore_index || (targets[i] >= 0 && targets[i] < v),
               "cross_entropy: target {} at index {} is outside [0, {}) and is not "
               "ignore_index {}",
               targets[i], i, v, ignore_index);
  ATTN_CHECK(label_smoothing >= 0.0f && label_smoothing <= 1.0f,
             "cross_entropy: label_smoothing must be in [0, 1], got {}", label_smoothing);
  const bool rec = ctx.records(logits);
  Tensor lse = Tensor::empty({n});
  const float value = kernels::cross_entropy_forward(logits.value().data(), targets.data(), n, v,
                                                     label_smoothing, ignore_index, lse.data());
  Variable loss(Tensor::full({1}, value), rec);
  if (rec) {
    const Tensor t = Tensor::from_i32(targets);
    ctx.tape->record([logits, loss, t, lse, n, v, label_smoothing, ignore_index]() {
      if (!loss.has_grad()) return;
      kernels::cross_entropy_backward(logits.value().data(), t.data_as<std::int32_t>(), n, v,
                                      label_smoothing, ignore_index, lse.data(),
                                      loss.grad().data()[0], logits.grad().data());
    });
  }
  return loss;
}

}  // namespace attn::ops
