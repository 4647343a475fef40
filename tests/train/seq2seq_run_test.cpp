// The encoder-decoder training loop end to end on a toy task (spell a word in capitals:
// letters in, space-separated capitals out, a monotonic alignment like G2P's): the loss falls, the
// run is deterministic, resume is exact, and bad configs fail naming the key.
#include "attn/train/seq2seq_run.h"

#include <gtest/gtest.h>

#include <sstream>

#include "attn/io/json_reader.h"
#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

using ToyTask = Seq2SeqCliData;

ToyTask make_toy_task(const std::string& tag, std::int64_t max_steps, std::int64_t eval_every) {
  return make_seq2seq_cli_data(tag, max_steps, eval_every);
}

train::Seq2SeqFitOptions fit_options(const ToyTask& t, const fs::path& out) {
  train::Seq2SeqFitOptions o;
  o.config_file = t.config;
  o.train = t.train;
  o.valid = t.valid;
  o.out = out;
  o.threads = 1;
  return o;
}

std::vector<double> val_losses(const fs::path& run) {
  std::vector<double> v;
  std::istringstream in(read_file(run / "metrics.jsonl"));
  std::string line;
  while (std::getline(in, line)) v.push_back(nlohmann::json::parse(line).at("val_loss"));
  return v;
}

TEST(Seq2SeqRun, LearnsToSpellWords) {
  const ToyTask t = make_toy_task("s2s_learn", 500, 250);
  std::ostringstream log;
  const auto r = train::fit_seq2seq(fit_options(t, t.dir / "run"), log);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.step, 500);
  const auto losses = val_losses(t.dir / "run");
  ASSERT_EQ(losses.size(), 2u);
  // ln(8 letters + EOS) = 2.2 nats for a uniform guess; spelling is learnt in 500 steps.
  EXPECT_LT(losses.back(), losses.front()) << log.str();
  EXPECT_LT(r.best_val_loss, 0.3) << log.str();
  for (const char* f : {"config.json", "source_tokenizer.json", "target_tokenizer.json",
                        "model.safetensors", "steps.jsonl"})
    EXPECT_TRUE(fs::exists(t.dir / "run" / f)) << f;
  const auto saved = read_json_file(t.dir / "run" / "config.json");
  EXPECT_EQ(saved["model"]["source_vocab_size"], 8 + 2 + 2);  // pad, [UNK], a..h, BOS, EOS
}

TEST(Seq2SeqRun, ResumeContinuesExactly) {
  const ToyTask t = make_toy_task("s2s_resume", 40, 20);
  std::ostringstream log;
  train::fit_seq2seq(fit_options(t, t.dir / "straight"), log);
  auto first = fit_options(t, t.dir / "split");
  first.max_steps = 13;  // mid-epoch, between validations
  EXPECT_FALSE(train::fit_seq2seq(first, log).finished);
  auto second = fit_options(t, t.dir / "split");
  second.config_file.clear();
  second.resume = true;
  EXPECT_TRUE(train::fit_seq2seq(second, log).finished);
  EXPECT_EQ(read_file(t.dir / "straight" / "model.safetensors"),
            read_file(t.dir / "split" / "model.safetensors"));
  EXPECT_EQ(val_losses(t.dir / "straight"), val_losses(t.dir / "split"));
}

