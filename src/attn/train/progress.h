#pragma once
// Training progress: a one-line bar redrawn in place on a terminal, or plain
// periodic lines (about every 10 % of the epoch) when output is not a tty,
// so logs stay readable in CI and files.
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace attn::train {

class ProgressBar {
 public:
  ProgressBar(std::ostream& out, bool tty, std::int64_t total_steps, std::string prefix);
  // step is 1-based; loss and accuracy are running means over the epoch so far
  // (accuracy < 0: not shown).
  void update(std::int64_t step, double loss, double accuracy, std::int64_t tokens);
  void finish(const std::string& suffix);

 private:
  std::string line(std::int64_t step, double loss, double accuracy) const;
  std::ostream& out_;
  bool tty_;
  std::int64_t total_;
  std::string prefix_;
  std::chrono::steady_clock::time_point start_;
  std::int64_t tokens_ = 0;
  std::int64_t last_printed_ = 0;
  std::string last_line_;
};

std::string format_duration(double seconds);  // "1:05" or "1:02:03"

}  // namespace attn::train
