#pragma once
// The config of an encoder-decoder run (`attn train` with model.type "seq2seq"):
//   {"name": "g2p",
//    "tokenizer": {"source": {"type": "char"}, "target": {"type": "word"}, "joint": false},
//    "model": {"type": "seq2seq", "d_model": 256, "num_heads": 4, "encoder_layers": 3, ...},
//    "training": {"max_tokens": 4096, "label_smoothing": 0.1, "max_steps": 20000, ...},
//    "decoding": {"beam": 5, "length_penalty": 1.0, "max_len_a": 1.2, "max_len_b": 10},
//    "metrics": ["wer", "per"]}
// Parsed strictly: unknown keys, wrong types and out-of-range values are errors naming the
// file and the key. The vocabulary sizes are taken from the tokenizers when absent (0), and
// the run's saved config.json holds the resolved values.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attn/io/json_reader.h"
#include "attn/models/seq2seq.h"
#include "attn/train/training_config.h"

namespace attn::train {

// True when j["model"]["type"] is "seq2seq".
bool is_seq2seq_config(const nlohmann::json& j);

// One side's tokenizer:
//   char           code points of the training text ("max_tokens" caps the vocabulary)
//   word           whitespace-separated tokens, case kept (phonemes: "HH AH L OW")
//   sentencepiece  "model": a tokenizer from `attn tokenizer train`, or, without "model",
//                  trained on the run's training text with "vocab_size" / "model_type"
struct SideTokenizerConfig {
  std::string type = "char";  // char | word | sentencepiece
  std::int64_t max_tokens = 0;
  std::string model;  // sentencepiece: absolute path, or empty = train at the start of the run
  std::int64_t vocab_size = 8000;
  std::string model_type = "bpe";  // bpe | unigram
};

struct Seq2SeqTokenizerConfig {
  SideTokenizerConfig source, target;
  bool joint = false;  // one tokenizer (the source's settings) trained on both sides
};

// The shared training keys (Adam β = (0.9, 0.98), ε = 1e-9, inverse-sqrt warmup, as the
// 2017 paper) and the loop's own. A run ends at max_steps or after max_minutes.
struct Seq2SeqTrainingConfig : SharedTrainingConfig {
  Seq2SeqTrainingConfig() {
    optimizer = "adam";
    lr = 7e-4f;  // inverse_sqrt with d_model 0: the peak, reached at warmup_steps
    beta2 = 0.98f;
    eps = 1e-9f;
    schedule = "inverse_sqrt";
    warmup_steps = 4000;
    seed = 1;
  }
  std::int64_t max_tokens = 4096;  // padded tokens per batch (source or target side)
  float label_smoothing = 0.1f;
  std::int64_t max_steps = 100000;
  double max_minutes = 0;  // 0 = no time limit
  std::int64_t eval_every = 1000;
  // > 0: validate and keep an exponential moving average of the weights (e.g. 0.999).
  float ema_decay = 0.0f;
};

// How `attn translate` and the evaluation decode (generate/beam_search.h).
struct DecodingConfig {
  std::int64_t beam = 5;
  float length_penalty = 1.0f;
  float max_len_a = 1.2f, max_len_b = 10.0f;
  std::int64_t batch_size = 64;
};

struct Seq2SeqRunConfig {
  std::string name = "seq2seq";
  Seq2SeqTokenizerConfig tokenizer;
  models::Seq2SeqConfig model;
  Seq2SeqTrainingConfig training;
  DecodingConfig decoding;
  std::vector<std::string> metrics{"bleu", "chrf"};  // bleu | chrf | wer | per
};

// r: the "model" object; vocabulary sizes may be absent (0 = from the tokenizers).
models::Seq2SeqConfig parse_seq2seq_model(const JsonObjectReader& r);
nlohmann::json to_json(const models::Seq2SeqConfig& c);

Seq2SeqRunConfig parse_seq2seq_run_config(const nlohmann::json& j, const std::string& file);
Seq2SeqRunConfig load_seq2seq_run_config(const std::filesystem::path& file);
// Every field, in the format parse_seq2seq_run_config reads (round-trips exactly).
nlohmann::json to_json(const Seq2SeqRunConfig& c);

}  // namespace attn::train
