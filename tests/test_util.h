#pragma once
// Shared test helpers: fixture paths, temp dirs, running the CLI, and
// relative-error comparisons with the f32 tolerance from the guide (1e-5).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "attn/core/tensor.h"

namespace attn::test {

constexpr float kF32RelTol = 1e-5f;

std::filesystem::path fixtures_dir();
std::filesystem::path source_dir();
// A fresh empty directory under the system temp dir, unique per call.
std::filesystem::path make_temp_dir(const std::string& tag);
void write_file(const std::filesystem::path& p, const std::string& content);
std::string read_file(const std::filesystem::path& p);

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs the attn binary with the given argument string (shell-quoted by caller).
CliResult run_cli(const std::string& args);

// max |a-b| / max(|b|, floor) over all elements; floor avoids dividing by ~0.
float max_rel_error(const float* a, const float* b, std::int64_t n, float floor = 1e-3f);
::testing::AssertionResult all_close(const Tensor& got, const Tensor& want,
                                     float rel_tol = kF32RelTol, float floor = 1e-3f);

// Normwise form for composites (whole layers, models): max|got - want| / max|want|.
// Elementwise relative error is meaningless for gradient entries that are tiny
// differences of O(1) terms; this compares every element against the tensor's scale.
float max_normwise_error(const Tensor& got, const Tensor& want);
::testing::AssertionResult all_close_normwise(const Tensor& got, const Tensor& want,
                                              float rel_tol = kF32RelTol);

}  // namespace attn::test
