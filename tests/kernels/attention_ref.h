#pragma once
// Double-precision scaled dot-product attention for tests: the straightforward
// formula, written independently of kernels/attention.cpp, to check its values.
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "attn/kernels/attention.h"

namespace attn::test {

struct AttentionRef {
  std::vector<double> probs;  // [B,H,Tq,Tk], before dropout
  std::vector<double> out;    // [B,H,Tq,Dv]
};

// factor(e) is the dropout multiplier of probs element e (1 when no dropout).
inline AttentionRef attention_reference(const kernels::AttentionDims& d, const float* q,
                                        const float* k, const float* v,
                                        const kernels::AttentionMaskView& m, double scale,
                                        const std::function<double(std::int64_t)>& factor) {
  AttentionRef r;
  r.probs.assign(static_cast<std::size_t>(d.batch * d.heads * d.tq * d.tk), 0.0);
  r.out.assign(static_cast<std::size_t>(d.batch * d.heads * d.tq * d.dv), 0.0);
  for (std::int64_t b = 0; b < d.batch; ++b)
    for (std::int64_t h = 0; h < d.heads; ++h)
      for (std::int64_t i = 0; i < d.tq; ++i) {
        const std::int64_t bh = b * d.heads + h;
        const std::int64_t mrow = i * d.tk;
        std::vector<double> s(static_cast<std::size_t>(d.tk));
        double mx = -std::numeric_limits<double>::infinity();
        for (std::int64_t j = 0; j < d.tk; ++j) {
          double dotp = 0.0;
          for (std::int64_t c = 0; c < d.d; ++c)
            dotp +=
                static_cast<double>(q[(bh * d.tq + i) * d.d + c]) * k[(bh * d.tk + j) * d.d + c];
          double sc = scale * dotp;
          if (m.bias) sc += m.bias[(m.bias_batched ? b * d.tq * d.tk : 0) + mrow + j];
          if (m.allow && !m.allow[(m.allow_batched ? b * d.tq * d.tk : 0) + mrow + j])
            sc = -std::numeric_limits<double>::infinity();
          if (m.causal && j > i + (d.tk - d.tq)) sc = -std::numeric_limits<double>::infinity();
          s[j] = sc;
          mx = std::max(mx, sc);
        }
        if (std::isinf(mx)) continue;  // fully masked row: zeros
        double sum = 0.0;
        for (auto& x : s) sum += (x = std::exp(x - mx));
        for (std::int64_t j = 0; j < d.tk; ++j) {
          const std::int64_t e = (bh * d.tq + i) * d.tk + j;
          r.probs[e] = s[j] / sum;
          const double w = r.probs[e] * factor(e);
          for (std::int64_t c = 0; c < d.dv; ++c)
            r.out[(bh * d.tq + i) * d.dv + c] += w * v[(bh * d.tk + j) * d.dv + c];
        }
      }
  return r;
}

}  // namespace attn::test
