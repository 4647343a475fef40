#pragma once
// Checkpoint directory layout (RUN/):
//   config.json          the run's config + labels (what `evaluate`/`predict` need)
//   tokenizer.json       the tokenizer's vocabulary and options
//   model.safetensors    the best weights so far (lowest validation loss)
//   train_state/         the latest state for --resume: model.safetensors,
//                        optimizer.safetensors, state.json (epoch, data cursor, RNG)
//   metrics.jsonl        one line per epoch
//   steps.jsonl          one line every few steps (step_log.h)
// Every file is written atomically (temp + fsync + rename). The files of
// train_state/ must also change together, so a new state is written whole into
// train_state.new/ and swapped in by two renames (train_state -> train_state.old,
// train_state.new -> train_state); recover_train_state() repairs a crash
// between the two. A SIGKILL at any moment therefore leaves one complete state.
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "attn/core/rng.h"
#include "attn/io/safetensors.h"
#include "attn/nn/module.h"
#include "attn/optim/optimizer.h"

namespace attn::train {

struct TrainState {
  std::int64_t epoch = 0;   // epochs fully completed
  std::int64_t cursor = 0;  // batches already consumed in epoch `epoch`
  std::int64_t step = 0;    // optimizer steps taken
  RngState rng;             // dropout RNG
  double best_val_loss = 1e300;
  double best_val_accuracy = -1.0;
  std::int64_t best_epoch = -1;
  std::int64_t bad_epochs = 0;  // epochs since the best, for early stopping
  bool finished = false;        // early stopping fired
  // Running training totals of the current epoch up to `cursor`, so that a run
  // resumed mid-epoch reports the same epoch train_loss / accuracy.
  double epoch_loss_sum = 0;
  std::int64_t epoch_correct = 0, epoch_examples = 0, epoch_tokens = 0;
  // steps.jsonl (step_log.h): wall time of the run so far and the train totals
  // since its last line, so a resumed run's lines match an uninterrupted run's.
  double elapsed_seconds = 0;
  double log_loss_sum = 0;
  std::int64_t log_correct = 0, log_examples = 0;
  nlohmann::json to_json() const;
  static TrainState from_json(const nlohmann::json& j, const std::string& file);
};

void save_weights(const std::filesystem::path& file, const nn::Module& model);
// Loads every parameter by name; errors name the file and tensor on a missing
// tensor, an unexpected extra tensor, a dtype or a shape that differs from the config.
void load_weights(const std::filesystem::path& file, const nn::Module& model);

// `extra` (optional): further named tensors of the state, e.g. averaged weights,
// written as train_state/extra.safetensors.
void save_train_state(const std::filesystem::path& run, const nn::Module& model,
                      const optim::Optimizer& opt, const TrainState& state,
                      const TensorMap* extra = nullptr);
// After a crash: puts train_state.old back if train_state is missing, and
// removes half-written train_state.new/ and temp files (`*.tmp.<pid>`) in `run`.
void recover_train_state(const std::filesystem::path& run);
// Whether `run` holds a saved state (after recovery).
bool has_train_state(const std::filesystem::path& run);

// Reads train_state/extra.safetensors (empty when absent).
TensorMap load_train_state_extra(const std::filesystem::path& run);
TrainState load_train_state(const std::filesystem::path& run, const nn::Module& model,
                            optim::Optimizer& opt);

}  // namespace attn::train
