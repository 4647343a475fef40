#include "cli/cli_fixture.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "attn/core/rng.h"
#include "test_util.h"

namespace attn::test {

namespace {

// "abc" -> "A B C": words of 2-6 letters from {a..h}, drawn from a fixed seed.
std::string spelling_tsv(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    const int len = 2 + static_cast<int>(rng.uniform() * 5.0f);
    std::string word, rev;
    for (int k = 0; k < len; ++k)
      word += static_cast<char>('a' + static_cast<int>(rng.uniform() * 8.0f));
    for (int k = 0; k < len; ++k) {
      if (k > 0) rev += ' ';
      rev += static_cast<char>(word[static_cast<std::size_t>(k)] - 'a' + 'A');
    }
    out += word + "\t" + rev + "\n";
  }
  return out;
}

std::string corpus(int n, std::uint64_t seed) {
  const char* spam[] = {"free", "offer", "winner", "cash", "prize", "click", "viagra", "money"};
  const char* ham[] = {"meeting", "project", "lunch",  "report",
                       "kernel",  "patch",   "review", "team"};
  const char* filler[] = {"the", "a", "to", "and", "of", "you", "we", "is", "for", "this"};
  Rng rng(seed);
  std::string out;
  for (int i = 0; i < n; ++i) {
    const bool is_spam = i % 2 == 0;
    std::string text;
    const int len = 4 + static_cast<int>(rng.below(12));
    for (int w = 0; w < len; ++w) {
      if (!text.empty()) text += ' ';
      text += rng.uniform() < 0.4f ? (is_spam ? spam : ham)[rng.below(8)] : filler[rng.below(10)];
    }
    out += nlohmann::json{{"text", text},
                          {"label", is_spam ? "spam" : "ham"},
                          {"id", std::to_string(seed) + "-" + std::to_string(i)}}
               .dump() +
           "\n";
  }
  return out;
}
}  // namespace

TinyCorpus make_tiny_corpus(const std::string& tag) {
  TinyCorpus c;
  c.dir = make_temp_dir(tag);
  c.train = c.dir / "train.jsonl";
  c.valid = c.dir / "valid.jsonl";
  c.test = c.dir / "test.jsonl";
  c.config = c.dir / "config.json";
  write_file(c.train, corpus(160, 1));
  write_file(c.valid, corpus(40, 2));
  write_file(c.test, corpus(40, 3));
  write_file(c.config, R"({
  "name": "tiny",
  "tokenizer": {"type": "word", "max_tokens": 64},
  "data": {"max_len": 16},
  "model": {"vocab_size": 64, "max_len": 16, "d_model": 16, "num_layers": 1, "num_heads": 2,
            "d_ff": 32, "dropout": 0.1, "positional": "sinusoidal"},
  "training": {"optimizer": "adamw", "lr": 0.01, "batch_size": 16, "epochs": 2, "seed": 3,
               "schedule": "warmup_cosine", "warmup_steps": 2, "clip_norm": 1.0}
})");
  return c;
}

std::string train_args(const TinyCorpus& c, const std::filesystem::path& out,
                       const std::string& extra) {
  return fmt::format("train --config '{}' --train '{}' --valid '{}' --out '{}' --threads 2 {}",
                     c.config.string(), c.train.string(), c.valid.string(), out.string(), extra);
}

LmCliData make_lm_cli_data(const std::string& tag) {
  LmCliData d;
  d.dir = make_temp_dir(tag);
  std::string text;
  for (int i = 0; i < 30; ++i) text += "in the beginning was the word\n";
  d.train = d.dir / "train.txt";
  d.valid = d.dir / "valid.txt";
  d.test = d.dir / "test.txt";
  write_file(d.train, text);
  write_file(d.valid, text.substr(0, 300));
  write_file(d.test, text.substr(0, 100));
  d.config = d.dir / "lm.json";
  const nlohmann::json cfg{
      {"name", "tiny_lm"},
      {"tokenizer", {{"type", "char"}}},
      {"model",
       {{"type", "decoder_lm"},
        {"vocab_size", 24},
        {"block_size", 16},
        {"d_model", 16},
        {"num_layers", 1},
        {"num_heads", 2}}},
      {"training", {{"batch_size", 4}, {"max_steps", 12}, {"warmup_steps", 2}, {"eval_every", 6}}}};
  write_file(d.config, cfg.dump(2));
  return d;
}

std::string lm_train_args(const LmCliData& d, const std::filesystem::path& run,
                          const std::string& extra) {
  return fmt::format("train --config '{}' --train '{}' --valid '{}' --out '{}' --threads 1 {}",
                     d.config.string(), d.train.string(), d.valid.string(), run.string(), extra);
}

Seq2SeqCliData make_seq2seq_cli_data(const std::string& tag, std::int64_t max_steps,
                                     std::int64_t eval_every) {
  Seq2SeqCliData t;
  t.dir = make_temp_dir(tag);
  t.train = t.dir / "train.tsv";
  t.valid = t.dir / "valid.tsv";
  t.config = t.dir / "config.json";
  write_file(t.train, spelling_tsv(600, 1));
  write_file(t.valid, spelling_tsv(60, 2));
  write_file(t.config, fmt::format(R"({{
  "tokenizer": {{"source": {{"type": "char"}}, "target": {{"type": "word"}}}},
  "model": {{"type": "seq2seq", "max_len": 16, "d_model": 32, "num_heads": 2,
            "encoder_layers": 1, "decoder_layers": 1, "d_ff": 64, "dropout": 0.1,
            "norm": "pre"}},
  "training": {{"max_tokens": 256, "lr": 3e-3, "warmup_steps": 20, "max_steps": {},
               "eval_every": {}, "seed": 5}},
  "decoding": {{"beam": 2}},
  "metrics": ["wer", "per"]
}})",
                                   max_steps, eval_every));
  return t;
}

std::filesystem::path shared_cli_output(
    const std::string& tag, const std::string& key,
    const std::function<bool(const std::filesystem::path&)>& make) {
  namespace fs = std::filesystem;
  const fs::path cli = ATTN_CLI_PATH;
  const auto stamp = fs::last_write_time(cli).time_since_epoch().count();
  const std::size_t id = std::hash<std::string>{}(
      fmt::format("{}\n{}\n{}\n{}", key, cli.string(), fs::file_size(cli), stamp));
  const fs::path shared =
      fs::temp_directory_path() / fmt::format("attn_test_shared_{}_{:016x}", tag, id);
  if (fs::exists(shared)) return shared;
  const fs::path mine = make_temp_dir(tag + "_making");
  if (!make(mine)) return shared;
  std::error_code ec;
  fs::rename(mine, shared, ec);
  // Another process got there first (the target exists and is not empty): use its
  // copy, which was made from the same inputs.
  if (ec) fs::remove_all(mine);
  return shared;
}

}  // namespace attn::test
