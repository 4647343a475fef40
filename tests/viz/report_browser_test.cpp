// The training report in a real browser: `attn train` writes it, headless
// Chromium loads it from disk without a script error, both attention views are
// built, and a screenshot is not blank. A missing browser is a failure, not a skip.
#include "cli/cli_fixture.h"
#include "test_util.h"
#include "viz/viz_test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

void expect_report_drawn(const fs::path& html, const std::string& tag, const char* heads) {
  const PageInBrowser page = load_in_chromium(html, tag);
  ASSERT_EQ(page.dom_exit, 0) << page.log;
  EXPECT_EQ(body_attr(page.dom, "data-ready"), "1") << page.log;
  EXPECT_EQ(body_attr(page.dom, "data-errors"), "<absent>");
  EXPECT_EQ(body_attr(page.dom, "data-views"), "2");
  EXPECT_EQ(body_attr(page.dom, "data-heads"), heads);
  ASSERT_EQ(page.shot_exit, 0) << page.log;
  ASSERT_EQ(page.shot.width, 1200);
  EXPECT_GT(luminance_variance(page.shot), 100.0)
      << "screenshot looks blank (variance of luminance)";
}

TEST(ReportBrowser, PageLoadsWithoutErrorsAndDrawsTwoAttentionViews) {
  const fs::path run = train_tiny_run("report_browser");  // 2 layers x 2 heads
  ASSERT_TRUE(fs::exists(run / "report.html")) << "attn train did not write the report";
  expect_report_drawn(run / "report.html", "report_browser_out", "8");  // two views x 4 heads
}

TEST(ReportBrowser, LanguageModelReportLoadsWithSamplesAndTwoViews) {
  const LmCliData d = make_lm_cli_data("report_browser_lm");  // 1 layer x 2 heads
  const auto r = run_cli(lm_train_args(d, d.dir / "run"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path html = d.dir / "run" / "report.html";
  ASSERT_TRUE(fs::exists(html)) << "attn train did not write the report";
  expect_report_drawn(html, "report_browser_lm_out", "4");  // two views x 2 heads
}

TEST(ReportBrowser, EncoderDecoderReportLoadsWithSampleOutputsAndTwoViews) {
  const Seq2SeqCliData d = make_seq2seq_cli_data("report_browser_s2s", 60, 30);
  const auto r = run_cli(
      fmt::format("train --config '{}' --train '{}' --valid '{}' --out '{}' "
                  "--threads 1",
                  d.config.string(), d.train.string(), d.valid.string(), (d.dir / "run").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path html = d.dir / "run" / "report.html";
  ASSERT_TRUE(fs::exists(html)) << "attn train did not write the report";
  const std::string page = read_file(html);
  EXPECT_NE(page.find("data-metric=\"WER\""), std::string::npos);
  EXPECT_NE(page.find("Sample outputs"), std::string::npos);
  // Two views, each with encoder self, decoder self and cross maps of 2 heads.
  expect_report_drawn(html, "report_browser_s2s_out", "12");
}

}  // namespace
}  // namespace attn::test
