// Autograd ops that pool [B, T, C] activations over time: masked mean, masked
// max, and picking one time step (the "CLS" position).
#include "attn/kernels/pooling.h"

#include <memory>
#include <vector>

#include "attn/autograd/ops.h"

namespace attn::ops {
namespace {

// x must be F32 [B, T, C]; valid must be undefined or U8 [B, T].
void check_pool_inputs(const char* op, const Variable& x, const Tensor& valid) {
  ATTN_CHECK(x.defined() && x.value().dtype() == DType::f32 && x.shape().size() == 3,
             "{}: x must be F32 [B, T, C], got {}", op,
             x.defined() ? shape_str(x.shape()) : std::string("undefined"));
  if (!valid.defined()) return;
  const Shape want{x.shape()[0], x.shape()[1]};
  ATTN_CHECK(valid.dtype() == DType::u8 && valid.shape() == want,
             "{}: valid mask must be U8 {} for x {}, got {} {}", op, shape_str(want),
             shape_str(x.shape()), dtype_name(valid.dtype()), shape_str(valid.shape()));
}

const std::uint8_t* valid_ptr(const Tensor& valid) {
  return valid.defined() ? valid.data_as<std::uint8_t>() : nullptr;
}

}  // namespace

// x [B, T, C], valid u8 [B, T] or undefined -> [B, C]
Variable mean_pool(Context& ctx, const Variable& x, const Tensor& valid) {
  check_pool_inputs("mean_pool", x, valid);
  const std::int64_t b = x.shape()[0], t = x.shape()[1], c = x.shape()[2];
  Variable y(Tensor::empty({b, c}), ctx.records(x));
  kernels::mean_pool_forward(x.value().data(), valid_ptr(valid), y.value().data(), b, t, c);
  if (ctx.records(x)) {
    ctx.tape->record([x, y, valid, b, t, c]() {
      if (!y.has_grad()) return;
      kernels::mean_pool_backward(y.grad().data(), valid_ptr(valid), x.grad().data(), b, t, c);
    });
  }
  return y;
}

// x [B, T, C], valid u8 [B, T] or undefined -> [B, C]
Variable max_pool(Context& ctx, const Variable& x, const Tensor& valid) {
  check_pool_inputs("max_pool", x, valid);
  const std::int64_t b = x.shape()[0], t = x.shape()[1], c = x.shape()[2];
  Variable y(Tensor::empty({b, c}), ctx.records(x));
  // Shared: the backward closure keeps it alive after this op returns.
  auto argmax = std::make_shared<std::vector<std::int64_t>>(static_cast<std::size_t>(b * c));
  kernels::max_pool_forward(x.value().data(), valid_ptr(valid), y.value().data(), argmax->data(), b,
                            t, c);
  if (ctx.records(x)) {
    ctx.tape->record([x, y, argmax, b, t, c]() {
      if (!y.has_grad()) return;
      kernels::max_pool_backward(y.grad().data(), argmax->data(), x.grad().data(), b, t, c);
    });
  }
  return y;
}

// x [B, T, C] -> x[:, t, :] as [B, C]; t may be negative (counts from the end, like Python).
Variable select_time(Context& ctx, const Variable& x, std::int64_t t) {
  check_pool_inputs("select_time", x, Tensor());
  const std::int64_t b = x.shape()[0], tt = x.shape()[1], c = x.shape()[2];
  ATTN_CHECK(t >= -tt && t < tt, "select_time: t = {} out of range for x {} (time axis {})", t,
             shape_str(x.shape()), tt);
  const std::int64_t at = t < 0 ? t + tt : t;
  Variable y(Tensor::empty({b, c}), ctx.records(x));
  const float* xs = x.value().data();
  float* ys = y.value().data();
  for (std::int64_t bi = 0; bi < b; ++bi)
    std::copy(xs + (bi * tt + at) * c, xs + (bi * tt + at + 1) * c, ys + bi * c);
  if (ctx.records(x)) {
    ctx.tape->record([x, y, b, tt, c, at]() {
      if (!y.has_grad()) return;
      const float* g = y.grad().data();
      float* dx = x.grad().data();
      for (std::int64_t bi = 0; bi < b; ++bi)
        for (std::int64_t ci = 0; ci < c; ++ci) dx[(bi * tt + at) * c + ci] += g[bi * c + ci];
    });
  }
  return y;
}

}  // namespace attn::ops
