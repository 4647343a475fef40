#pragma once
// RunConfig: everything one JSON file says about a classification run —
// model, tokenizer, data handling and training. Parsed strictly: unknown keys,
// wrong types and out-of-range values are errors naming the file and key.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attn/models/encoder_classifier.h"
#include "attn/train/training_config.h"

namespace attn::train {

struct TokenizerConfig {
  std::string type = "word";  // word | char
  std::int64_t max_tokens = 10000;
  std::int64_t min_count = 1;
  bool lowercase = true;  // char tokenizer only
  // word tokenizer: Keras's lower_and_strip_punctuation, or lower_and_split_punctuation
  // (punctuation breaks words, keeping URL and address parts as tokens)
  std::string standardize = "lower_and_strip_punctuation";
};

struct DataConfig {
  std::int64_t max_len = 200;  // tokens kept per example
  // head: the first max_len tokens; head_tail: the first and last max_len / 2, so a
  // long message keeps its opening and its footer (signatures, unsubscribe lines)
  std::string truncate = "head";
  // The input text: these string fields of each example joined by newlines, in order
  // ("text" and any other JSONL field, e.g. "from"; a field an example lacks is empty).
  std::vector<std::string> text_fields{"text"};
  std::string positive_label;  // empty = second label in sorted order
};

// The classifier's "training" section: the shared keys (training_config.h; optimizer
// sgd | adam | adamw, schedule constant | warmup_cosine | warmup_linear | inverse_sqrt,
// Keras Adam's defaults) and the epoch loop's own.
struct TrainingConfig : SharedTrainingConfig {
  float momentum = 0.0f;  // sgd
  std::int64_t epochs = 10;
  std::int64_t early_stopping_patience = 0;  // 0 = never stop early
  // What "best" means for the kept checkpoint and early stopping (Keras's monitor):
  // val_loss (lower is better) or val_accuracy (higher; ties broken by lower loss).
  std::string monitor = "val_loss";
  // > 0: validate and keep an exponential moving average of the weights (e.g. 0.99).
  float ema_decay = 0.0f;
  bool bucket_by_length = true;
  float label_smoothing = 0.0f;
};

struct RunConfig {
  std::string name = "classifier";
  models::ClassifierConfig model;
  TokenizerConfig tokenizer;
  DataConfig data;
  TrainingConfig training;
  nlohmann::json source;  // the parsed file, saved with checkpoints
};

RunConfig parse_run_config(const nlohmann::json& j, const std::string& file);
RunConfig load_run_config(const std::filesystem::path& file);
// Every field, in the file format parse_run_config reads (round-trips exactly).
nlohmann::json to_json(const RunConfig& c);

}  // namespace attn::train
