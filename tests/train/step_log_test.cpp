// RUN/steps.jsonl: a line every --log-every steps and at each epoch's end, and a
// run stopped mid-epoch and resumed writes exactly the lines (losses, accuracies,
// learning rates) of an uninterrupted run, with no duplicates.
#include "attn/train/step_log.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

// Training arguments with a step-log line every 3 steps.
std::string log_args(const TinyCorpus& c, const fs::path& out, const std::string& extra) {
  return train_args(c, out, "--log-every 3 " + extra);
}

std::vector<nlohmann::json> lines(const fs::path& file) {
  std::vector<nlohmann::json> out;
  std::istringstream in(read_file(file));
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::vector<std::int64_t> steps_of(const std::vector<nlohmann::json>& ls) {
  std::vector<std::int64_t> out;
  for (const auto& l : ls) out.push_back(l["step"].get<std::int64_t>());
  return out;
}

// The tiny corpus has 160 examples in batches of 16: 10 steps per epoch, 2 epochs.
const std::vector<std::int64_t> kWantSteps{3, 6, 9, 10, 12, 15, 18, 20};

TEST(StepLog, LinesEveryNStepsAndAtEpochEnds) {
  const TinyCorpus c = make_tiny_corpus("steplog_full");
  const auto r = run_cli(log_args(c, c.dir / "run", ""));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto ls = lines(c.dir / "run/steps.jsonl");
  EXPECT_EQ(steps_of(ls), kWantSteps);
  double prev_seconds = 0;
  for (const auto& l : ls) {
    for (const char* k : {"step", "epoch", "loss", "accuracy", "lr", "tokens_per_s", "seconds"})
      ASSERT_TRUE(l.contains(k) && l[k].is_number()) << k << " in " << l.dump();
    EXPECT_EQ(l["epoch"].get<int>(), l["step"].get<int>() <= 10 ? 1 : 2) << l.dump();
    EXPECT_GT(l["loss"].get<double>(), 0.0);
    EXPECT_GE(l["accuracy"].get<double>(), 0.0);
    EXPECT_LE(l["accuracy"].get<double>(), 1.0);
    EXPECT_GT(l["lr"].get<double>(), 0.0);
    EXPECT_GT(l["tokens_per_s"].get<double>(), 0.0);
    EXPECT_GE(l["seconds"].get<double>(), prev_seconds);
    prev_seconds = l["seconds"].get<double>();
  }
  // The window means reproduce the epoch's mean train loss (examples per step are
  // equal: 16), so the lines of epoch 1 (steps 1-3, 4-6, 7-9, 10) average to it.
  const auto metrics = lines(c.dir / "run/metrics.jsonl");
  ASSERT_EQ(metrics.size(), 2u);
  const double epoch1 = (3 * ls[0]["loss"].get<double>() + 3 * ls[1]["loss"].get<double>() +
                         3 * ls[2]["loss"].get<double>() + ls[3]["loss"].get<double>()) /
                        10;
  EXPECT_NEAR(epoch1, metrics[0]["train_loss"].get<double>(), 1e-9);
}

TEST(StepLog, MidEpochStopAndResumeMatchesAnUninterruptedRun) {
  const TinyCorpus c = make_tiny_corpus("steplog_resume");
  ASSERT_EQ(run_cli(log_args(c, c.dir / "full", "")).exit_code, 0);
  const fs::path run = c.dir / "run";
  ASSERT_EQ(run_cli(log_args(c, run, "--max-steps 7")).exit_code, 0);
  EXPECT_EQ(steps_of(lines(run / "steps.jsonl")), (std::vector<std::int64_t>{3, 6}));
  const double before = lines(run / "steps.jsonl").back()["seconds"].get<double>();
  // As if the killed process had logged steps past its saved state (step 7), and
  // a torn line: both go on resume, and step 9 is logged once.
  {
    std::ofstream out(run / "steps.jsonl", std::ios::app);
    out << R"({"step": 9, "epoch": 1, "loss": 123})"
        << "\n"
        << R"({"step": 1)";
  }
  const auto r = run_cli(log_args(c, run, "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto got = lines(run / "steps.jsonl"), want = lines(c.dir / "full/steps.jsonl");
  ASSERT_EQ(steps_of(got), kWantSteps);
  for (std::size_t i = 0; i < got.size(); ++i)
    for (const char* k : {"epoch", "loss", "accuracy", "lr"})
      EXPECT_EQ(got[i][k], want[i][k]) << k << " of line " << i;
  // Wall time carries on from the saved state instead of restarting at 0.
  EXPECT_GE(got[2]["seconds"].get<double>(), before);
}

TEST(StepLog, TruncateKeepsLinesUpToTheSavedStep) {
  const fs::path dir = make_temp_dir("steplog_truncate");
  const fs::path f = dir / "steps.jsonl";
  write_file(f, "{\"step\":1}\n{\"step\":2}\nnot json\n{\"x\":1}\n{\"step\":3}\n{\"step\":");
  train::truncate_step_log(f, 2);
  EXPECT_EQ(read_file(f), "{\"step\":1}\n{\"step\":2}\n");
  train::truncate_step_log(dir / "missing.jsonl", 5);
  EXPECT_FALSE(fs::exists(dir / "missing.jsonl"));
}

TEST(StepLog, AppendToAnUnwritablePlaceNamesTheFile) {
  const fs::path f = make_temp_dir("steplog_append") / "no_dir" / "steps.jsonl";
  try {
    train::append_line_durable(f, "{}");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("steps.jsonl"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace attn::test
