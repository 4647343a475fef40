#pragma once
// fit / evaluate / predict for text classifiers, the library side of
// `attn train`, `attn evaluate` and `attn predict`.
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "attn/eval/metrics.h"
#include "attn/train/checkpoint.h"
#include "attn/train/run_config.h"

namespace attn::train {

struct FitOptions {
  std::filesystem::path config_file;
  std::optional<RunConfig> config;                   // used instead of config_file when set
  std::filesystem::path train, valid, test;          // test optional (empty)
  std::filesystem::path train_target, valid_target;  // encoder-decoder: aligned target files
  std::filesystem::path out;
  std::optional<std::int64_t> epochs;  // overrides training.epochs
  std::optional<std::uint64_t> seed;   // overrides training.seed
  int threads = 0;                     // 0 = all cores
  bool resume = false;
  std::int64_t max_steps = 0;   // stop after this many optimizer steps (0 = no limit; for tests)
  std::int64_t log_every = 10;  // steps between lines of RUN/steps.jsonl (step_log.h)
  bool progress_tty = false;
  // Overrides training.on_nan / checkpoint_every_steps when set (CLI flags).
  std::optional<std::string> on_nan;
  std::optional<std::string> precision;  // overrides training.precision ("f32" or "bf16")
  std::optional<std::int64_t> checkpoint_every_steps;
  // Memory budget for the pre-flight check: -1 = the memory available now, 0 = no
  // check, > 0 = this many MiB (--max-memory).
  std::int64_t max_memory_mb = -1;
  // Fault injection for tests: the gradients of this (1-based) step are made NaN.
  std::int64_t inject_nan_at_step = 0;
};

struct EvalReport {
  BinaryMetrics binary;  // binary models (all zeros otherwise)
  double accuracy = 0;   // both kinds
  double loss = 0;       // mean loss over the examples
  std::int64_t n = 0;
  bool is_binary = true;
  std::string positive_label;
  nlohmann::json to_json() const;
};

struct FitResult {
  std::int64_t epochs_run = 0;
  std::int64_t best_epoch = -1;
  EvalReport best_valid;
  std::optional<EvalReport> test;
  int interrupted_by = 0;      // the signal that stopped the run (state saved), or 0
  std::int64_t nan_skips = 0;  // updates dropped by on_nan = "skip" in this process
};

FitResult fit_classifier(const FitOptions& opt, std::ostream& log);

// Loads RUN's resumable state (weights, optimizer, counters) exactly as --resume
// would, after crash recovery; throws attn::Error naming what is missing or bad.
TrainState load_resumable_state(const std::filesystem::path& run);

// Evaluates RUN's best weights on a labelled data file.
EvalReport evaluate_classifier(const std::filesystem::path& run, const std::filesystem::path& data,
                               int threads = 0);

struct Prediction {
  std::string id;
  std::string label;
  float probability = 0;  // of `label`
};
// Reads JSONL ({"text": ...}) or plain text (one example per line) from `in`.
std::vector<Prediction> predict_classifier(const std::filesystem::path& run, std::istream& in,
                                           const std::string& source_name, int threads = 0);

}  // namespace attn::train
