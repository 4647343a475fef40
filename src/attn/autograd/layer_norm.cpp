// ops::layer_norm: normalises the last axis; the forward pass keeps the
// per-row mean and rstd for the backward kernel.
#include "attn/kernels/layer_norm.h"

#include "attn/autograd/ops.h"

namespace attn::ops {

// x [..., C], gamma [C], beta [C] -> [..., C]  (gamma / beta may be undefined: 1 / 0)
Variable layer_norm(Context& ctx, const Variable& x, const Variable& gamma, const Variable& beta,
                    float eps) {
  ATTN_CHECK(x.defined() && x.value().rank() >= 1, "layer_norm: x must have at least one axis");
  const Shape& xs = x.shape();
  const std::int64_t C = xs.back();
  for (const Variable* p : {&gamma, &beta}) {
    if (p->defined())
      ATTN_CHECK(p->shape() == Shape{C}, "layer_norm: {} {} does not match x {} (expected [{}])",
                 p == &gamma ? "gamma" : "beta", shape_str(p->shape()), shape_str(xs), C);
  }
  ATTN_CHECK(eps > 0.0f, "layer_norm: eps must be positive, got {}", eps);
  const std::int64_t N = C > 0 ? x.value().numel() / C : 0;
  Tensor y = Tensor::empty(xs);
  Tensor mean = Tensor::empty({N});
  Tensor rstd = Tensor::empty({N});
  const float* g = gamma.defined() ? gamma.value().data() : nullptr;
  const float* b = beta.defined() ? beta.value().data() : nullptr;
  kernels::layer_norm_forward(x.value().data(), g, b, eps, N, C, y.data(), mean.data(),
                              rstd.data());

  const bool rec = ctx.records(x, gamma, beta);
  Variable out(y, rec);
  if (rec) {
    ctx.tape->record([x, gamma, beta, out, mean, rstd, N, C] {
      if (!out.has_grad()) return;
      kernels::layer_norm_backward(out.grad().data(), x.value().data(),
                                   gamma.defined() ? gamma.value().data() : nullptr, mean.data(),
                                   rstd.data(), N, C, x.requires_grad() ? x.grad().data() : nullptr,
                                   gamma.requires_grad() ? gamma.grad().data() : nullptr,
                                   beta.requires_grad() ? beta.grad().data() : nullptr);
    });
  }
  return out;
}

}  // namespace attn::ops
