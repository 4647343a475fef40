#pragma once
// Process-wide precision of the matrix products that gemm() computes, the
// counterpart of torch.set_float32_matmul_precision: `attn train --precision
// bf16` sets kBf16 for the run, so every Linear, attention projection and LM
// head product (forward and backward) of the training steps rounds its inputs to
// bfloat16 and accumulates in f32, while weights, optimizer state, all other
// kernels and the run's validation and test scores stay f32. On a CPU without
// AVX-512 BF16 the setting falls back to f32.
namespace attn::kernels {

enum class MatmulPrecision { kF32, kBf16 };

void set_matmul_precision(MatmulPrecision p);
MatmulPrecision matmul_precision();
// The precision gemm() really uses: kBf16 only when requested and supported.
MatmulPrecision effective_matmul_precision();

}  // namespace attn::kernels
