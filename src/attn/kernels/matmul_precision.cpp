#include "attn/kernels/matmul_precision.h"

#include <atomic>

#include "attn/kernels/gemm_bf16.h"

namespace attn::kernels {

namespace {
std::atomic<MatmulPrecision> g_precision{MatmulPrecision::kF32};
}  // namespace

void set_matmul_precision(MatmulPrecision p) { g_precision.store(p, std::memory_order_relaxed); }

MatmulPrecision matmul_precision() { return g_precision.load(std::memory_order_relaxed); }

MatmulPrecision effective_matmul_precision() {
  return matmul_precision() == MatmulPrecision::kBf16 && cpu_has_avx512_bf16()
             ? MatmulPrecision::kBf16
             : MatmulPrecision::kF32;
}

}  // namespace attn::kernels
