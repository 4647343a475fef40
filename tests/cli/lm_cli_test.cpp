// `attn train` / `attn evaluate` on a decoder LM config: dispatch on
// model.type, the run files, --max-steps + --resume, and evaluate --json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "attn/kernels/gemm_bf16.h"
#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

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

  const auto dyn =
      run_cli(fmt::format("evaluate --checkpoint '{}' --data '{}' --dynamic-lr 0.01 "
                          "--threads 1",
                          run.string(), d.test.string()));
  ASSERT_EQ(dyn.exit_code, 0) << dyn.err;
  EXPECT_NE(dyn.out.find("dynamic evaluation, lr 0.01"), std::string::npos) << dyn.out;
  const auto zero = run_cli(fmt::format("evaluate --checkpoint '{}' --data '{}' --dynamic-lr 0",
                                        run.string(), d.test.string()));
  EXPECT_NE(zero.exit_code, 0);
  EXPECT_NE(zero.err.find("--dynamic-lr"), std::string::npos) << zero.err;
}

TEST(LmCli, DynamicEvaluationIsRefusedForOtherModels) {
  const TinyCorpus c = make_tiny_corpus("dyn_classifier");
  ASSERT_EQ(run_cli(train_args(c, c.dir / "run", "--max-steps 1")).exit_code, 0);
  const auto r = run_cli(fmt::format("evaluate --checkpoint '{}' --data '{}' --dynamic-lr 0.01",
                                     (c.dir / "run").string(), c.test.string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--dynamic-lr applies to decoder language models only"), std::string::npos)
      << r.err;
}

TEST(LmCli, EpochsFlagIsRejectedForLanguageModels) {
  const LmCliData d = make_lm_cli_data("lm_cli_epochs");
  const auto r = run_cli(lm_train_args(d, d.dir / "run", "--epochs 2"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("max_steps"), std::string::npos) << r.err;
}

// --precision bf16 is saved in the run's config (so --resume keeps it) and trains to
// nearly the f32 losses; with AVX-512 BF16 the losses really differ (inputs rounded).
TEST(LmCli, Bf16PrecisionIsSavedAndTracksF32) {
  const LmCliData d = make_lm_cli_data("lm_cli_bf16");
  std::vector<double> losses;
  for (const char* precision : {"f32", "bf16"}) {
    const fs::path run = d.dir / precision;
    const auto r = run_cli(lm_train_args(
        d, run, fmt::format("--max-steps 6 --log-every 1 --precision {}", precision)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto cfg = nlohmann::json::parse(read_file(run / "config.json"));
    EXPECT_EQ(cfg["training"]["precision"], precision);
    std::istringstream steps(read_file(run / "steps.jsonl"));
    std::string line, last;
    while (std::getline(steps, line)) last = line;
    losses.push_back(nlohmann::json::parse(last)["loss"].get<double>());
  }
  EXPECT_NEAR(losses[1], losses[0], 0.02 * losses[0]);
  if (kernels::cpu_has_avx512_bf16()) {
    EXPECT_NE(losses[1], losses[0]);
  }
}

TEST(LmCli, UnknownPrecisionIsRejected) {
  const LmCliData d = make_lm_cli_data("lm_cli_precision");
  const auto flag = run_cli(lm_train_args(d, d.dir / "run", "--precision f16"));
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("f16"), std::string::npos) << flag.err;
  auto cfg = nlohmann::json::parse(read_file(d.config));
  cfg["training"]["precision"] = "fp8";
  LmCliData bad = d;
  bad.config = d.dir / "fp8.json";
  write_file(bad.config, cfg.dump(2));
  const auto key = run_cli(lm_train_args(bad, d.dir / "run2", ""));
  EXPECT_NE(key.exit_code, 0);
  EXPECT_NE(key.err.find("training.precision"), std::string::npos) << key.err;
  EXPECT_NE(key.err.find("fp8"), std::string::npos) << key.err;
  // A resumed run keeps its precision: asking for another one is an error.
  const fs::path run = d.dir / "run3";
  ASSERT_EQ(run_cli(lm_train_args(d, run, "--max-steps 2")).exit_code, 0);
  const auto resumed =
      run_cli(fmt::format("train --resume --precision bf16 --train '{}' --valid '{}' --out '{}'",
                          d.train.string(), d.valid.string(), run.string()));
  EXPECT_EQ(resumed.exit_code, 2);
  EXPECT_NE(resumed.err.find("trains in f32"), std::string::npos) << resumed.err;
}

// A tiny LM trained long enough to have learned its one sentence.
fs::path trained_lm(LmCliData d) {
  auto cfg = nlohmann::json::parse(read_file(d.config));
  cfg["training"]["max_steps"] = 150;
  cfg["training"]["lr"] = 0.01;
  cfg["training"]["eval_every"] = 150;
  d.config = d.dir / "lm_gen.json";
  write_file(d.config, cfg.dump(2));
  const fs::path run = d.dir / "gen_run";
  const auto r = run_cli(lm_train_args(d, run, ""));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return run;
}

std::string generate_args(const fs::path& run, const std::string& extra) {
  return fmt::format("generate --checkpoint '{}' --threads 1 {}", run.string(), extra);
}

TEST(GenerateCli, GreedyIsIdenticalWithAndWithoutTheKvCache) {
  const LmCliData d = make_lm_cli_data("gen_greedy");
  const fs::path run = trained_lm(d);
  const std::string flags = "--prompt 'in the' --temperature 0 --max-new-tokens 10";
  const auto cached = run_cli(generate_args(run, flags));
  const auto full = run_cli(generate_args(run, flags + " --no-kv-cache"));
  ASSERT_EQ(cached.exit_code, 0) << cached.err;
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(cached.out, full.out);
  EXPECT_EQ(cached.out.rfind("in the", 0), 0u) << cached.out;  // the prompt, then its continuation
  EXPECT_EQ(cached.out.size(), std::string("in the").size() + 10 + 1) << cached.out;
}

TEST(GenerateCli, SamplingIsReproducibleForASeedAndBatchesMatchStreaming) {
  const LmCliData d = make_lm_cli_data("gen_sample");
  const fs::path run = trained_lm(d);
  const std::string flags = "--prompt 'wa' --temperature 1.5 --top-k 8 --max-new-tokens 12";
  const auto a = run_cli(generate_args(run, flags + " --seed 5"));
  const auto b = run_cli(generate_args(run, flags + " --seed 5"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  // The same prompt as row 0 of a batch gives the same text (its own RNG stream).
  write_file(d.dir / "prompts.txt", "wa\nin\n\n");
  const auto batch =
      run_cli(generate_args(run, "--prompts-file '" + (d.dir / "prompts.txt").string() +
                                     "' --temperature 1.5 --top-k 8 --max-new-tokens 12 --seed 5"));
  ASSERT_EQ(batch.exit_code, 0) << batch.err;
  std::istringstream lines(batch.out);
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["prompt"], "wa");
  EXPECT_EQ(rows[2]["prompt"], "");
  EXPECT_EQ("wa" + rows[0]["text"].get<std::string>() + "\n", a.out);
}

TEST(GenerateCli, StopStringEndsTheTextAndIsNotPrinted) {
  const LmCliData d = make_lm_cli_data("gen_stop");
  const fs::path run = trained_lm(d);
  const auto free =
      run_cli(generate_args(run, "--prompt 'in' --temperature 0 --max-new-tokens 14"));
  ASSERT_EQ(free.exit_code, 0) << free.err;
  const std::size_t at = free.out.find("the", 2);
  ASSERT_NE(at, std::string::npos) << "the model did not learn its sentence: " << free.out;
  const auto stopped =
      run_cli(generate_args(run, "--prompt 'in' --temperature 0 --max-new-tokens 14 --stop the"));
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_EQ(stopped.out, free.out.substr(0, at) + "\n");
}

TEST(GenerateCli, ContextOverflowIsAnErrorUnlessSlidingIsAsked) {
  const LmCliData d = make_lm_cli_data("gen_overflow");
  const fs::path run = trained_lm(d);
  const auto over = run_cli(generate_args(run, "--prompt 'in the' --max-new-tokens 40"));
  EXPECT_EQ(over.exit_code, 2);
  EXPECT_NE(over.err.find("block_size"), std::string::npos) << over.err;
  const auto slide = run_cli(
      generate_args(run, "--prompt 'in the' --temperature 0 --max-new-tokens 40 --sliding-window"));
  EXPECT_EQ(slide.exit_code, 0) << slide.err;
  EXPECT_EQ(slide.out.size(), std::string("in the").size() + 40 + 1) << slide.out;
}

TEST(GenerateCli, BadOptionsAndMissingRunAreErrors) {
  const LmCliData d = make_lm_cli_data("gen_bad");
  const fs::path run = trained_lm(d);
  for (const char* bad :
       {"--temperature -1", "--top-p 0", "--top-k -2", "--repetition-penalty 0"}) {
    const auto r = run_cli(generate_args(run, std::string("--prompt in ") + bad));
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("attn: error:"), std::string::npos) << r.err;
  }
  const auto missing = run_cli(generate_args(d.dir / "nope", "--prompt in"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("not a checkpoint directory"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace attn::test