// training.ema_decay: validation and the kept weights use the moving average, which is
// part of the resumable state.
TEST(Seq2SeqRun, WeightAverageIsKeptAndResumesExactly) {
  const ToyTask t = make_toy_task("s2s_ema", 40, 20);
  std::ostringstream log;
  train::fit_seq2seq(fit_options(t, t.dir / "plain"), log);
  auto cfg = read_json_file(t.config);
  cfg["training"]["ema_decay"] = 0.9;
  write_file(t.config, cfg.dump());
  train::fit_seq2seq(fit_options(t, t.dir / "straight"), log);
  auto first = fit_options(t, t.dir / "split");
  first.max_steps = 13;
  EXPECT_FALSE(train::fit_seq2seq(first, log).finished);
  auto second = fit_options(t, t.dir / "split");
  second.config_file.clear();
  second.resume = true;
  EXPECT_TRUE(train::fit_seq2seq(second, log).finished);
  for (const char* f :
       {"model.safetensors", "train_state/model.safetensors", "train_state/extra.safetensors"})
    EXPECT_EQ(read_file(t.dir / "straight" / f), read_file(t.dir / "split" / f)) << f;
  EXPECT_EQ(val_losses(t.dir / "straight"), val_losses(t.dir / "split"));
  EXPECT_EQ(read_json_file(t.dir / "straight" / "config.json")["training"]["ema_decay"], 0.9f);
  // The average does not change the training (same raw weights as without it), only the
  // weights validated and kept.
  EXPECT_EQ(read_file(t.dir / "plain" / "train_state" / "model.safetensors"),
            read_file(t.dir / "straight" / "train_state" / "model.safetensors"));
  EXPECT_NE(read_file(t.dir / "plain" / "model.safetensors"),
            read_file(t.dir / "straight" / "model.safetensors"));
  EXPECT_NE(val_losses(t.dir / "plain"), val_losses(t.dir / "straight"));
}

TEST(Seq2SeqRun, ResumingAFinishedRunTrainsNoFurther) {
  const ToyTask t = make_toy_task("s2s_refinish", 10, 5);
  std::ostringstream log;
  ASSERT_TRUE(train::fit_seq2seq(fit_options(t, t.dir / "run"), log).finished);
  const std::string weights = read_file(t.dir / "run" / "model.safetensors");
  const std::string metrics = read_file(t.dir / "run" / "metrics.jsonl");
  auto again = fit_options(t, t.dir / "run");
  again.config_file.clear();
  again.resume = true;
  const auto r = train::fit_seq2seq(again, log);
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.step, 10);
  EXPECT_EQ(read_file(t.dir / "run" / "model.safetensors"), weights);
  EXPECT_EQ(read_file(t.dir / "run" / "metrics.jsonl"), metrics);
  EXPECT_NE(log.str().find("already finished at step 10"), std::string::npos) << log.str();
}

TEST(Seq2SeqRun, SameSeedSameRun) {
  const ToyTask t = make_toy_task("s2s_seed", 10, 10);
  std::ostringstream log;
  train::fit_seq2seq(fit_options(t, t.dir / "a"), log);
  train::fit_seq2seq(fit_options(t, t.dir / "b"), log);
  EXPECT_EQ(read_file(t.dir / "a" / "model.safetensors"),
            read_file(t.dir / "b" / "model.safetensors"));
}

// Two aligned files (source lines, target lines) train exactly as the TSV of their pairs.
TEST(Seq2SeqRun, AlignedFilesTrainLikeTheirTsv) {
  const ToyTask t = make_toy_task("s2s_aligned", 10, 10);
  std::string src, tgt;
  for (const fs::path& tsv : {t.train, t.valid}) {
    src.clear();
    tgt.clear();
    std::istringstream in(read_file(tsv));
    std::string line;
    while (std::getline(in, line)) {
      const auto tab = line.find('\t');
      src += line.substr(0, tab) + "\n";
      tgt += line.substr(tab + 1) + "\n";
    }
    write_file(fs::path(tsv).replace_extension(".src"), src);
    write_file(fs::path(tsv).replace_extension(".tgt"), tgt);
  }
  std::ostringstream log;
  train::fit_seq2seq(fit_options(t, t.dir / "tsv"), log);
  auto two = fit_options(t, t.dir / "two");
  two.train = t.dir / "train.src";
  two.train_target = t.dir / "train.tgt";
  two.valid = t.dir / "valid.src";
  two.valid_target = t.dir / "valid.tgt";
  train::fit_seq2seq(two, log);
  EXPECT_EQ(read_file(t.dir / "tsv" / "model.safetensors"),
            read_file(t.dir / "two" / "model.safetensors"));
}

