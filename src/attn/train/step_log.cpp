#include "attn/train/step_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "attn/io/atomic_file.h"

namespace attn::train {

namespace fs = std::filesystem;

void append_line_durable(const fs::path& file, const std::string& line) {
  // Appending (not the temp + rename of metrics.jsonl) keeps a long run's log
  // O(1) per line instead of rewriting the whole file every few steps. A killed
  // process cannot leave half a line (one small write() completes or never
  // starts); a torn line after a power loss does not parse and is dropped on
  // resume. The fsync makes every line written before a state save at least as
  // durable as that state, so a resumed log never has a gap.
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ATTN_CHECK(fd >= 0, "cannot open {} for appending: {}", file.string(), std::strerror(errno));
  const std::string text = line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      fail("cannot write {}: {}", file.string(), std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  ATTN_CHECK(synced, "cannot sync {}: {}", file.string(), std::strerror(err));
}

void truncate_jsonl(const fs::path& file, const char* key, std::int64_t max_value) {
  if (!fs::exists(file)) return;
  std::istringstream in(read_file_bytes(file));
  std::string line, kept;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains(key) || !j[key].is_number()) continue;
    if (j[key].get<std::int64_t>() <= max_value) kept += line + "\n";
  }
  write_file_atomic(file, kept);
}

void truncate_step_log(const fs::path& file, std::int64_t max_step) {
  truncate_jsonl(file, "step", max_step);
}

StepLog::StepLog(fs::path file, std::int64_t every, TrainState& state, bool resumed)
    : file_(std::move(file)),
      every_(std::max<std::int64_t>(1, every)),
      state_(state),
      base_seconds_(state.elapsed_seconds),
      start_(std::chrono::steady_clock::now()),
      window_start_(start_) {
  if (resumed) {
    truncate_step_log(file_, state.step);
  } else if (fs::exists(file_)) {
    fs::remove(file_);
  }
}

void StepLog::add(const StepStats& s) {
  state_.log_loss_sum += s.loss_sum;
  state_.log_correct += s.correct;
  state_.log_examples += s.examples;
  window_tokens_ += s.tokens;
}

double StepLog::elapsed_seconds() const {
  return base_seconds_ +
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void StepLog::after_step(std::int64_t epoch, bool end_of_epoch, double lr) {
  if (!end_of_epoch && state_.step % every_ != 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double window = std::chrono::duration<double>(now - window_start_).count();
  const auto n = static_cast<double>(state_.log_examples);
  // A window of only skipped (non-finite) steps has no loss: null in JSON.
  const double nan = std::nan("");
  nlohmann::json j{
      {"step", state_.step},
      {"epoch", epoch},
      {"loss", n > 0 ? state_.log_loss_sum / n : nan},
      {"accuracy", n > 0 ? static_cast<double>(state_.log_correct) / n : nan},
      {"lr", lr},
      {"tokens_per_s", window > 0 ? static_cast<double>(window_tokens_) / window : 0.0},
      {"seconds", elapsed_seconds()}};
  append_line_durable(file_, j.dump());
  state_.log_loss_sum = 0;
  state_.log_correct = state_.log_examples = 0;
  window_tokens_ = 0;
  window_start_ = now;
}

}  // namespace attn::train
