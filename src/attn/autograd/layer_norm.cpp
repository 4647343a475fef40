// ops::layer_norm: normalises the last axis; the forward pass keeps the
// per-row mean and rstd for the backward kernel. ops::add_layer_norm fuses the
// residual add in front of it.
#include "attn/kernels/layer_norm.h"

#include "attn/autograd/ops.h"
#include "attn/kernels/elementwise.h"

namespace attn::ops {

// x [..., C], gamma [C], beta [C] -> [..., C]  (gamma / beta may be undefined: 1 / 0)
namespace {

// Checks x [..., C] against gamma/beta [C] and eps; returns the row count N.
std::int64_t check_norm_inputs(const char* op, const Variable& x, const Variable& gamma,
                               const Variable& beta, float eps) {
  ATTN_CHECK(x.defined() && x.value().rank() >= 1, "{}: x must have at least one axis", op);
  const Shape& xs = x.shape();
  const std::int64_t C = xs.back();
  for (const Variable* p : {&gamma, &beta}) {
    if (p->defined())
      ATTN_CHECK(p->shape() == Shape{C}, "{}: {} {} does not match x {} (expected [{}])", op,
                 p == &gamma ? "gamma" : "beta", shape_str(p->shape()), shape_str(xs), C);
  }
  ATTN_CHECK(eps > 0.0f, "{}: eps must be positive, got {}", op, eps);
  return C > 0 ? x.value().numel() / C : 0;
}

const float* data_or_null(const Variable& v) { return v.defined() ? v.value().data() : nullptr; }
float* grad_or_null(const Variable& v) { return v.requires_grad() ? v.grad().data() : nullptr; }
Variable::GradTarget target_or_null(const Variable& v) {
  return v.requires_grad() ? v.grad_target() : Variable::GradTarget{nullptr, false};
}

}  // namespace

Variable layer_norm(Context& ctx, const Variable& x, const Variable& gamma, const Variable& beta,
                    float eps) {
  const std::int64_t N = check_norm_inputs("layer_norm", x, gamma, beta, eps);
  const Shape& xs = x.shape();
  const std::int64_t C = xs.back();
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
      const Variable::GradTarget dx =
          x.requires_grad() ? x.grad_target() : Variable::GradTarget{nullptr, false};
      kernels::layer_norm_backward(out.grad().data(), x.value().data(), data_or_null(gamma),
                                   mean.data(), rstd.data(), N, C, dx.data, grad_or_null(gamma),
                                   grad_or_null(beta), !dx.fresh);
    });
  }
  return out;
}

AddNorm add_layer_norm(Context& ctx, const Variable& a, const Variable& b, const Variable& gamma,
                       const Variable& beta, float eps) {
  ATTN_CHECK(a.defined() && b.defined() && a.shape() == b.shape(),
             "add_layer_norm: a {} and b {} must be defined and of the same shape",
             a.defined() ? shape_str(a.shape()) : "undefined",
             b.defined() ? shape_str(b.shape()) : "undefined");
  const std::int64_t N = check_norm_inputs("add_layer_norm", a, gamma, beta, eps);
  const std::int64_t C = a.shape().back();
  Tensor sum = Tensor::empty(a.shape());
  Tensor y = Tensor::empty(a.shape());
  Tensor mean = Tensor::empty({N});
  Tensor rstd = Tensor::empty({N});
  kernels::add_layer_norm_forward(a.value().data(), b.value().data(), data_or_null(gamma),
                                  data_or_null(beta), eps, N, C, sum.data(), y.data(), mean.data(),
                                  rstd.data());
  const bool rec = ctx.records(a, b) || ctx.records(gamma, beta);
  AddNorm out{Variable(sum, rec), Variable(y, rec)};
  if (rec) {
    ctx.tape->record([a, b, gamma, beta, out, mean, rstd, N, C] {
      const bool direct = out.sum.has_grad();
      if (!out.normed.has_grad()) {
        if (!direct) return;
        // Only the sum was used: the add's backward alone.
        const float* ds = out.sum.grad().data();
        for (const Variable* v : {&a, &b})
          if (v->requires_grad()) kernels::axpy(N * C, 1.0f, ds, v->grad().data());
        return;
      }
      // a and b the same Variable: its gradient gets ds twice, as from add(x, x)
      // (the first target is fresh, the second not).
      const Variable::GradTarget da = target_or_null(a), db = target_or_null(b);
      kernels::add_layer_norm_backward(
          out.normed.grad().data(), out.sum.value().data(), data_or_null(gamma), mean.data(),
          rstd.data(), N, C, direct ? out.sum.grad().data() : nullptr, da.data, db.data,
          grad_or_null(gamma), grad_or_null(beta), !da.fresh, !db.fresh);
    });
  }
  return out;
}

}  // namespace attn::ops
