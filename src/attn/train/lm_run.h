#pragma once
// fit / evaluate for decoder language models on plain UTF-8 text, the library
// side of `attn train` and `attn evaluate` for configs whose model.type is
// "decoder_lm". The run directory has the classifier's layout (checkpoint.h):
// config.json (the explicit LmRunConfig), tokenizer.json, model.safetensors
// (best validation loss), train_state/ (--resume), metrics.jsonl (one line per
// validation), steps.jsonl.
//
// Training data: the whole training file is one token stream; each micro-batch
// is batch_size windows of block_size + 1 tokens at offsets drawn from the
// counter-based hash of (seed, step, micro-batch, row), so a run is
// deterministic and resumes exactly from its step count alone.
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "attn/data/char_tokenizer.h"
#include "attn/models/decoder_lm.h"
#include "attn/train/lm_config.h"

namespace attn::train {

struct LmFitOptions {
  std::filesystem::path config_file;
  std::optional<LmRunConfig> config;   // used instead of config_file when set
  std::filesystem::path train, valid;  // UTF-8 text files
  std::filesystem::path out;
  std::optional<std::uint64_t> seed;  // overrides training.seed
  int threads = 0;                    // 0 = all cores
  bool resume = false;
  std::int64_t max_steps = 0;  // stop this process after step N, state saved (0 = run to the end)
  std::int64_t log_every = 10;
  bool progress_tty = false;
  std::optional<std::string> on_nan;
  std::optional<std::string> precision;  // overrides training.precision ("f32" or "bf16")
  std::optional<std::int64_t> checkpoint_every_steps;
  // Pre-flight memory budget (memory_plan.h): -1 = what is available, 0 = no check, > 0 =
  // this many MiB (--max-memory).
  std::int64_t max_memory_mb = -1;
};

struct LmFitResult {
  std::int64_t step = 0;        // optimizer steps done (whole run)
  std::int64_t best_step = -1;  // step of the kept weights (-1: no validation yet)
  double best_val_loss = 0, best_val_bpc = 0;
  int interrupted_by = 0;
  std::int64_t nan_skips = 0;
  bool finished = false;  // reached training.max_steps
};

LmFitResult fit_lm(const LmFitOptions& opt, std::ostream& log);

// Total negative log-likelihood of the scored targets of a token stream.
struct LmScore {
  double nats = 0;
  std::int64_t tokens = 0;
};
// stream s[0..n]: s[0] is the start token (context only), s[1..n] are scored,
// each exactly once, by sliding windows (eval/sliding_window.h) of
// model.block_size inputs moving `stride` tokens, batch_size windows at a time.
LmScore score_stream(const models::DecoderLM& model, const std::vector<std::int32_t>& stream,
                     std::int64_t stride, std::int64_t batch_size);

// Dynamic evaluation (Krause et al. 2018, "Dynamic Evaluation of Neural Sequence
// Models", its SGD form): the windows of score_stream, one at a time in order. Each
// window's targets are scored first; then the model takes one SGD step of `lr` on their
// mean loss, so it adapts to the text already scored and never trains on a token before
// scoring it. Changes `model`'s weights; no dropout. lr must be finite and > 0. The first
// window averages over up to block_size targets, the later ones over `stride`; a loss that
// turns non-finite (too large a rate) is an error naming the window.
LmScore score_stream_dynamic(models::DecoderLM& model, const std::vector<std::int32_t>& stream,
                             std::int64_t stride, float lr);

// The token that precedes a text during evaluation: "\n" (every KJV line ends
// with one, so a verse start follows it), or [UNK] if "\n" is not one token.
std::int32_t lm_start_token(const Tokenizer& tok);

struct LmEvalReport {
  double loss = 0;           // nats per token
  double perplexity = 0;     // exp(loss)
  double bits_per_char = 0;  // total nats / ln 2 / characters (code points)
  std::int64_t tokens = 0, characters = 0;
  std::int64_t window = 0, stride = 0;
  std::int64_t unknown = 0;  // characters outside the vocabulary (scored as [UNK])
  double dynamic_lr = 0;     // > 0: scored with dynamic evaluation (score_stream_dynamic)
  nlohmann::json to_json() const;
};

// RUN's best weights on a whole text file: windows of block_size, stride
// block_size / 2 (at least 1); the text is preceded by lm_start_token.
// dynamic_lr > 0: dynamic evaluation with that SGD step (the run on disk is not changed).
LmEvalReport evaluate_lm(const std::filesystem::path& run, const std::filesystem::path& text_file,
                         int threads, std::ostream& log, double dynamic_lr = 0);

// A trained LM run opened for inference: its config, tokenizer and best weights.
struct LoadedLm {
  LmRunConfig cfg;
  std::unique_ptr<Tokenizer> tokenizer;  // char or sentencepiece, from RUN/tokenizer.json
  std::unique_ptr<models::DecoderLM> model;
};
LoadedLm open_lm_run(const std::filesystem::path& run);

// Whether a config file / a run directory's config.json describes a decoder LM.
bool is_lm_config_file(const std::filesystem::path& file);
bool is_lm_run(const std::filesystem::path& run);

}  // namespace attn::train
