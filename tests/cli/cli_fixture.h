#pragma once
// A tiny synthetic spam/ham corpus and config for end-to-end CLI tests:
// spam rows draw from one word list, ham rows from another, with shared
// filler words, so a correct model separates them within two epochs.
#include <filesystem>
#include <string>

namespace attn::test {

struct TinyCorpus {
  std::filesystem::path dir, train, valid, test, config;
};

// Writes train (160) / valid (40) / test (40) .jsonl files and a small bare-attention config.
TinyCorpus make_tiny_corpus(const std::string& tag);

// `attn train` arguments for `c` into run directory `out` on 2 threads, plus `extra`.
std::string train_args(const TinyCorpus& c, const std::filesystem::path& out,
                       const std::string& extra = "");

// A tiny character LM: 30 lines of "in the beginning was the word" to train on,
// valid (300 chars) and test (100 chars) cut from them, and a 1-layer, 2-head
// config (block_size 16) that trains 12 steps with validations at 6 and 12.
struct LmCliData {
  std::filesystem::path dir, config, train, valid, test;
};
LmCliData make_lm_cli_data(const std::string& tag);

// `attn train` arguments for the LM data into `run` on 1 thread, plus `extra`.
std::string lm_train_args(const LmCliData& d, const std::filesystem::path& run,
                          const std::string& extra = "");

}  // namespace attn::test
