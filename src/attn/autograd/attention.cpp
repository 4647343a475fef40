// Autograd ops for multi-head attention: head split/merge and scaled
// dot-product attention. Shapes are checked here, once; kernels assume them.
#include "attn/kernels/attention.h"

#include "attn/autograd/ops.h"
#include "attn/kernels/flash_attention.h"
#include "attn/kernels/reference_mode.h"

namespace attn::ops {
namespace {

// x [B, T, H, D] laid out as [B, T, H*D] <-> y [B, H, T, D]. to_heads picks the
// direction; accumulate adds into dst instead of overwriting it (backward).
void permute_heads(const float* src, float* dst, std::int64_t b, std::int64_t t, std::int64_t h,
                   std::int64_t d, bool to_heads, bool accumulate) {
  for (std::int64_t bi = 0; bi < b; ++bi)
    for (std::int64_t ti = 0; ti < t; ++ti)
      for (std::int64_t hi = 0; hi < h; ++hi) {
        const std::int64_t flat = ((bi * t + ti) * h + hi) * d;  // [B, T, H*D]
        const std::int64_t head = ((bi * h + hi) * t + ti) * d;  // [B, H, T, D]
        const float* s = src + (to_heads ? flat : head);
        float* o = dst + (to_heads ? head : flat);
        if (accumulate) {
          for (std::int64_t di = 0; di < d; ++di) o[di] += s[di];
        } else {
          std::copy(s, s + d, o);
        }
      }
}

void check_f32(const char* op, const char* name, const Variable& x) {
  ATTN_CHECK(x.defined(), "{}: {} is undefined", op, name);
  ATTN_CHECK(x.value().dtype() == DType::f32, "{}: {} must be F32, got {} {}", op, name,
             dtype_name(x.value().dtype()), shape_str(x.shape()));
}

// A mask part must be [Tq, Tk] or [B, Tq, Tk] of the given dtype; returns whether it is batched.
bool check_mask_part(const Tensor& m, const char* name, DType dtype, std::int64_t b,
                     std::int64_t tq, std::int64_t tk) {
  const bool shared = m.shape() == Shape{tq, tk};
  const bool batched = m.shape() == Shape{b, tq, tk};
  ATTN_CHECK((shared || batched) && m.dtype() == dtype,
             "attention: mask {} must be {} {} or {}, got {} {}", name, dtype_name(dtype),
             shape_str({tq, tk}), shape_str({b, tq, tk}), dtype_name(m.dtype()),
             shape_str(m.shape()));
  return batched;
}

}  // namespace

// x [B, T, H*D] -> [B, H, T, D]
Variable split_heads(Context& ctx, const Variable& x, int heads) {
  check_f32("split_heads", "x", x);
  const Shape& s = x.shape();
  ATTN_CHECK(heads > 0 && s.size() == 3 && s[2] % heads == 0,
             "split_heads: x must be [B, T, H*D] with H*D divisible by heads = {}, got {}", heads,
             shape_str(s));
  const std::int64_t b = s[0], t = s[1], h = heads, d = s[2] / heads;
  Variable y(Tensor::empty({b, h, t, d}), ctx.records(x));
  permute_heads(x.value().data(), y.value().data(), b, t, h, d, /*to_heads=*/true, false);
  if (ctx.records(x)) {
    ctx.tape->record([x, y, b, t, h, d]() {
      if (!y.has_grad()) return;
      const Variable::GradTarget dx = x.grad_target();
      permute_heads(y.grad().data(), dx.data, b, t, h, d, /*to_heads=*/false, !dx.fresh);
    });
  }
  return y;
}

// x [B, H, T, D] -> [B, T, H*D]
Variable merge_heads(Context& ctx, const Variable& x) {
  check_f32("merge_heads", "x", x);
  const Shape& s = x.shape();
  ATTN_CHECK(s.size() == 4, "merge_heads: x must be [B, H, T, D], got {}", shape_str(s));
  const std::int64_t b = s[0], h = s[1], t = s[2], d = s[3];
  Variable y(Tensor::empty({b, t, h * d}), ctx.records(x));
  permute_heads(x.value().data(), y.value().data(), b, t, h, d, /*to_heads=*/false, false);
  if (ctx.records(x)) {
    ctx.tape->record([x, y, b, t, h, d]() {
      if (!y.has_grad()) return;
      const Variable::GradTarget dx = x.grad_target();
      permute_heads(y.grad().data(), dx.data, b, t, h, d, /*to_heads=*/true, !dx.fresh);
    });
  }
  return y;
}

// q [B, H, Tq, D], k [B, H, Tk, D], v [B, H, Tk, Dv] -> [B, H, Tq, Dv]
Variable attention(Context& ctx, const Variable& q, const Variable& k, const Variable& v,
                   const AttentionMask& mask, float scale, float dropout_p, Tensor* probs_out) {
  check_f32("attention", "q", q);
  check_f32("attention", "k", k);
  check_f32("attention", "v", v);
  const Shape &qs = q.shape(), &ks = k.shape(), &vs = v.shape();
  ATTN_CHECK(qs.size() == 4 && ks.size() == 4 && vs.size() == 4 && qs[0] == ks[0] &&
                 qs[0] == vs[0] && qs[1] == ks[1] && qs[1] == vs[1] && qs[3] == ks[3] &&
                 ks[2] == vs[2],
             "attention: expected q [B, H, Tq, D], k [B, H, Tk, D], v [B, H, Tk, Dv], got q {}, "
             "k {}, v {}",
             shape_str(qs), shape_str(ks), shape_str(vs));
  ATTN_CHECK(dropout_p >= 0.0f && dropout_p < 1.0f, "attention: dropout must be in [0, 1), got {}",
             dropout_p);
  kernels::AttentionDims dims{qs[0], qs[1], qs[2], ks[2], qs[3], vs[3]};

  kernels::AttentionMaskView mv;
  mv.causal = mask.causal;
  if (mask.allow.defined()) {
    mv.allow_batched =
        check_mask_part(mask.allow, "allow", DType::u8, dims.batch, dims.tq, dims.tk);
    mv.allow = mask.allow.data_as<std::uint8_t>();
  }
  if (mask.bias.defined()) {
    mv.bias_batched = check_mask_part(mask.bias, "bias", DType::f32, dims.batch, dims.tq, dims.tk);
    mv.bias = mask.bias.data();
  }

  kernels::AttentionDropout drop;
  if (ctx.training && dropout_p > 0.0f) {
    ATTN_CHECK(ctx.rng != nullptr, "attention: dropout {} in training needs ctx.rng", dropout_p);
    drop = {dropout_p, ctx.rng->seed(), ctx.rng->next_stream()};
  }

  const bool rec = ctx.records(q, k, v);
  Variable out(Tensor::empty({dims.batch, dims.heads, dims.tq, dims.dv}), rec);
  // A decode step (one or two new queries against a cache) keeps the naive
  // kernel: its probabilities are only [B, H, Tq, Tk] with Tq <= 2, and flash's
  // tiles would leave most vector lanes of the score products idle.
  constexpr std::int64_t kFlashMinQueries = 3;
  if (probs_out == nullptr && !kernels::use_reference_kernels() && dims.tq >= kFlashMinQueries) {
    // Flash attention: no [B, H, Tq, Tk] buffer, forward or backward; the
    // log-sum-exp rows are all the backward pass needs besides the output.
    Tensor lse = Tensor::empty({dims.batch, dims.heads, dims.tq});
    kernels::flash_attention_forward(dims, q.value().data(), k.value().data(), v.value().data(), mv,
                                     scale, drop, out.value().data(), lse.data());
    if (rec) {
      // The mask tensors are captured so the view's pointers outlive this call.
      ctx.tape->record([q, k, v, out, lse, mask, mv, dims, scale, drop]() {
        if (!out.has_grad()) return;
        kernels::flash_attention_backward(dims, q.value().data(), k.value().data(),
                                          v.value().data(), mv, scale, drop, out.value().data(),
                                          lse.data(), out.grad().data(),
                                          q.requires_grad() ? q.grad().data() : nullptr,
                                          k.requires_grad() ? k.grad().data() : nullptr,
                                          v.requires_grad() ? v.grad().data() : nullptr);
      });
    }
    return out;
  }
  Tensor probs = Tensor::empty({dims.batch, dims.heads, dims.tq, dims.tk});
  kernels::attention_forward(dims, q.value().data(), k.value().data(), v.value().data(), mv, scale,
                             drop, probs.data(), out.value().data());
  // A copy, so a caller editing what it was given cannot corrupt the backward pass.
  if (probs_out != nullptr) *probs_out = probs.clone();
  if (rec) {
    ctx.tape->record([q, k, v, out, probs, dims, scale, drop]() {
      if (!out.has_grad()) return;
      kernels::attention_backward(dims, q.value().data(), k.value().data(), v.value().data(),
                                  probs.data(), scale, drop, out.grad().data(),
                                  q.requires_grad() ? q.grad().data() : nullptr,
                                  k.requires_grad() ? k.grad().data() : nullptr,
                                  v.requires_grad() ? v.grad().data() : nullptr);
    });
  }
  return out;
}

}  // namespace attn::ops
