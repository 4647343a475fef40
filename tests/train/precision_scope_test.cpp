// PrecisionScope nests and restores; with_f32_matmuls runs evaluation in f32
// inside a bf16 fit; --precision on --resume must match the run.
#include "attn/train/precision_scope.h"

#include <gtest/gtest.h>

#include <sstream>

#include "attn/kernels/gemm_bf16.h"
#include "test_util.h"

namespace attn::test {
namespace {

using kernels::MatmulPrecision;

TEST(PrecisionScope, NestsAndRestoresThePreviousPrecision) {
  ASSERT_EQ(kernels::matmul_precision(), MatmulPrecision::kF32);
  {
    std::ostringstream log;
    const train::PrecisionScope bf16("bf16", &log);
    EXPECT_EQ(kernels::matmul_precision(), MatmulPrecision::kBf16);
    // Without the instruction the run says so once and products stay f32.
    EXPECT_EQ(log.str().empty(), kernels::cpu_has_avx512_bf16()) << log.str();
    const MatmulPrecision inside =
        train::with_f32_matmuls([] { return kernels::matmul_precision(); });
    EXPECT_EQ(inside, MatmulPrecision::kF32);
    EXPECT_EQ(kernels::matmul_precision(), MatmulPrecision::kBf16);  // restored
  }
  EXPECT_EQ(kernels::matmul_precision(), MatmulPrecision::kF32);
}

TEST(PrecisionScope, RejectsUnknownPrecision) {
  const auto e = error_of([] { train::PrecisionScope p("fp16"); });
  EXPECT_NE(e.find("training.precision"), std::string::npos) << e;
  EXPECT_NE(e.find("fp16"), std::string::npos) << e;
  EXPECT_EQ(kernels::matmul_precision(), MatmulPrecision::kF32);
}

TEST(PrecisionScope, ResumeMustKeepTheRunsPrecision) {
  train::check_resume_precision(false, "f32", "bf16");  // a new run may choose
  train::check_resume_precision(true, "bf16", "bf16");
  const auto e = error_of([] { train::check_resume_precision(true, "f32", "bf16"); });
  EXPECT_NE(e.find("--precision bf16"), std::string::npos) << e;
  EXPECT_NE(e.find("trains in f32"), std::string::npos) << e;
}

}  // namespace
}  // namespace attn::test
