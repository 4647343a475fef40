#pragma once
// RUN/steps.jsonl: the fine-grained training curve behind the report's charts.
// One JSON line every `every` optimizer steps and at the last step of each
// epoch: {"step", "epoch", "loss" (mean train loss since the previous line),
// "accuracy", "lr", "tokens_per_s", "seconds" (wall time since the run
// started, summed over resumes)}. Logging only observes: nothing here touches
// the model, the optimizer or any RNG, so training stays bit-identical.
#include <chrono>
#include <cstdint>
#include <filesystem>

#include "attn/train/checkpoint.h"
#include "attn/train/classifier_step.h"

namespace attn::train {

class StepLog {
 public:
  // `state` is the run's live TrainState: the window totals since the last line
  // and the elapsed time live there so that a resumed run continues them.
  // resumed: drop lines past state.step (steps the resumed run will repeat);
  // otherwise start an empty file.
  StepLog(std::filesystem::path file, std::int64_t every, TrainState& state, bool resumed);

  // One good (finite) step's statistics; skipped steps are not counted.
  void add(const StepStats& s);
  // After step state.step: writes a line when it is due. end_of_epoch forces one.
  void after_step(std::int64_t epoch, bool end_of_epoch, double lr);
  // Wall time of the run so far (previous processes included); call before saving state.
  double elapsed_seconds() const;

 private:
  std::filesystem::path file_;
  std::int64_t every_;
  TrainState& state_;
  double base_seconds_;  // state.elapsed_seconds when this process started
  std::chrono::steady_clock::time_point start_, window_start_;
  std::int64_t window_tokens_ = 0;  // tokens since the last line, this process only
};

// Keeps the lines of a JSONL file whose integer `key` is <= max_value (and that parse);
// rewrites it atomically. A missing file stays missing. A resumed run uses it to drop
// the lines written after its saved state, which it is about to write again.
void truncate_jsonl(const std::filesystem::path& file, const char* key, std::int64_t max_value);
// truncate_jsonl(file, "step", max_step).
void truncate_step_log(const std::filesystem::path& file, std::int64_t max_step);

// Appends one line with O_APPEND and fsyncs it; throws attn::Error naming the file.
void append_line_durable(const std::filesystem::path& file, const std::string& line);

}  // namespace attn::train
