#include "test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "attn/core/rng.h"

namespace attn::test {

std::filesystem::path fixtures_dir() { return ATTN_FIXTURES_DIR; }
std::filesystem::path source_dir() { return ATTN_SOURCE_DIR; }

std::filesystem::path make_temp_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  auto p = std::filesystem::temp_directory_path() /
           fmt::format("attn_test_{}_{}_{}", tag, ::getpid(), counter++);
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

void write_file(const std::filesystem::path& p, const std::string& content) {
  std::ofstream f(p, std::ios::binary);
  f << content;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CliResult run_cli(const std::string& args) {
  auto dir = make_temp_dir("cli");
  auto out = dir / "stdout", err = dir / "stderr";
  std::string cmd = fmt::format("'{}' {} >'{}' 2>'{}' </dev/null", ATTN_CLI_PATH, args,
                                out.string(), err.string());
  int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  std::filesystem::remove_all(dir);
  return r;
}

int spawn_cli(const std::string& args, const std::filesystem::path& out_file,
              const std::filesystem::path& err_file) {
  const std::string cmd = fmt::format("exec '{}' {} >'{}' 2>'{}' </dev/null", ATTN_CLI_PATH, args,
                                      out_file.string(), err_file.string());
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return static_cast<int>(pid);
}

int wait_cli(int pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1000;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::vector<float> random_floats(std::int64_t n, std::uint64_t seed, float lo, float hi) {
  Rng r(seed);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = lo + (hi - lo) * r.uniform();
  return v;
}

std::size_t count_occurrences(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

float max_rel_error(const float* a, const float* b, std::int64_t n, float floor) {
  float worst = 0.0f;
  for (std::int64_t i = 0; i < n; ++i) {
    if (std::isnan(a[i]) != std::isnan(b[i])) return INFINITY;
    const float e = std::fabs(a[i] - b[i]) / std::max(std::fabs(b[i]), floor);
    worst = std::max(worst, e);
  }
  return worst;
}

::testing::AssertionResult all_close(const Tensor& got, const Tensor& want, float rel_tol,
                                     float floor) {
  if (got.shape() != want.shape())
    return ::testing::AssertionFailure()
           << "shape " << shape_str(got.shape()) << " vs expected " << shape_str(want.shape());
  const float e = max_rel_error(got.data(), want.data(), got.numel(), floor);
  if (e > rel_tol)
    return ::testing::AssertionFailure() << "max relative error " << e << " > " << rel_tol;
  return ::testing::AssertionSuccess();
}

float max_normwise_error(const Tensor& got, const Tensor& want) {
  float scale = 0.0f, worst = 0.0f;
  for (std::int64_t i = 0; i < want.numel(); ++i)
    scale = std::max(scale, std::fabs(want.data()[i]));
  for (std::int64_t i = 0; i < want.numel(); ++i) {
    const float d = std::fabs(got.data()[i] - want.data()[i]);
    if (std::isnan(d)) return INFINITY;
    worst = std::max(worst, d);
  }
  return scale > 0.0f ? worst / scale : worst;
}

::testing::AssertionResult all_close_normwise(const Tensor& got, const Tensor& want,
                                              float rel_tol) {
  if (got.numel() != want.numel())
    return ::testing::AssertionFailure()
           << "shape " << shape_str(got.shape()) << " vs expected " << shape_str(want.shape());
  const float e = max_normwise_error(got, want);
  if (e > rel_tol)
    return ::testing::AssertionFailure() << "max normwise relative error " << e << " > " << rel_tol;
  return ::testing::AssertionSuccess() << "max normwise relative error " << e;
}

}  // namespace attn::test
