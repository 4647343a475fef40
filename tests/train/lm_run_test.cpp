// Decoder LM training and evaluation (lm_run.h): learning a tiny synthetic text,
// determinism, exact resume, sliding-window evaluation that scores every
// character exactly once, and one test per bad input.
#include "attn/train/lm_run.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "attn/data/utf8.h"
#include "attn/eval/sliding_window.h"
#include "attn/io/json_reader.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

// A repeated pattern with a two-byte character: easy to learn, and it checks
// that characters are counted as code points.
std::string pattern_text(int repeats) {
  std::string s;
  for (int i = 0; i < repeats; ++i) s += "abcdé fgh\nhgf ed cba\n";
  return s;
}

train::LmRunConfig tiny_config() {
  const nlohmann::json j{{"model",
                          {{"type", "decoder_lm"},
                           {"vocab_size", 16},
                           {"block_size", 16},
                           {"d_model", 32},
                           {"num_layers", 1},
                           {"num_heads", 2},
                           {"dropout", 0.0}}},
                         {"training",
                          {{"batch_size", 8},
                           {"max_steps", 60},
                           {"lr", 0.01},
                           {"warmup_steps", 5},
                           {"min_lr", 0.001},
                           {"eval_every", 20},
                           {"eval_tokens", 200},
                           {"seed", 7}}}};
  return train::parse_lm_run_config(j, "tiny.json");
}

struct Fixture {
  fs::path dir, train, valid;
};

Fixture make_data(const std::string& tag) {
  Fixture f;
  f.dir = make_temp_dir(tag);
  f.train = f.dir / "train.txt";
  f.valid = f.dir / "valid.txt";
  write_file(f.train, pattern_text(40));
  write_file(f.valid, pattern_text(10));
  return f;
}

train::LmFitResult fit(const Fixture& f, const train::LmRunConfig& cfg, const fs::path& out,
                       std::int64_t stop_at = 0, bool resume = false) {
  train::LmFitOptions o;
  o.config = cfg;
  o.train = f.train;
  o.valid = f.valid;
  o.out = out;
  o.threads = 1;
  o.max_steps = stop_at;
  o.resume = resume;
  std::ostringstream log;
  return train::fit_lm(o, log);
}

