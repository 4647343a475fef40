// The training report in a real browser: `attn train` writes it, headless
// Chromium loads it from disk without a script error, both attention views are
// built, and a screenshot is not blank. A missing browser is a failure, not a skip.
#include "test_util.h"
#include "viz/viz_test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

TEST(ReportBrowser, PageLoadsWithoutErrorsAndDrawsTwoAttentionViews) {
  ASSERT_TRUE(fs::exists(kChromium))
      << kChromium << " is missing: run `make deps` (Debian package chromium)";
  const fs::path run = train_tiny_run("report_browser");  // 2 layers x 2 heads
  const fs::path html = run / "report.html";
  ASSERT_TRUE(fs::exists(html)) << "attn train did not write the report";
  const fs::path dir = make_temp_dir("report_browser_out");
  const auto dom_file = dir / "dom.html", log = dir / "chromium.log";
  ASSERT_EQ(chromium("--dump-dom 'file://" + html.string() + "'", dir / "profile1", dom_file, log),
            0)
      << read_file(log);
  const std::string dom = read_file(dom_file);
  EXPECT_EQ(body_attr(dom, "data-ready"), "1") << read_file(log);
  EXPECT_EQ(body_attr(dom, "data-errors"), "<absent>");
  EXPECT_EQ(body_attr(dom, "data-views"), "2");
  EXPECT_EQ(body_attr(dom, "data-heads"), "8");  // two views x 4 heads

  const auto shot = dir / "report.png";
  ASSERT_EQ(chromium(fmt::format("--screenshot='{}' --window-size=1200,900 'file://{}'",
                                 shot.string(), html.string()),
                     dir / "profile2", dir / "shot.out", log),
            0)
      << read_file(log);
  const DecodedPng png = decode_png(shot);
  ASSERT_EQ(png.width, 1200);
  EXPECT_GT(luminance_variance(png), 100.0) << "screenshot looks blank (variance of luminance)";
}

}  // namespace
}  // namespace attn::test
