// Elementwise autograd ops: add, add_rows, scale, relu, gelu, sigmoid,
// dropout and reshape. Each forward calls a kernel; each backward closure
// accumulates into the gradients of the inputs that require one.
#include "attn/kernels/elementwise.h"

#include "attn/autograd/ops.h"

namespace attn::ops {

namespace {

void check_defined(const Variable& v, const char* op, const char* what) {
  ATTN_CHECK(v.defined(), "{}: {} is undefined", op, what);
}

kernels::GeluForm gelu_form(GeluApprox a) {
  return a == GeluApprox::tanh ? kernels::GeluForm::tanh : kernels::GeluForm::erf;
}

// x's gradient += alpha · g [n]; written (copied or scaled) instead when no
// gradient has reached x yet, which skips the zero fill and a read.
void add_into(const Variable& x, std::int64_t n, float alpha, const float* g) {
  const Variable::GradTarget dx = x.grad_target();
  if (!dx.fresh)
    kernels::axpy(n, alpha, g, dx.data);
  else if (alpha == 1.0f)
    kernels::copy(n, g, dx.data);
  else
    kernels::scale(n, alpha, g, dx.data);
}

}  // namespace

// a [...], b [...] (same shape) -> a + b
Variable add(Context& ctx, const Variable& a, const Variable& b) {
  check_defined(a, "add", "a");
  check_defined(b, "add", "b");
  ATTN_CHECK(a.shape() == b.shape(), "add: shapes {} and {} differ", shape_str(a.shape()),
             shape_str(b.shape()));
  const std::int64_t n = a.value().numel();
  Tensor y = Tensor::empty(a.shape());
  kernels::add(a.value().data(), b.value().data(), y.data(), n);
  const bool rec = ctx.records(a, b);
  Variable out(y, rec);
  if (rec) {
    ctx.tape->record([a, b, out, n] {
      if (!out.has_grad()) return;
      const float* dy = out.grad().data();
      // (a and b the same Variable: the first call writes, the second adds.)
      if (a.requires_grad()) add_into(a, n, 1.0f, dy);
      if (b.requires_grad()) add_into(b, n, 1.0f, dy);
    });
  }
  return out;
}

// x [..., T, C], p [T', C] with T <= T' -> x + p[:T] broadcast over the leading axes
Variable add_rows(Context& ctx, const Variable& x, const Variable& p) {
  check_defined(x, "add_rows", "x");
  check_defined(p, "add_rows", "p");
  const Shape& xs = x.shape();
  const Shape& ps = p.shape();
  const std::size_t r = xs.size();
  ATTN_CHECK(r >= 2 && ps.size() == 2 && xs[r - 1] == ps[1] && xs[r - 2] <= ps[0],
             "add_rows: x {} does not fit p {} (expected x [..., T, C], p [T', C], T <= T')",
             shape_str(xs), shape_str(ps));
  const std::int64_t row = xs[r - 2] * xs[r - 1];  // elements of p actually used
  const std::int64_t outer = row > 0 ? x.value().numel() / row : 0;
  Tensor y = Tensor::empty(xs);
  kernels::add_row_vector(outer, row, x.value().data(), p.value().data(), y.data());
  const bool rec = ctx.records(x, p);
  Variable out(y, rec);
  if (rec) {
    ctx.tape->record([x, p, out, outer, row] {
      if (!out.has_grad()) return;
      const float* dy = out.grad().data();
      if (x.requires_grad()) add_into(x, outer * row, 1.0f, dy);
      // Rows of p beyond T get no gradient.
      if (p.requires_grad()) kernels::sum_rows(outer, row, dy, p.grad().data());
    });
  }
  return out;
}

// x [...] -> s * x
Variable scale(Context& ctx, const Variable& x, float s) {
  check_defined(x, "scale", "x");
  const std::int64_t n = x.value().numel();
  Tensor y = Tensor::empty(x.shape());
  kernels::scale(n, s, x.value().data(), y.data());
  const bool rec = ctx.records(x);
  Variable out(y, rec);
  if (rec) {
    ctx.tape->record([x, out, n, s] {
      if (out.has_grad()) add_into(x, n, s, out.grad().data());
    });
  }
  return out;
}

// x [...] -> max(x, 0)
Variable relu(Context& ctx, const Variable& x) {
  check_defined(x, "relu", "x");
  const std::int64_t n = x.value().numel();
  Tensor y = Tensor::empty(x.shape());
  kernels::relu_forward(x.value().data(), y.data(), n);
  const bool rec = ctx.records(x);
  Variable out(y, rec);
  if (rec) {
    ctx.tape->record([x, out, n] {
      if (!out.has_grad()) return;
      const Variable::GradTarget dx = x.grad_target();
      kernels::relu_backward(x.value().data(), out.grad().data(), dx.data, n, !dx.fresh);
    });
  }
  return out;
}

// x [...] -> gelu(x), exact (erf) or tanh approximation
Variable gelu(Context& ctx, const Variable& x, GeluApprox approx) {
  check_defined(x, "gelu", "x");
  const std::int64_t n = x.value().numel();
  const kernels::GeluForm form = gelu_form(approx);
  Tensor y = Tensor::empty(x.shape());
  kernels::gelu_forward(form, x.value().data(), y.data(), n);
  const bool rec = ctx.records(x);
  Variable out(y, rec);
  if (rec) {
    ctx.tape->record([x, out, n, form] {
      if (!out.has_grad()) return;
      const Variable::GradTarget dx = x.grad_target();
      kernels::gelu_backward(form, x.value().data(), out.grad().data(), dx.data, n, !dx.fresh);
    });
  }
  return out;
}

// x [...] -> 1 / (1 + exp(-x)); the backward pass needs only the output.
Variable sigmoid(Context& ctx, const Variable& x) {
  check_defined(x, "sigmoid", "x");
  const std::int64_t n = x.value().numel();
  Tensor y = Tensor::empty(x.shape());
  kernels::sigmoid_forward(x.value().data(), y.data(), n);
  const bool rec = ctx.records(x);
  Variable out(y, rec);
  if (rec) {
    ctx.tape->record([x, out, n] {
      if (out.has_grad())
        kernels::sigmoid_backward(out.value().data(), out.grad().data(), x.grad().data(), n);
    });
  }
  return out;
}

// x [...] -> x * keep / (1 - p) in training, x otherwise
Variable dropout(Context& ctx, const Variable& x, float p) {
  check_defined(x, "dropout", "x");
  ATTN_CHECK(p >= 0.0f && p < 1.0f, "dropout: rate {} is outside [0, 1)", p);
  const bool rec = ctx.records(x);
  if (!ctx.training || p == 0.0f) {
    // Identity. Returning x itself keeps one handle when the flags agree; a fresh
    // handle on the same storage keeps requires_grad == ctx.records(x) otherwise.
    return x.requires_grad() == rec ? x : Variable(x.value(), rec);
  }
  ATTN_CHECK(ctx.rng != nullptr, "dropout: training with rate {} needs ctx.rng, which is null", p);
  const std::uint64_t seed = ctx.rng->seed();
  const std::uint64_t key = ctx.rng->next_stream();
  const std::int64_t n = x.value().numel();
  Tensor y = Tensor::empty(x.shape());
  kernels::dropout_forward(seed, key, p, x.value().data(), y.data(), n);
  Variable out(y, rec);
  if (rec) {
    // The mask is recomputed from (seed, key) instead of being stored.
    ctx.tape->record([x, out, n, seed, key, p] {
      if (!out.has_grad()) return;
      const Variable::GradTarget dx = x.grad_target();
      kernels::dropout_backward(seed, key, p, out.grad().data(), dx.data, n, !dx.fresh);
    });
  }
  return out;
}

// x [...] -> same storage viewed as `shape` (one axis may be -1)
Variable reshape(Context& ctx, const Variable& x, const Shape& shape) {
  check_defined(x, "reshape", "x");
  Tensor y = x.value().reshape(shape);  // throws with both shapes on a size mismatch
  const bool rec = ctx.records(x);
  Variable out(y, rec);
  if (rec) {
    const std::int64_t n = y.numel();
    ctx.tape->record([x, out, n] {
      if (out.has_grad()) add_into(x, n, 1.0f, out.grad().data());
    });
  }
  return out;
}

}  // namespace attn::ops
