#pragma once
// Sets the process-wide matmul precision (kernels/matmul_precision.h) from a
// run's training.precision for the lifetime of the fit, and restores f32 after,
// so evaluation, generation and later runs in the same process are unaffected.
#include <ostream>
#include <string>

namespace attn::train {

class PrecisionScope {
 public:
  // precision: "f32" or "bf16". Says on `log` when bf16 cannot be honoured.
  PrecisionScope(const std::string& precision, std::ostream& log);
  ~PrecisionScope();
  PrecisionScope(const PrecisionScope&) = delete;
  PrecisionScope& operator=(const PrecisionScope&) = delete;
};

}  // namespace attn::train