TEST(Seq2SeqConfig, UnknownKeyIsNamed) {
  const ToyTask t = make_toy_task("s2s_badkey", 10, 10);
  auto j = read_json_file(t.config);
  j["model"]["d_modle"] = 3;
  const std::string e = error_of([&] { train::parse_seq2seq_run_config(j, "x.json"); });
  EXPECT_NE(e.find("d_modle"), std::string::npos) << e;
}

TEST(Seq2SeqConfig, BatchSizeIsRejectedInFavourOfMaxTokens) {
  const ToyTask t = make_toy_task("s2s_batch", 10, 10);
  auto j = read_json_file(t.config);
  j["training"]["batch_size"] = 64;
  const std::string e = error_of([&] { train::parse_seq2seq_run_config(j, "x.json"); });
  EXPECT_NE(e.find("training.batch_size"), std::string::npos) << e;
  EXPECT_NE(e.find("max_tokens"), std::string::npos) << e;
}

TEST(Seq2SeqConfig, SharedEmbeddingsNeedAJointTokenizer) {
  const ToyTask t = make_toy_task("s2s_share", 10, 10);
  auto j = read_json_file(t.config);
  j["model"]["share_embeddings"] = true;
  const std::string e = error_of([&] { train::parse_seq2seq_run_config(j, "x.json"); });
  EXPECT_NE(e.find("tokenizer.joint"), std::string::npos) << e;
}

TEST(Seq2SeqConfig, UnknownMetricIsNamed) {
  const ToyTask t = make_toy_task("s2s_metric", 10, 10);
  auto j = read_json_file(t.config);
  j["metrics"] = {"bleu", "meteor"};
  const std::string e = error_of([&] { train::parse_seq2seq_run_config(j, "x.json"); });
  EXPECT_NE(e.find("meteor"), std::string::npos) << e;
}

TEST(Seq2SeqConfig, RoundTripsThroughJson) {
  const ToyTask t = make_toy_task("s2s_roundtrip", 10, 10);
  const auto c = train::load_seq2seq_run_config(t.config);
  const auto again = train::parse_seq2seq_run_config(train::to_json(c), "saved");
  EXPECT_EQ(train::to_json(c), train::to_json(again));
}

TEST(Seq2SeqRun, VocabularySizeThatDisagreesWithTheTokenizerIsAnError) {
  const ToyTask t = make_toy_task("s2s_vocab", 10, 10);
  auto j = read_json_file(t.config);
  j["model"]["target_vocab_size"] = 5;
  write_file(t.config, j.dump());
  std::ostringstream log;
  const std::string e = error_of([&] { train::fit_seq2seq(fit_options(t, t.dir / "run"), log); });
  EXPECT_NE(e.find("target_vocab_size is 5"), std::string::npos) << e;
}

TEST(Seq2SeqConfig, EmaDecayOfOneIsAnErrorNamingTheKey) {
  const ToyTask t = make_toy_task("s2s_ema_bad", 10, 10);
  auto j = read_json_file(t.config);
  j["training"]["ema_decay"] = 1.0;  // an average that never moves
  const std::string e = error_of([&] { train::parse_seq2seq_run_config(j, t.config.string()); });
  EXPECT_NE(e.find("ema_decay"), std::string::npos) << e;
}

TEST(Seq2SeqRun, MalformedTrainingLineNamesFileAndLine) {
  const ToyTask t = make_toy_task("s2s_badline", 10, 10);
  write_file(t.train, "abc\tc b a\nno tab here\n");
  std::ostringstream log;
  const std::string e = error_of([&] { train::fit_seq2seq(fit_options(t, t.dir / "run"), log); });
  EXPECT_NE(e.find("train.tsv:2"), std::string::npos) << e;
}

}  // namespace
}  // namespace attn::test
