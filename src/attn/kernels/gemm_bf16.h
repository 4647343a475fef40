#pragma once
// Mixed-precision GEMM for `--precision bf16`: the same contract as gemm()
//   C = alpha * op(A) · op(B) + beta * C   (row-major, BLAS transposes)
// except that every element of op(A) and op(B) is first rounded to bfloat16
// (float_to_bf16); the products, exact in f32, are summed in f32 and C stays f32.
// On CPUs with AVX-512 BF16 the inner loop is VDPBF16PS, two multiply-adds per
// f32 lane per instruction, twice the FMA rate of the f32 kernel.
#include <cstdint>

namespace attn::kernels {

// True when this CPU executes AVX-512 BF16 (checked once at run time).
bool cpu_has_avx512_bf16();

// Uses the AVX-512 BF16 kernel when the CPU has it and the scalar emulation of
// the same packed algorithm otherwise (slow; it exists for tests and for
// explicit callers, gemm() never routes here without the instruction).
void gemm_bf16(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
               float alpha, const float* A, std::int64_t lda, const float* B, std::int64_t ldb,
               float beta, float* C, std::int64_t ldc);

// The scalar emulation, forced (tests compare it with the vector kernel).
void gemm_bf16_portable(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
                        float alpha, const float* A, std::int64_t lda, const float* B,
                        std::int64_t ldb, float beta, float* C, std::int64_t ldc);

}  // namespace attn::kernels
