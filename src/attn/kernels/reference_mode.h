#pragma once
// Whole-program switch that routes every fast kernel to its plain scalar
// reference (STYLE.md habit 1, like CTranslate2's CT2_FORCE_CPU_ISA). Set
// ATTN_FORCE_REF=1 in the environment to compare a whole model run against
// the reference path; tests may flip it with set_use_reference_kernels().

namespace attn::kernels {

// True when ATTN_FORCE_REF is set to anything but "" or "0" (read once, on
// first use), unless overridden by set_use_reference_kernels().
bool use_reference_kernels();

// Overrides the environment for the rest of the process (tests, CLI flags).
void set_use_reference_kernels(bool on);

}  // namespace attn::kernels
