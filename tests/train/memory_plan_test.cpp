// Pre-flight memory planning: the estimate grows as the work does, tracks the
// measured peak, and a run that would not fit is refused with a clear message.
#include "attn/train/memory_plan.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

train::RunConfig config(std::int64_t batch, std::int64_t tokens, std::int64_t layers) {
  train::RunConfig c;
  c.training.batch_size = batch;
  c.data.max_len = c.model.max_len = tokens;
  c.model.num_layers = layers;
  return c;
}

TEST(MemoryPlan, EstimateGrowsWithBatchLengthAndDepth) {
  const auto base = train::estimate_training_memory(config(16, 128, 1), 100000, 1000, 1 << 20);
  const auto batch = train::estimate_training_memory(config(32, 128, 1), 100000, 1000, 1 << 20);
  const auto longer = train::estimate_training_memory(config(16, 256, 1), 100000, 1000, 1 << 20);
  const auto deeper = train::estimate_training_memory(config(16, 128, 2), 100000, 1000, 1 << 20);
  EXPECT_NEAR(static_cast<double>(batch.activations) / base.activations, 2.0, 0.01);
  // Scores are quadratic in the length, the rest linear: between 2x and 4x.
  const double r = static_cast<double>(longer.activations) / base.activations;
  EXPECT_GT(r, 2.2);
  EXPECT_LT(r, 4.0);
  EXPECT_GT(deeper.activations, base.activations * 17 / 10);
  EXPECT_EQ(base.total(), base.weights + base.optimizer + base.checkpoint + base.activations +
                              base.data + base.runtime);
  EXPECT_EQ(base.weights, 2 * 100000 * 4);    // values + gradients
  EXPECT_EQ(base.optimizer, 2 * 100000 * 4);  // Adam's two moments
}

TEST(MemoryPlan, Bf16CountsItsPackingBuffers) {
  train::RunConfig c = config(16, 128, 1);
  const auto f32 = train::estimate_training_memory(c, 100000, 1000, 1 << 20);
  c.training.precision = "bf16";
  const auto bf16 = train::estimate_training_memory(c, 100000, 1000, 1 << 20);
  // Operands and transpose scratch of the widest product, 2 bytes per element.
  EXPECT_EQ(bf16.runtime - f32.runtime, 3 * 2 * 16 * 128 * c.model.d_ff);
  EXPECT_EQ(bf16.activations, f32.activations);
}

TEST(MemoryPlan, OverBudgetIsRefusedWithTheBreakdown) {
  const auto e = train::estimate_training_memory(config(4096, 4096, 12), 1 << 24, 1000, 1 << 20);
  const std::string msg = error_of([&] { train::check_memory_budget(e, 1LL << 30, "test"); });
  EXPECT_NE(msg.find("training would need ~"), std::string::npos) << msg;
  EXPECT_NE(msg.find("but only 1024 MiB is available (test)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("batch of 4096 × 4096 tokens"), std::string::npos) << msg;
  EXPECT_NE(msg.find("--max-memory"), std::string::npos) << msg;
  EXPECT_NO_THROW(train::check_memory_budget(e, 0, "unknown"));
}

TEST(MemoryPlan, AvailableMemoryIsReadFromTheSystem) {
  const std::int64_t a = train::available_memory_bytes();
  EXPECT_GT(a, 16LL << 20);  // every machine that runs these tests has more than 16 MiB free
  EXPECT_LT(a, 1LL << 50);
}

TEST(MemoryPlan, CliRefusesARunOverTheBudgetBeforeTraining) {
  const TinyCorpus c = make_tiny_corpus("mem_refuse");
  const auto r = run_cli(train_args(c, c.dir / "run", "--max-memory 1"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("attn: error: training would need ~"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("only 1 MiB is available (--max-memory)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(c.dir / "run" / "train_state"));  // refused before any training
  const auto unchecked = run_cli(train_args(c, c.dir / "run", "--max-memory 0 --max-steps 2"));
  EXPECT_EQ(unchecked.exit_code, 0) << unchecked.err;
}

TEST(MemoryPlan, CliRefusesAConfigLargerThanTheMachine) {
  const TinyCorpus c = make_tiny_corpus("mem_huge");
  std::string cfg = read_file(c.config);
  // 65536 sequences of 4096 tokens: attention scores alone would need terabytes.
  cfg.replace(cfg.find("\"batch_size\": 16"), 16, "\"batch_size\": 65536");
  cfg.replace(cfg.find("\"data\": {\"max_len\": 16}"), 23, "\"data\": {\"max_len\": 4096}");
  cfg.replace(cfg.find("\"max_len\": 16,"), 14, "\"max_len\": 4096,");
  write_file(c.config, cfg);
  const auto r = run_cli(train_args(c, c.dir / "run", ""));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("MemAvailable"), std::string::npos) << r.err;
}

// The estimate against the peak RSS of a real run (not under ASan, whose shadow
// memory inflates RSS; make test-asan excludes this test).
TEST(MemoryPlanRss, EstimateIsWithin30PercentOfTheMeasuredPeak) {
  const TinyCorpus c = make_tiny_corpus("mem_rss");
  std::string text;
  for (int i = 0; i < 64; ++i) {
    std::string words;
    for (int j = 0; j < 300; ++j) words += fmt::format("w{} ", (i * 31 + j * 7) % 50);
    text += fmt::format("{{\"text\": \"{}\", \"label\": \"{}\"}}\n", words, i % 2 ? "spam" : "ham");
  }
  write_file(c.train, text);
  write_file(c.config,
             R"({"tokenizer": {"type": "word", "max_tokens": 64}, "data": {"max_len": 256},
    "model": {"vocab_size": 64, "max_len": 256, "d_model": 64, "num_layers": 2, "num_heads": 4,
              "d_ff": 256, "dropout": 0.1}, "training": {"batch_size": 64, "epochs": 1}})");
  const int pid =
      spawn_cli(train_args(c, c.dir / "run", "--max-steps 2"), c.dir / "out", c.dir / "err");
  int status = 0;
  rusage usage{};
  ASSERT_EQ(::wait4(pid, &status, 0, &usage), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(c.dir / "err");
  std::smatch m;
  const std::string err = read_file(c.dir / "err");
  ASSERT_TRUE(std::regex_search(err, m, std::regex("memory: ~([0-9]+) MiB"))) << err;
  const double estimate = std::stod(m[1]), measured = usage.ru_maxrss / 1024.0;
  std::printf("estimated %.0f MiB, measured peak RSS %.0f MiB\n", estimate, measured);
  EXPECT_GT(estimate, 0.7 * measured);
  EXPECT_LT(estimate, 1.3 * measured);
}

}  // namespace
}  // namespace attn::test
