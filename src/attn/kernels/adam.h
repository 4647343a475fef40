#pragma once
// Fused Adam / AdamW parameter update over one flat f32 parameter, following
// torch.optim.Adam / AdamW (single-tensor path) operation by operation:
//   g' = g + l2 * p                     (Adam's coupled L2, when l2 != 0)
//   p  = p * decay                      (AdamW's decoupled decay, when decoupled)
//   m  = b1 * m + (1 - b1) * g'
//   v  = b2 * v + (1 - b2) * g'²
//   p  = p + (-lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps),  bcK = 1 - bK^t
// Products that feed a sum are written as explicit fma, so the result does not
// depend on the compiler's contraction choices: the SIMD kernel and the scalar
// reference agree bit for bit, for any thread count.
#include <cstdint>

namespace attn::kernels {

// Hyperparameters as the user gave them (f32, as stored in configs).
struct AdamHyper {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-7f;
  float weight_decay = 0.0f;  // 0 for parameters excluded from decay
  bool decoupled = false;     // true = AdamW
};

// The per-step scalars every element uses, computed once per step.
struct AdamStep {
  float beta1, beta2;                      // moment decay rates
  float one_minus_beta1, one_minus_beta2;  // their complements
  float eps;
  float l2;             // coupled weight decay (Adam); 0 when decoupled or none
  bool decoupled;       // apply `decay` to p before the moment update
  float decay;          // 1 - lr * weight_decay (AdamW)
  float neg_step_size;  // -lr / (1 - beta1^t)
  float bc2_sqrt;       // sqrt(1 - beta2^t)
};

// Step constants for update number t (1-based). Computed in double from the
// decimal each f32 hyperparameter was written as (0.9f -> 0.9), as Python does
// with torch's float hyperparameters, then rounded to f32 where torch rounds.
AdamStep adam_step_constants(const AdamHyper& h, std::int64_t t);

// p [n], g [n], m [n], v [n] -> p, m, v updated in place; g is read only.
// Parallel over the global pool unless use_reference_kernels().
void adam(float* p, const float* g, float* m, float* v, std::int64_t n, const AdamStep& s);
// One parameter tensor's share of a multi-tensor step.
struct AdamSegment {
  float* p;
  const float* g;
  float* m;
  float* v;
  std::int64_t n;
  AdamStep s;
};

// Every segment updated in one parallel pass over their concatenated elements:
// one pool dispatch per optimizer step instead of one per parameter (a GPT has
// dozens, many of them bias or norm vectors too small to split). Elementwise, so
// the result is the same as calling adam() on each segment.
void adam_multi(const AdamSegment* segments, std::size_t count);

// Same contract, one plain scalar loop.
void adam_ref(float* p, const float* g, float* m, float* v, std::int64_t n, const AdamStep& s);

}  // namespace attn::kernels
