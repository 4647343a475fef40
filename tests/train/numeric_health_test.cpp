// Non-finite losses and gradients stop training with a message naming the step
// and the first bad parameter (the last good state kept), or are skipped.
#include "attn/train/numeric_health.h"

#include <cmath>
#include <sstream>

#include "attn/train/classifier_run.h"
#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

train::FitOptions fit_options(const TinyCorpus& c, const fs::path& out) {
  train::FitOptions o;
  o.config_file = c.config;
  o.train = c.train;
  o.valid = c.valid;
  o.out = out;
  o.threads = 2;
  return o;
}

TEST(NumericHealth, FirstNonFiniteNamesValueBeforeGradient) {
  Variable a(Tensor::zeros({2, 3}), true), b(Tensor::zeros({4}), true);
  std::vector<optim::ParamRef> params{{"layer.a", a, true}, {"layer.b", b, true}};
  EXPECT_FALSE(train::first_non_finite(params).has_value());
  a.grad().data()[4] = INFINITY;
  EXPECT_EQ(train::first_non_finite(params).value(), "gradient of \"layer.a\"[4] = inf");
  b.value().data()[1] = std::nanf("");
  EXPECT_EQ(train::first_non_finite(params).value(), "value of \"layer.b\"[1] = nan");
}

TEST(NumericHealth, NanGradientStopsWithStepAndParameterAndKeepsLastGoodState) {
  const TinyCorpus c = make_tiny_corpus("nan_stop");
  auto o = fit_options(c, c.dir / "run");
  o.checkpoint_every_steps = 2;
  o.inject_nan_at_step = 5;
  std::ostringstream log;
  try {
    train::fit_classifier(o, log);
    FAIL() << "training went on past a NaN gradient";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("step 5 (epoch 1, batch 5): non-finite gradient"), std::string::npos) << msg;
    EXPECT_NE(msg.find("first non-finite: gradient of \"embedding.weight\""), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("train_state"), std::string::npos) << msg;
  }
  // The state saved after step 4 is intact and finite (load_weights rejects NaN).
  EXPECT_EQ(train::load_resumable_state(c.dir / "run").step, 4);
}

TEST(NumericHealth, SkipPolicyDropsTheBadUpdateAndFinishes) {
  const TinyCorpus c = make_tiny_corpus("nan_skip");
  auto o = fit_options(c, c.dir / "run");
  o.on_nan = "skip";
  o.inject_nan_at_step = 3;
  std::ostringstream log;
  const auto r = train::fit_classifier(o, log);
  EXPECT_EQ(r.nan_skips, 1);
  EXPECT_EQ(r.epochs_run, 2);
  EXPECT_NE(log.str().find("warning: step 3"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("update skipped"), std::string::npos);
  EXPECT_NO_THROW(train::load_resumable_state(c.dir / "run"));  // finite weights
}

TEST(NumericHealth, SkipPolicyStopsAfterMaxConsecutiveSkips) {
  const TinyCorpus c = make_tiny_corpus("nan_skip_limit");
  std::string cfg = read_file(c.config);
  cfg.replace(cfg.find("\"training\": {"), 13,
              "\"training\": {\"on_nan\": \"skip\", \"max_nan_skips\": 1, ");
  write_file(c.config, cfg);
  auto o = fit_options(c, c.dir / "run");
  o.inject_nan_at_step = 2;
  std::ostringstream log;
  EXPECT_THROW(
      {
        try {
          train::fit_classifier(o, log);
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("1 consecutive non-finite steps"), std::string::npos)
              << e.what();
          throw;
        }
      },
      Error);
}

TEST(NumericHealth, CliRejectsAnUnknownOnNanPolicy) {
  const TinyCorpus c = make_tiny_corpus("nan_cli");
  const auto r = run_cli(
      fmt::format("train --config '{}' --train '{}' --valid '{}' --out '{}' "
                  "--on-nan ignore",
                  c.config.string(), c.train.string(), c.valid.string(), (c.dir / "run").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--on-nan"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace attn::test
