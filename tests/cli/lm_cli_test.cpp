// `attn train` / `attn evaluate` on a decoder LM config: dispatch on
// model.type, the run files, --max-steps + --resume, and evaluate --json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

struct LmCliData {
  fs::path dir, config, train, valid, test;
};

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

std::string lm_train_args(const LmCliData& d, const fs::path& run, const std::string& extra) {
  return fmt::format("train --config '{}' --train '{}' --valid '{}' --out '{}' --threads 1 {}",
                     d.config.string(), d.train.string(), d.valid.string(), run.string(), extra);
}

TEST(LmCli, TrainsResumesAndEvaluates) {
  const LmCliData d = make_lm_cli_data("lm_cli");
  const fs::path run = d.dir / "run";
  const auto first = run_cli(lm_train_args(d, run, "--max-steps 5"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("stopped at step 5"), std::string::npos) << first.out;
  const auto rest =
      run_cli(fmt::format("train --resume --train '{}' --valid '{}' --out '{}' "
                          "--threads 1",
                          d.train.string(), d.valid.string(), run.string()));
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_NE(rest.out.find("finished at step 12"), std::string::npos) << rest.out;
  for (const char* f : {"config.json", "tokenizer.json", "model.safetensors", "metrics.jsonl",
                        "steps.jsonl", "train_state/state.json"})
    EXPECT_TRUE(fs::exists(run / f)) << f;

  const auto ev = run_cli(fmt::format("evaluate --checkpoint '{}' --data '{}' --json --threads 1",
                                      run.string(), d.test.string()));
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  const auto j = nlohmann::json::parse(ev.out);
  for (const char* key : {"loss", "perplexity", "bits_per_char", "tokens", "characters", "stride"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["characters"], 100);
  EXPECT_EQ(j["tokens"], 100);
  EXPECT_EQ(j["stride"], 8);
}

TEST(LmCli, EpochsFlagIsRejectedForLanguageModels) {
  const LmCliData d = make_lm_cli_data("lm_cli_epochs");
  const auto r = run_cli(lm_train_args(d, d.dir / "run", "--epochs 2"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("max_steps"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace attn::test
