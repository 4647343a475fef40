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
  ASSERT_TRUE(fs::exists(kChromium))
      << kChromium << " is missing: run `make deps` (Debian package chromium)";
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

  const auto dom_file = dir / "dom.html", log = dir / "chromium.log";
  ASSERT_EQ(chromium("--dump-dom 'file://" + html.string() + "'", dir / "profile1", dom_file, log),
            0)
      << read_file(log);
  const std::string dom = read_file(dom_file);
  EXPECT_EQ(body_attr(dom, "data-ready"), "1") << read_file(log);
  EXPECT_EQ(body_attr(dom, "data-errors"), "<absent>");
  EXPECT_EQ(body_attr(dom, "data-heads"), "4");   // 2 layers x 2 heads
  EXPECT_EQ(body_attr(dom, "data-tokens"), "8");  // [CLS] + 7 words
  EXPECT_NE(dom.find("[CLS]"), std::string::npos);

  const auto shot = dir / "viz.png";
  ASSERT_EQ(chromium(fmt::format("--screenshot='{}' --window-size=1200,900 'file://{}'",
                                 shot.string(), html.string()),
                     dir / "profile2", dir / "shot.out", log),
            0)
      << read_file(log);
  const DecodedPng png = decode_png(shot);
  ASSERT_EQ(png.width, 1200);
  ASSERT_EQ(png.height, 900);
  double sum = 0, sum2 = 0;
  for (int y = 0; y < png.height; ++y)
    for (int x = 0; x < png.width; ++x) {
      const double l = png.luminance(x, y);
      sum += l;
      sum2 += l * l;
    }
  const double n = static_cast<double>(png.width) * png.height, mean = sum / n;
  EXPECT_GT(sum2 / n - mean * mean, 100.0) << "screenshot looks blank (variance of luminance)";
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[viz browser test: %.1f s]\n", secs);
}

}  // namespace
}  // namespace attn::test
