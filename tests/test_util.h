#pragma once
// Shared test helpers: fixture paths, temp dirs, running the CLI, and
// relative-error comparisons with the f32 tolerance from the guide (1e-5).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/core/tensor.h"
#include "attn/core/thread_pool.h"

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

// Starts the attn binary in the background (the returned pid is attn's own, so
// it can be signalled); stdout/stderr go to out_file/err_file.
int spawn_cli(const std::string& args, const std::filesystem::path& out_file,
              const std::filesystem::path& err_file);
// Waits for a spawned process: its exit code, or -(signal) if a signal killed it.
int wait_cli(int pid);

// max |a-b| / max(|b|, floor) over all elements; floor avoids dividing by ~0.
float max_rel_error(const float* a, const float* b, std::int64_t n, float floor = 1e-3f);
::testing::AssertionResult all_close(const Tensor& got, const Tensor& want,
                                     float rel_tol = kF32RelTol, float floor = 1e-3f);

// n uniform floats in [lo, hi) from a seeded attn::Rng (same values every run).
std::vector<float> random_floats(std::int64_t n, std::uint64_t seed, float lo = -1.0f,
                                 float hi = 1.0f);

// How many times needle occurs in hay (overlapping occurrences count).
std::size_t count_occurrences(const std::string& hay, const std::string& needle);

// Restores the global pool to all cores when a test that changed it ends.
struct ThreadGuard {
  ~ThreadGuard() { ThreadPool::set_num_threads(ThreadPool::default_threads()); }
};

// Runs fn and returns the attn::Error message; fails the test if none is thrown.
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected attn::Error";
  return "";
}

// Normwise form for composites (whole layers, models): max|got - want| / max|want|.
// Elementwise relative error is meaningless for gradient entries that are tiny
// differences of O(1) terms; this compares every element against the tensor's scale.
float max_normwise_error(const Tensor& got, const Tensor& want);
::testing::AssertionResult all_close_normwise(const Tensor& got, const Tensor& want,
                                              float rel_tol = kF32RelTol);

}  // namespace attn::test
