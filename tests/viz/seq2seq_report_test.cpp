// The encoder-decoder section of the training report: what collect_seq2seq_report puts in
// it (metrics, samples beside every reference, attention views) and how it is drawn.
#include <gtest/gtest.h>

#include <sstream>

#include "attn/train/seq2seq_report_collect.h"
#include "attn/train/seq2seq_run.h"
#include "attn/viz/training_report.h"
#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

fs::path trained_toy(const Seq2SeqCliData& d) {
  train::Seq2SeqFitOptions o;
  o.config_file = d.config;
  o.train = d.train;
  o.valid = d.valid;
  o.out = d.dir / "run";
  o.threads = 1;
  std::ostringstream log;
  EXPECT_TRUE(train::fit_seq2seq(o, log).finished);
  return o.out;
}

TEST(Seq2SeqReport, HoldsMetricsSamplesAndViews) {
  const Seq2SeqCliData d = make_seq2seq_cli_data("s2s_report", 300, 150);
  const fs::path run = trained_toy(d);
  std::ostringstream log;
  const auto r = train::collect_seq2seq_report(run, d.valid, 1, log);
  ASSERT_TRUE(r.seq2seq.has_value());
  const auto& s = *r.seq2seq;
  EXPECT_EQ(r.model_kind, "encoder-decoder");
  EXPECT_EQ(s.pairs, 60);
  ASSERT_EQ(s.metrics.size(), 2u);  // the config's wer and per, in name order
  EXPECT_EQ(s.metrics[0].first, "PER");
  EXPECT_EQ(s.metrics[1].first, "WER");
  ASSERT_EQ(s.samples.size(), models::kSeq2SeqSamples);
  std::size_t exact = 0;
  for (const auto& x : s.samples) {
    ASSERT_FALSE(x.references.empty());
    // exact is true iff the output is one of the references.
    EXPECT_EQ(x.exact,
              std::find(x.references.begin(), x.references.end(), x.output) != x.references.end());
    exact += x.exact;
  }
  // WER is the share of sentences with no exact match: the samples agree with it.
  EXPECT_GT(exact, 0u);
  EXPECT_EQ(r.attention.size(), 2u);
  EXPECT_EQ(r.attention[0].capture.maps.size(), 3u);  // encoder self, decoder self, cross
  EXPECT_EQ(r.attention[0].capture.maps[2].kind, "cross");
  EXPECT_EQ(r.epochs.size(), 2u);

  const std::string html = viz::training_report_html(r);
  EXPECT_NE(html.find("Evaluation and sample outputs"), std::string::npos);
  EXPECT_NE(html.find("val perplexity"), std::string::npos);
  EXPECT_EQ(html.find("Accuracy"), std::string::npos);  // no accuracy chart for seq2seq
}

TEST(Seq2SeqReport, WithoutDataSaysHowToGetTheEvaluation) {
  const Seq2SeqCliData d = make_seq2seq_cli_data("s2s_report_nodata", 20, 20);
  const fs::path run = trained_toy(d);
  std::ostringstream log;
  const auto r = train::collect_seq2seq_report(run, "", 1, log);
  ASSERT_TRUE(r.seq2seq.has_value());
  EXPECT_TRUE(r.seq2seq->samples.empty());
  EXPECT_TRUE(r.attention.empty());
  EXPECT_NE(viz::training_report_html(r).find("attn report --run RUN --data FILE.tsv"),
            std::string::npos);
}

}  // namespace
}  // namespace attn::test
