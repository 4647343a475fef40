#pragma once
// Sets the process-wide matmul precision (kernels/matmul_precision.h) from a
// run's training.precision for the lifetime of the scope and restores the
// previous precision after. A fit holds one for the training steps; validation
// and test scores run inside with_f32_matmuls, so a bf16 run's metrics (and its
// choice of best checkpoint) are the f32 figures `attn evaluate` reports.
#include <ostream>
#include <string>

#include "attn/kernels/matmul_precision.h"

namespace attn::train {

class PrecisionScope {
 public:
  // precision: "f32" or "bf16". Says on `log` (if given) when bf16 cannot be honoured.
  explicit PrecisionScope(const std::string& precision, std::ostream* log = nullptr);
  ~PrecisionScope();
  PrecisionScope(const PrecisionScope&) = delete;
  PrecisionScope& operator=(const PrecisionScope&) = delete;

 private:
  kernels::MatmulPrecision previous_;
};

// --precision on --resume must name the run's own precision: the resumed run
// continues exactly, and its config.json (written at the start) keeps the value.
void check_resume_precision(bool resume, const std::string& saved, const std::string& requested);

// f() with f32 matrix products, the previous precision restored after.
template <typename F>
decltype(auto) with_f32_matmuls(F&& f) {
  const PrecisionScope f32("f32");
  return f();
}

}  // namespace attn::train
