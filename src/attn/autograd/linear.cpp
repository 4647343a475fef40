// ops::linear and ops::matmul: shape checks, OpenBLAS forward, and backward
// passes that accumulate into the inputs' gradients with beta = 1 gemms (beta
// = 0 into a fresh gradient buffer, Variable::grad_target).
#include <functional>

#include "attn/autograd/ops.h"
#include "attn/kernels/elementwise.h"
#include "attn/kernels/gemm.h"

namespace attn::ops {

namespace {

// Product of all but the last `keep` axes (the batch of rows an op treats alike).
std::int64_t leading_numel(const Shape& s, std::size_t keep) {
  std::int64_t n = 1;
  for (std::size_t i = 0; i + keep < s.size(); ++i) n *= s[i];
  return n;
}

}  // namespace

// x [..., I], w [O, I], b [O] (optional) -> y [..., O];  y = x·wᵀ + b
Variable linear(Context& ctx, const Variable& x, const Variable& w, const Variable& b) {
  ATTN_CHECK(x.defined() && w.defined(), "linear: input and weight must be defined");
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  ATTN_CHECK(ws.size() == 2 && !xs.empty() && xs.back() == ws[1],
             "linear: input {} does not match weight {} (expected x [..., I], w [O, I])",
             shape_str(xs), shape_str(ws));
  const std::int64_t O = ws[0], I = ws[1], N = leading_numel(xs, 1);
  if (b.defined())
    ATTN_CHECK(b.shape() == Shape{O}, "linear: bias {} does not match weight {} (expected [{}])",
               shape_str(b.shape()), shape_str(ws), O);

  Shape ys = xs;
  ys.back() = O;
  Tensor y = Tensor::empty(ys);
  kernels::gemm(false, true, N, O, I, 1.0f, x.value().data(), I, w.value().data(), I, 0.0f,
                y.data(), O);
  if (b.defined()) kernels::add_row_vector(N, O, y.data(), b.value().data(), y.data());

  const bool rec = ctx.records(x, w, b);
  Variable out(y, rec);
  if (rec) {
    ctx.tape->record([x, w, b, out, N, I, O] {
      if (!out.has_grad()) return;
      const float* dy = out.grad().data();
      // dx [N,I] += dy [N,O] · w [O,I] (beta 0 when dx is a fresh buffer)
      if (x.requires_grad()) {
        const Variable::GradTarget dx = x.grad_target();
        kernels::gemm(false, false, N, I, O, 1.0f, dy, O, w.value().data(), I,
                      dx.fresh ? 0.0f : 1.0f, dx.data, I);
      }
      // dw [O,I] += dyᵀ [O,N] · x [N,I]
      if (w.requires_grad())
        kernels::gemm(true, false, O, I, N, 1.0f, dy, O, x.value().data(), I, 1.0f, w.grad().data(),
                      I);
      // db [O] += column sums of dy
      if (b.requires_grad()) kernels::sum_rows(N, O, dy, b.grad().data());
    });
  }
  return out;
}

// a [..., M, K], b [..., K, N] (or [..., N, K] when trans_b) -> y [..., M, N]
Variable matmul(Context& ctx, const Variable& a, const Variable& b, bool trans_b) {
  ATTN_CHECK(a.defined() && b.defined(), "matmul: both inputs must be defined");
  const Shape& as = a.shape();
  const Shape& bs = b.shape();
  const std::size_t r = as.size();
  bool ok = r >= 2 && bs.size() == r;
  for (std::size_t i = 0; ok && i + 2 < r; ++i) ok = as[i] == bs[i];
  const std::int64_t M = ok ? as[r - 2] : 0, K = ok ? as[r - 1] : 0;
  const std::int64_t N = ok ? (trans_b ? bs[r - 2] : bs[r - 1]) : 0;
  ok = ok && (trans_b ? bs[r - 1] : bs[r - 2]) == K;
  ATTN_CHECK(ok,
             "matmul: a {} and b {} do not match (expected a [..., M, K] and b {}, same "
             "leading dims)",
             shape_str(as), shape_str(bs), trans_b ? "[..., N, K]" : "[..., K, N]");
  const std::int64_t batch = leading_numel(as, 2);
  const std::int64_t ldb = trans_b ? K : N;

  Shape ys = as;
  ys[r - 1] = N;
  Tensor y = Tensor::empty(ys);
  kernels::gemm_batched(false, trans_b, batch, M, N, K, 1.0f, a.value().data(), K, M * K,
                        b.value().data(), ldb, K * N, 0.0f, y.data(), N, M * N);

  const bool rec = ctx.records(a, b);
  Variable out(y, rec);
  if (rec) {
    ctx.tape->record([a, b, out, trans_b, batch, M, N, K, ldb] {
      if (!out.has_grad()) return;
      const float* dy = out.grad().data();
      // da [M,K] += dy [M,N] · op(b)ᵀ; op(b)ᵀ is b itself when trans_b.
      if (a.requires_grad()) {
        const Variable::GradTarget da = a.grad_target();
        kernels::gemm_batched(false, !trans_b, batch, M, K, N, 1.0f, dy, N, M * N, b.value().data(),
                              ldb, K * N, da.fresh ? 0.0f : 1.0f, da.data, K, M * K);
      }
      if (b.requires_grad()) {
        if (trans_b)  // db [N,K] += dyᵀ [N,M] · a [M,K]
          kernels::gemm_batched(true, false, batch, N, K, M, 1.0f, dy, N, M * N, a.value().data(),
                                K, M * K, 1.0f, b.grad().data(), K, K * N);
        else  // db [K,N] += aᵀ [K,M] · dy [M,N]
          kernels::gemm_batched(true, false, batch, K, N, M, 1.0f, a.value().data(), K, M * K, dy,
                                N, M * N, 1.0f, b.grad().data(), N, K * N);
      }
    });
  }
  return out;
}

}  // namespace attn::ops
