#pragma once
// A tiny synthetic spam/ham corpus and config for end-to-end CLI tests:
// spam rows draw from one word list, ham rows from another, with shared
// filler words, so a correct model separates them within two epochs.
#include <cstdint>
#include <filesystem>
#include <functional>
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

// A toy encoder-decoder task: spell a word in capitals ("abc" -> "A B C", letters from
// a..h, 2-6 of them; 600 training and 60 validation pairs as TSV) and a tiny pre-norm
// config (d_model 32, 1 + 1 layers, char source, word target, beam 2, wer/per) that
// trains max_steps steps with a validation every eval_every.
struct Seq2SeqCliData {
  std::filesystem::path dir, train, valid, config;
};
Seq2SeqCliData make_seq2seq_cli_data(const std::string& tag, std::int64_t max_steps,
                                     std::int64_t eval_every);

// A directory that the test processes of one build share, so that an expensive CLI
// output (a trained run) is made once and not once per test: CTest starts every test
// in its own process, and under ASan one toy seq2seq training takes ~20 s. `make`
// fills a private directory and returns whether it succeeded; that directory is then
// renamed into place (atomic, so a concurrent test sees all of it or none). The name
// carries `key` (the inputs that decide the output) and the attn binary's size and
// modification time, so a rebuilt CLI makes it afresh. On failure the returned path
// does not exist and the caller's own assertions have already failed.
std::filesystem::path shared_cli_output(
    const std::string& tag, const std::string& key,
    const std::function<bool(const std::filesystem::path&)>& make);

}  // namespace attn::test
