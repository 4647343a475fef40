// `attn viz` end to end in a real browser: train a tiny checkpoint, write the
// page, open it in headless Chromium (Debian `chromium`, installed by `make deps`)
// and read back what the page's script drew; then take a screenshot and check
// it is not blank. A missing browser is a failure, not a skip.
#include <chrono>

#include "test_util.h"
#include "viz/viz_test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

TEST(VizBrowser, PageDrawsEveryHeadAndTokenWithoutErrors) {
  const auto t0 = std::chrono::steady_clock::now();
  const fs::path run = train_tiny_run("viz_browser");
  ASSERT_TRUE(fs::exists(run / "model.safetensors"));
  const fs::path dir = make_temp_dir("viz_browser_out");
  const fs::path html = dir / "viz.html";
  // 7 words + [CLS]; one word is not in the vocabulary (shown as the unknown token).
  const auto r = run_cli(fmt::format(
      "viz --checkpoint '{}' --text 'Free cash offer for the team zyzzyva' --out '{}' --png '{}'",
      run.string(), html.string(), (dir / "png").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("4 heads, 8 tokens"), std::string::npos) << r.out;
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "png"), fs::directory_iterator()), 5);

  const PageInBrowser page = load_in_chromium(html, "viz_browser_chromium");
  ASSERT_EQ(page.dom_exit, 0) << page.log;
  EXPECT_EQ(body_attr(page.dom, "data-ready"), "1") << page.log;
  EXPECT_EQ(body_attr(page.dom, "data-errors"), "<absent>");
  EXPECT_EQ(body_attr(page.dom, "data-heads"), "4");   // 2 layers x 2 heads
  EXPECT_EQ(body_attr(page.dom, "data-tokens"), "8");  // [CLS] + 7 words
  EXPECT_NE(page.dom.find("[CLS]"), std::string::npos);
  ASSERT_EQ(page.shot_exit, 0) << page.log;
  ASSERT_EQ(page.shot.width, 1200);
  ASSERT_EQ(page.shot.height, 900);
  EXPECT_GT(luminance_variance(page.shot), 100.0)
      << "screenshot looks blank (variance of luminance)";
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[viz browser test: %.1f s]\n", secs);
}

}  // namespace
}  // namespace attn::test
