#pragma once
// The "model" section of a decoder language-model config:
//   "model": {"type": "decoder_lm", "vocab_size": 96, "block_size": 256, "d_model": 384,
//             "num_layers": 6, "num_heads": 6, "d_ff": 0, "dropout": 0.1,
//             "positional": "learned"|"sinusoidal", "activation": "gelu"|"gelu_tanh",
//             "tie_embeddings": true, "layer_norm_eps": 1e-5, "bias": true}
// Parsed strictly like the classifier's: unknown keys, wrong types and out-of-range
// values are errors naming the file and the key.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "attn/io/json_reader.h"
#include "attn/models/decoder_lm.h"
#include "attn/train/training_config.h"

namespace attn::train {

// True when j["model"]["type"] is "decoder_lm" (configs without a type are classifiers).
bool is_decoder_lm_config(const nlohmann::json& j);

// r: the "model" object. Throws attn::Error naming file and key.
models::DecoderLMConfig parse_decoder_lm_config(const JsonObjectReader& r);

// Every field, in the format parse_decoder_lm_config reads (round-trips exactly).
nlohmann::json to_json(const models::DecoderLMConfig& c);

}  // namespace attn::train

namespace attn::train {

// The "tokenizer" section of a decoder LM run: {"type": "char", "max_tokens": 0},
// or {"type": "sentencepiece", "model": "PATH"} for a tokenizer trained by
// `attn tokenizer train` (its output folder, its tokenizer.json, or a .model).
// Characters are code points of the training text; "\n" is an ordinary symbol.
struct LmTokenizerConfig {
  std::string type = "char";  // char | sentencepiece
  std::int64_t max_tokens =
      0;  // char: vocabulary cap incl. padding and [UNK] (0 = every character)
  // sentencepiece: the path, made absolute against the config file's folder
  // when relative, so the run's saved config.json still names the same file.
  std::string model;
};

// The "training" section: the shared keys (training_config.h; optimizer adamw | adam,
// schedule constant | warmup_cosine | warmup_linear, nanoGPT-like defaults) and the
// step loop's own. LMs train by optimizer steps over random windows, not epochs.
struct LmTrainingConfig : SharedTrainingConfig {
  LmTrainingConfig() {
    optimizer = "adamw";
    beta2 = 0.99f;
    eps = 1e-8f;
    weight_decay = 0.1f;  // 2-D weights only (DecoderLM's decay groups)
    schedule = "warmup_cosine";
    warmup_steps = 100;
    min_lr = 1e-4f;
    clip_norm = 1.0f;
    seed = 1337;
  }
  std::int64_t grad_accum_steps = 1;  // micro-batches (of batch_size windows) per step
  std::int64_t max_steps = 5000;      // optimizer steps of the whole run (schedule length)
  std::int64_t eval_every = 250;      // steps between validations (and the last step)
  std::int64_t eval_tokens = 65536;   // validation tokens scored per evaluation (0 = all)
};

struct LmRunConfig {
  std::string name = "decoder_lm";
  LmTokenizerConfig tokenizer;
  models::DecoderLMConfig model;
  LmTrainingConfig training;
};

// Strict: unknown keys, wrong types, out-of-range values are errors naming file and key.
LmRunConfig parse_lm_run_config(const nlohmann::json& j, const std::string& file);
LmRunConfig load_lm_run_config(const std::filesystem::path& file);
// Every field, in the format parse_lm_run_config reads (round-trips exactly).
nlohmann::json to_json(const LmRunConfig& c);

}  // namespace attn::train
