#pragma once
// The "training" keys that classifier (run_config.h) and decoder-LM (lm_config.h)
// configs share: the optimizer and its hyperparameters, batch size, learning-rate
// schedule, clipping, seed and crash safety. One parser and one writer, so the two
// formats cannot drift apart; each config struct derives from this one and sets its
// own defaults.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attn/io/json_reader.h"
#include "attn/optim/schedule.h"

namespace attn::train {

struct SharedTrainingConfig {
  std::string optimizer = "adam";
  float lr = 1e-3f;
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-7f;  // Keras Adam defaults
  float weight_decay = 0.0f;
  std::int64_t batch_size = 32;
  std::string schedule = "constant";
  std::int64_t warmup_steps = 0;
  float min_lr = 0.0f;
  float clip_norm = 0.0f;  // 0 = no clipping
  std::uint64_t seed = 42;
  // Crash safety: besides the loop's own saves, the resumable state is saved every N
  // optimizer steps (0 = off) and whenever this many minutes passed since the last save.
  std::int64_t checkpoint_every_steps = 0;
  double checkpoint_every_minutes = 10.0;
  // A non-finite loss or gradient: "stop" (error naming the step and the first bad
  // parameter; the last saved state is kept) or "skip" (drop that update and go on,
  // stopping after max_nan_skips consecutive skips).
  std::string on_nan = "stop";
  std::int64_t max_nan_skips = 25;
  // "f32", or "bf16": matrix products take bfloat16 inputs with f32 sums
  // (kernels/matmul_precision.h); weights and optimizer state stay f32.
  std::string precision = "f32";
};

// Reads the shared keys from r into t (absent keys keep t's values); `optimizers` and
// `schedules` are the names this kind of run accepts. Errors name the file and key.
void parse_shared_training(const JsonObjectReader& r, SharedTrainingConfig& t,
                           const std::vector<std::string>& optimizers,
                           const std::vector<std::string>& schedules);

// The shared keys of t as a JSON object, to which the caller adds its own.
nlohmann::json shared_training_to_json(const SharedTrainingConfig& t);

// The learning-rate schedule t describes over a run of total_steps optimizer steps,
// validated (attn::Error names the bad value).
optim::ScheduleOptions schedule_options(const SharedTrainingConfig& t, std::int64_t total_steps);

// `path` as written in config `file`: absolute, against the config's folder when relative,
// so a run's saved config.json still names the same file.
std::string resolve_config_path(const std::string& file, const std::string& path);

}  // namespace attn::train
