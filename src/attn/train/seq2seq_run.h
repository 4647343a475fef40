#pragma once
// fit for encoder-decoder models on parallel text, the library side of `attn train` for
// configs whose model.type is "seq2seq". The run directory has the other runs' layout
// (checkpoint.h): config.json (the resolved Seq2SeqRunConfig), source_tokenizer.json and
// target_tokenizer.json (seq2seq_data.h), model.safetensors (lowest validation loss),
// train_state/ (--resume), metrics.jsonl (one line per validation), steps.jsonl.
//
// Data: a TSV of `source<TAB>target` lines, or two aligned files (data/parallel_text.h). Batches
// hold about training.max_tokens padded tokens, cut from pairs sorted by length
// (data/token_batcher.h); an epoch's plan is a pure function of (seed, epoch), so a run resumes
// exactly from (epoch, cursor). Sources and targets longer than model.max_len keep their first
// max_len - 1 tokens and their EOS, as in decoding (the log says how many).
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "attn/data/token_batcher.h"
#include "attn/models/seq2seq.h"
#include "attn/train/seq2seq_config.h"
#include "attn/train/seq2seq_data.h"

namespace attn::train {

struct Seq2SeqFitOptions {
  std::filesystem::path config_file;
  std::optional<Seq2SeqRunConfig> config;  // used instead of config_file when set
  std::filesystem::path train, valid;      // TSV files, or the source sides of aligned files
  std::filesystem::path train_target, valid_target;  // set: the aligned target files
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

struct Seq2SeqFitResult {
  std::int64_t step = 0;        // optimizer steps done (whole run)
  std::int64_t best_step = -1;  // step of the kept weights (-1: no validation yet)
  double best_val_loss = 0;     // nats per target token (EOS included), no label smoothing
  int interrupted_by = 0;
  std::int64_t nan_skips = 0;
  bool finished = false;  // reached training.max_steps or training.max_minutes
};

Seq2SeqFitResult fit_seq2seq(const Seq2SeqFitOptions& opt, std::ostream& log);

// A trained run opened for inference: its config, tokenizers and best weights.
struct LoadedSeq2Seq {
  Seq2SeqRunConfig cfg;
  Seq2SeqVocab vocab;
  std::unique_ptr<models::Seq2Seq> model;
};
LoadedSeq2Seq open_seq2seq_run(const std::filesystem::path& run);

// Whether a config file / a run directory's config.json describes an encoder-decoder.
bool is_seq2seq_config_file(const std::filesystem::path& file);
bool is_seq2seq_run(const std::filesystem::path& run);

// Mean cross-entropy (nats per target token, EOS included, no label smoothing) of `model`
// on `set`, in sorted batches of about max_tokens padded tokens; no dropout.
double seq2seq_loss(const models::Seq2Seq& model, const PairSet& set, const Seq2SeqVocab& vocab,
                    std::int64_t max_tokens);

}  // namespace attn::train