std::vector<nlohmann::json> metrics(const fs::path& run) {
  std::vector<nlohmann::json> out;
  std::istringstream in(read_file(run / "metrics.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    j.erase("seconds");  // wall-clock fields differ between runs
    j.erase("tokens_per_s");
    out.push_back(j);
  }
  return out;
}

TEST(LmRun, LearnsARepeatedPattern) {
  const Fixture f = make_data("lm_learn");
  const auto r = fit(f, tiny_config(), f.dir / "run");
  EXPECT_TRUE(r.finished);
  EXPECT_EQ(r.step, 60);
  const auto m = metrics(f.dir / "run");
  ASSERT_EQ(m.size(), 3u);  // steps 20, 40, 60
  EXPECT_EQ(m[2]["step"], 60);
  // 11 symbols + padding + [UNK]: chance is ln(13) = 2.56 nats.
  EXPECT_LT(r.best_val_loss, 0.25 * std::log(13.0));
  EXPECT_LT(m[2]["val_loss"].get<double>(), m[0]["val_loss"].get<double>() + 1e-9);
  EXPECT_TRUE(fs::exists(f.dir / "run" / "model.safetensors"));
  EXPECT_TRUE(fs::exists(f.dir / "run" / "tokenizer.json"));
  // config.json is explicit and parses back to the same config.
  const auto saved = train::load_lm_run_config(f.dir / "run" / "config.json");
  EXPECT_EQ(train::to_json(saved), train::to_json(tiny_config()));
}

TEST(LmRun, SameSeedGivesIdenticalRuns) {
  const Fixture f = make_data("lm_determinism");
  auto cfg = tiny_config();
  cfg.training.max_steps = 20;
  cfg.training.eval_every = 10;
  fit(f, cfg, f.dir / "a");
  fit(f, cfg, f.dir / "b");
  EXPECT_EQ(metrics(f.dir / "a"), metrics(f.dir / "b"));
  EXPECT_EQ(read_file(f.dir / "a" / "model.safetensors"),
            read_file(f.dir / "b" / "model.safetensors"));
  cfg.training.seed = 8;
  fit(f, cfg, f.dir / "c");
  EXPECT_NE(metrics(f.dir / "a"), metrics(f.dir / "c"));
}

TEST(LmRun, StopAndResumeMatchesAnUninterruptedRun) {
  const Fixture f = make_data("lm_resume");
  auto cfg = tiny_config();
  cfg.model.dropout = 0.1f;  // the dropout RNG must resume too
  cfg.training.grad_accum_steps = 2;
  cfg.training.max_steps = 24;
  cfg.training.eval_every = 8;
  fit(f, cfg, f.dir / "whole");
  const auto stopped = fit(f, cfg, f.dir / "split", 13);
  EXPECT_FALSE(stopped.finished);
  EXPECT_EQ(stopped.step, 13);
  const auto resumed = fit(f, cfg, f.dir / "split", 0, true);
  EXPECT_TRUE(resumed.finished);
  for (const char* file :
       {"train_state/model.safetensors", "train_state/optimizer.safetensors", "model.safetensors"})
    EXPECT_EQ(read_file(f.dir / "whole" / file), read_file(f.dir / "split" / file)) << file;
  EXPECT_EQ(metrics(f.dir / "whole"), metrics(f.dir / "split"));
}

TEST(LmRun, SlidingWindowsScoreEveryTokenExactlyOnce) {
  for (std::int64_t window : {1, 4, 16}) {
    for (std::int64_t stride : {std::int64_t{1}, std::max<std::int64_t>(1, window / 2), window}) {
      for (std::int64_t n : {0, 1, 3, 15, 16, 17, 31, 32, 33, 100}) {
        std::vector<int> seen(static_cast<std::size_t>(n + 1), 0);
        for (const ScoreWindow& w : sliding_windows(n, window, stride)) {
          ASSERT_LE(w.length(), window);
          ASSERT_GE(w.begin, 0);
          ASSERT_GT(w.first_scored, w.begin);  // a scored target always has its input
          for (std::int64_t t = w.first_scored; t <= w.end; ++t)
            ++seen[static_cast<std::size_t>(t)];
        }
        EXPECT_EQ(seen[0], 0);
        for (std::int64_t t = 1; t <= n; ++t)
          ASSERT_EQ(seen[static_cast<std::size_t>(t)], 1)
              << "n " << n << " window " << window << " stride " << stride << " target " << t;
      }
    }
  }
}

TEST(LmRun, EvaluateScoresEveryCharacterOnce) {
  const Fixture f = make_data("lm_eval");
  auto cfg = tiny_config();
  cfg.training.max_steps = 20;
  fit(f, cfg, f.dir / "run");
  // Lengths below one window (16), at it, and over several windows.
  for (int chars : {1, 5, 16, 17, 40, 211}) {
    const auto cps = to_code_points(pattern_text(20));
    const std::string text =
        from_code_points(std::vector<char32_t>(cps.begin(), cps.begin() + chars));
    write_file(f.dir / "test.txt", text);
    std::ostringstream log;
    const auto r = train::evaluate_lm(f.dir / "run", f.dir / "test.txt", 1, log);
    EXPECT_EQ(r.characters, chars);
    EXPECT_EQ(r.tokens, chars);
    EXPECT_EQ(r.stride, 8);
    EXPECT_EQ(r.unknown, 0);
    EXPECT_NEAR(r.bits_per_char,
                r.loss * static_cast<double>(r.tokens) /
                    (std::log(2.0) * static_cast<double>(r.characters)),
                1e-9);
    EXPECT_NEAR(r.perplexity, std::exp(r.loss), 1e-9);
    EXPECT_TRUE(std::isfinite(r.loss));
  }
}

// Dynamic evaluation scores each window before it learns from it: one window alone scores
// exactly as static evaluation does; over a repetitive text it adapts and scores better,
// still every character once, reproducibly, and the run on disk is left as it was.
TEST(LmRun, DynamicEvaluationScoresBeforeLearningAndAdapts) {
  const Fixture f = make_data("lm_dynamic");
  auto cfg = tiny_config();
  cfg.training.max_steps = 8;  // a weak model leaves room to adapt
  fit(f, cfg, f.dir / "run");
  const std::string weights = read_file(f.dir / "run" / "model.safetensors");
  std::ostringstream log;
  const auto cps = to_code_points(pattern_text(20));
  write_file(f.dir / "one.txt",
             from_code_points(std::vector<char32_t>(cps.begin(), cps.begin() + 15)));
  const auto one_static = train::evaluate_lm(f.dir / "run", f.dir / "one.txt", 1, log);
  const auto one_dynamic = train::evaluate_lm(f.dir / "run", f.dir / "one.txt", 1, log, 0.05);
  EXPECT_NEAR(one_dynamic.loss, one_static.loss, 1e-6);

  write_file(f.dir / "long.txt", pattern_text(20));
  const auto still = train::evaluate_lm(f.dir / "run", f.dir / "long.txt", 1, log);
  const auto adapted = train::evaluate_lm(f.dir / "run", f.dir / "long.txt", 1, log, 0.05);
  const auto again = train::evaluate_lm(f.dir / "run", f.dir / "long.txt", 1, log, 0.05);
  EXPECT_EQ(adapted.tokens, still.tokens);
  EXPECT_EQ(adapted.characters, still.characters);
  EXPECT_LT(adapted.bits_per_char, 0.8 * still.bits_per_char)
      << still.bits_per_char << " -> " << adapted.bits_per_char;
  EXPECT_EQ(adapted.loss, again.loss);
  EXPECT_EQ(adapted.to_json()["dynamic_lr"].get<double>(), 0.05);
  EXPECT_FALSE(still.to_json().contains("dynamic_lr"));
  EXPECT_EQ(read_file(f.dir / "run" / "model.safetensors"), weights);
}

TEST(LmRun, DynamicEvaluationNeedsAPositiveLearningRate) {
  const Fixture f = make_data("lm_dynamic_bad");
  auto cfg = tiny_config();
  cfg.training.max_steps = 6;
  fit(f, cfg, f.dir / "run");
  write_file(f.dir / "test.txt", pattern_text(2));
  for (const double lr : {-1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    std::ostringstream log;
    const std::string msg =
        error_of([&] { train::evaluate_lm(f.dir / "run", f.dir / "test.txt", 1, log, lr); });
    EXPECT_NE(msg.find("learning rate must be a number > 0"), std::string::npos) << lr << msg;
  }
  std::ostringstream log;
  const std::string diverged =
      error_of([&] { train::evaluate_lm(f.dir / "run", f.dir / "test.txt", 1, log, 1e30); });
  EXPECT_NE(diverged.find("dynamic evaluation diverged at window 2 of"), std::string::npos)
      << diverged;
}

TEST(LmRun, UnknownSymbolsInEvaluationAreCountedNotFatal) {
  const Fixture f = make_data("lm_unknown");
  auto cfg = tiny_config();
  cfg.training.max_steps = 5;
  fit(f, cfg, f.dir / "run");
  write_file(f.dir / "test.txt", "abc XYZ\xe2\x82\xac\n");  // X, Y, Z, € are unseen
  std::ostringstream log;
  const auto r = train::evaluate_lm(f.dir / "run", f.dir / "test.txt", 1, log);
  EXPECT_EQ(r.unknown, 4);
  EXPECT_EQ(r.characters, 9);
  EXPECT_NE(log.str().find("not in the vocabulary"), std::string::npos);
}

TEST(LmRun, EmptyTrainingFileIsAnError) {
  Fixture f = make_data("lm_empty");
  write_file(f.train, "");
  const std::string e = error_of([&] { fit(f, tiny_config(), f.dir / "run"); });
  EXPECT_NE(e.find("empty"), std::string::npos) << e;
  EXPECT_NE(e.find("train.txt"), std::string::npos) << e;
}

TEST(LmRun, BlockSizeLongerThanTheTrainingTextIsAnError) {
  Fixture f = make_data("lm_short");
  write_file(f.train, "abcdefgh\n");  // 9 tokens, a window needs 17
  const std::string e = error_of([&] { fit(f, tiny_config(), f.dir / "run"); });
  EXPECT_NE(e.find("block_size"), std::string::npos) << e;
}

TEST(LmRun, CharTokenizerRoundTripsTextWithNewlines) {
  const std::string text = pattern_text(3) + "Ünïcödé\n\nlast line without newline";
  CharTokenizer tok;
  tok.build({text});
  EXPECT_EQ(tok.decode(tok.encode(text)), text);
  EXPECT_EQ(train::lm_start_token(tok), tok.encode("\n").front());
  EXPECT_NE(train::lm_start_token(tok), Tokenizer::kUnkId);
}

TEST(LmRunConfig, UnknownTrainingKeyIsAnError) {
  const nlohmann::json j{{"model", {{"type", "decoder_lm"}, {"vocab_size", 16}}},
                         {"training", {{"max_step", 5}}}};
  const std::string e = error_of([&] { train::parse_lm_run_config(j, "lm.json"); });
  EXPECT_NE(e.find("max_step"), std::string::npos) << e;
}

TEST(LmRunConfig, ExampleConfigsParse) {
  for (const char* name : {"kjv_char_lm.json", "gpt_10m.json"}) {
    const auto c = train::load_lm_run_config(source_dir() / "examples" / name);
    EXPECT_EQ(train::to_json(train::parse_lm_run_config(train::to_json(c), "again")),
              train::to_json(c));
  }
}

}  // namespace
}  // namespace attn::test
