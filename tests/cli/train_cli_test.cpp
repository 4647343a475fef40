// End-to-end runs of `attn train / evaluate / predict / summary` on a tiny
// synthetic corpus: learning happens, runs are deterministic, and a resumed
// run (after a clean stop or a mid-epoch stop) ends with identical weights.
#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

std::vector<nlohmann::json> metrics_lines(const std::filesystem::path& run) {
  std::vector<nlohmann::json> out;
  std::string text = read_file(run / "metrics.jsonl"), line;
  std::istringstream in(text);
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(TrainCli, LearnsTinyCorpusAndEvaluates) {
  const TinyCorpus c = make_tiny_corpus("learn");
  const auto run = c.dir / "run";
  const auto r =
      run_cli(train_args(c, run, fmt::format("--epochs 5 --test '{}'", c.test.string())));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = metrics_lines(run);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_LT(lines[4]["val_loss"].get<double>(), 0.3);
  for (const char* f :
       {"config.json", "tokenizer.json", "model.safetensors", "train_state/state.json",
        "train_state/optimizer.safetensors", "test_metrics.json"})
    EXPECT_TRUE(std::filesystem::exists(run / f)) << f;

  const auto ev = run_cli(
      fmt::format("evaluate --checkpoint '{}' --data '{}' --json", run.string(), c.test.string()));
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  const auto j = nlohmann::json::parse(ev.out);
  for (const char* k : {"accuracy", "precision", "recall", "f1", "loss", "n"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["n"].get<int>(), 40);
  EXPECT_GE(j["accuracy"].get<double>(), 0.9);
  EXPECT_EQ(j["positive_label"].get<std::string>(), "spam");

  const auto pr =
      run_cli(fmt::format("predict --checkpoint '{}' --input '{}'", run.string(), c.test.string()));
  ASSERT_EQ(pr.exit_code, 0) << pr.err;
  std::istringstream in(pr.out);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    const auto p = nlohmann::json::parse(line);
    EXPECT_TRUE(p["label"] == "spam" || p["label"] == "ham");
    EXPECT_GE(p["probability"].get<double>(), 0.5);
    ++n;
  }
  EXPECT_EQ(n, 40);
}

TEST(TrainCli, SameSeedAndThreadsGiveBitIdenticalLosses) {
  const TinyCorpus c = make_tiny_corpus("determinism");
  ASSERT_EQ(run_cli(train_args(c, c.dir / "a")).exit_code, 0);
  ASSERT_EQ(run_cli(train_args(c, c.dir / "b")).exit_code, 0);
  const auto a = metrics_lines(c.dir / "a"), b = metrics_lines(c.dir / "b");
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]["train_loss"].dump(), b[i]["train_loss"].dump());
    EXPECT_EQ(a[i]["val_loss"].dump(), b[i]["val_loss"].dump());
  }
  EXPECT_TRUE(read_file(c.dir / "a/model.safetensors") == read_file(c.dir / "b/model.safetensors"))
      << "files differ";
}

// Trains `c` uninterrupted into full/, and into split/ stopped after `stop_steps`
// optimizer steps (as if killed right after the state was saved) then resumed;
// the named files of the two runs must be byte-identical.
void expect_resume_identical(const TinyCorpus& c, int stop_steps,
                             const std::vector<std::string>& files) {
  ASSERT_EQ(run_cli(train_args(c, c.dir / "full")).exit_code, 0);
  ASSERT_EQ(
      run_cli(train_args(c, c.dir / "split", fmt::format("--max-steps {}", stop_steps))).exit_code,
      0);
  const auto r = run_cli(train_args(c, c.dir / "split", "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& f : files)
    EXPECT_TRUE(read_file(c.dir / "full" / f) == read_file(c.dir / "split" / f)) << f << " differs";
}

// 160 examples / 16 = 10 steps per epoch.
TEST(TrainCli, ResumeAfterEpochContinuesIdentically) {
  expect_resume_identical(make_tiny_corpus("resume_epoch"), 10,
                          {"train_state/model.safetensors", "train_state/optimizer.safetensors"});
}

TEST(TrainCli, ResumeAfterMidEpochStopContinuesIdentically) {
  expect_resume_identical(make_tiny_corpus("resume_mid"), 13,
                          {"train_state/model.safetensors", "train_state/optimizer.safetensors"});
}

TEST(SummaryCli, SeedConfigHas673281Parameters) {
  const auto r = run_cli(fmt::format("summary --config '{}'",
                                     (source_dir() / "examples/seed_classifier.json").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Total params: 673,281"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("640,000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("33,216"), std::string::npos) << r.out;
}

TEST(SummaryCli, ShippedConfigsParse) {
  for (const char* name :
       {"seed_classifier.json", "spam_classifier.json", "char_classifier.json"}) {
    const auto r =
        run_cli(fmt::format("summary --config '{}'", (source_dir() / "examples" / name).string()));
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
  }
}

}  // namespace
}  // namespace attn::test

namespace attn::test {
namespace {

// The shipped character-level config trains end to end (2 pre-norm layers, learned positions).
TEST(TrainCli, CharClassifierConfigTrains) {
  const TinyCorpus c = make_tiny_corpus("charcls");
  const auto run = c.dir / "run";
  const auto r = run_cli(fmt::format(
      "train --config '{}' --train '{}' --valid '{}' --out '{}' --threads 2 --epochs 20",
      (source_dir() / "examples/char_classifier.json").string(), c.train.string(), c.valid.string(),
      run.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = metrics_lines(run);
  // 3 steps an epoch: 20 epochs cover the config's 50 warmup steps (fewer is a clear error).
  ASSERT_GE(lines.size(), 4u);
  EXPECT_LT(lines.back()["val_loss"].get<double>(), lines[0]["val_loss"].get<double>());
  const auto ev = run_cli(
      fmt::format("evaluate --checkpoint '{}' --data '{}' --json", run.string(), c.test.string()));
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
}

}  // namespace
}  // namespace attn::test

namespace attn::test {
namespace {

// training.ema_decay: validation and the kept checkpoint use averaged weights, and
// the average is part of the resumable state.
TEST(TrainCli, WeightAverageIsUsedAndResumesExactly) {
  const TinyCorpus c = make_tiny_corpus("ema");
  std::string cfg = read_file(c.config);
  const auto pos = cfg.find("\"clip_norm\": 1.0");
  ASSERT_NE(pos, std::string::npos);
  cfg.insert(pos, "\"ema_decay\": 0.9, \"monitor\": \"val_accuracy\", ");
  write_file(c.config, cfg);
  expect_resume_identical(
      c, 13,
      {"train_state/model.safetensors", "train_state/extra.safetensors", "model.safetensors"});
  // The kept weights are the average, not the last raw weights.
  EXPECT_FALSE(read_file(c.dir / "full/model.safetensors") ==
               read_file(c.dir / "full/train_state/model.safetensors"));
  // A run killed before its first state was saved has no average to read back either:
  // --resume starts it afresh instead of failing on the missing average.
  std::filesystem::remove_all(c.dir / "split/train_state");
  const auto r = run_cli(train_args(c, c.dir / "split", "--resume"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("no saved state yet"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace attn::test
