#include "attn/train/precision_scope.h"

#include "attn/core/error.h"
#include "attn/kernels/gemm_bf16.h"
#include "attn/kernels/matmul_precision.h"

namespace attn::train {

PrecisionScope::PrecisionScope(const std::string& precision, std::ostream& log) {
  ATTN_CHECK(precision == "f32" || precision == "bf16",
             "training.precision: expected \"f32\" or \"bf16\", got \"{}\"", precision);
  const bool bf16 = precision == "bf16";
  if (bf16 && !kernels::cpu_has_avx512_bf16())
    log << "warning: precision bf16: this CPU has no AVX-512 BF16, matrix products run in f32\n";
  kernels::set_matmul_precision(bf16 ? kernels::MatmulPrecision::kBf16
                                     : kernels::MatmulPrecision::kF32);
}

PrecisionScope::~PrecisionScope() { kernels::set_matmul_precision(kernels::MatmulPrecision::kF32); }

}  // namespace attn::train
