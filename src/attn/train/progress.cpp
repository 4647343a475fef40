#include "attn/train/progress.h"

#include <fmt/format.h>

#include <algorithm>

namespace attn::train {

std::string format_duration(double seconds) {
  const auto s = static_cast<std::int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

ProgressBar::ProgressBar(std::ostream& out, bool tty, std::int64_t total_steps, std::string prefix)
    : out_(out),
      tty_(tty),
      total_(std::max<std::int64_t>(1, total_steps)),
      prefix_(std::move(prefix)),
      start_(std::chrono::steady_clock::now()) {}

std::string ProgressBar::line(std::int64_t step, double loss, double accuracy) const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(tokens_) / elapsed : 0.0;
  const double eta =
      step > 0 ? elapsed / static_cast<double>(step) * static_cast<double>(total_ - step) : 0.0;
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(kWidth * step / total_);
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  // accuracy < 0: a model without one (language models) shows no acc field.
  const std::string acc = accuracy < 0 ? "" : fmt::format(" acc {:.4f}", accuracy);
  return fmt::format("{} [{}] {}/{} loss {:.4f}{} {:.1f}k tok/s ETA {}", prefix_, bar, step, total_,
                     loss, acc, rate / 1000.0, format_duration(eta));
}

void ProgressBar::update(std::int64_t step, double loss, double accuracy, std::int64_t tokens) {
  tokens_ += tokens;
  if (tty_) {
    out_ << '\r' << line(step, loss, accuracy) << "\x1b[K" << std::flush;
    return;
  }
  const std::int64_t every = std::max<std::int64_t>(1, total_ / 10);
  if (step - last_printed_ >= every || step == total_) {
    out_ << line(step, loss, accuracy) << '\n' << std::flush;
    last_printed_ = step;
  }
}

void ProgressBar::finish(const std::string& suffix) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (tty_) out_ << '\r' << "\x1b[K";
  out_ << fmt::format("{} done in {} ({:.1f}k tok/s) {}\n", prefix_, format_duration(elapsed),
                      elapsed > 0 ? static_cast<double>(tokens_) / elapsed / 1000.0 : 0.0, suffix)
       << std::flush;
}

}  // namespace attn::train
