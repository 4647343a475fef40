#include "attn/train/precision_scope.h"

#include "attn/core/error.h"
#include "attn/kernels/gemm_bf16.h"

namespace attn::train {

PrecisionScope::PrecisionScope(const std::string& precision, std::ostream* log)
    : previous_(kernels::matmul_precision()) {
  ATTN_CHECK(precision == "f32" || precision == "bf16",
             "training.precision: expected \"f32\" or \"bf16\", got \"{}\"", precision);
  const bool bf16 = precision == "bf16";
  if (bf16 && !kernels::cpu_has_avx512_bf16() && log)
    *log << "warning: precision bf16: this CPU has no AVX-512 BF16, matrix products run in f32\n";
  kernels::set_matmul_precision(bf16 ? kernels::MatmulPrecision::kBf16
                                     : kernels::MatmulPrecision::kF32);
}

void check_resume_precision(bool resume, const std::string& saved, const std::string& requested) {
  ATTN_CHECK(!resume || saved == requested,
             "--precision {}: the run being resumed trains in {} (training.precision); a resumed "
             "run continues exactly, so start a new run to change it",
             requested, saved);
}

PrecisionScope::~PrecisionScope() { kernels::set_matmul_precision(previous_); }

}  // namespace attn::train
