// PNG heatmaps: pixel brightness follows the weights (the brightest cell is the
// largest weight, the darkest the smallest), the colour ramp's brightness is
// monotonic, and every head gets a file plus an overview.
#include "attn/viz/attention_png.h"

#include "test_util.h"
#include "viz/viz_test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

TEST(AttentionPng, RampBrightnessRisesMonotonically) {
  double prev = -1;
  for (int i = 0; i <= 1000; ++i) {
    const double l = viz::luminance(viz::ramp_color(static_cast<float>(i) / 1000.0f));
    EXPECT_GE(l, prev) << "t = " << i / 1000.0;
    prev = l;
  }
  // Strictly brighter over any visible step, and spanning a wide range.
  for (int i = 0; i < 100; ++i)
    EXPECT_LT(viz::luminance(viz::ramp_color(static_cast<float>(i) / 100.0f)),
              viz::luminance(viz::ramp_color(static_cast<float>(i + 1) / 100.0f)))
        << i;
  EXPECT_GT(viz::luminance(viz::ramp_color(1.0f)) - viz::luminance(viz::ramp_color(0.0f)), 150.0);
}

TEST(AttentionPng, BrightestCellIsTheLargestWeight) {
  const std::vector<std::string> tokens = {"the", "free", "cash", "offer", "for", "you", "now"};
  const int t = static_cast<int>(tokens.size());
  // Distinct weights in (0, 1) with the extremes placed off the diagonal.
  std::vector<float> w = random_floats(t * t, 11, 0.05f, 0.9f);
  const int hi = 2 * t + 5, lo = 4 * t + 1;
  w[static_cast<std::size_t>(hi)] = 0.97f;
  w[static_cast<std::size_t>(lo)] = 0.01f;
  const auto cap = make_capture(tokens, 1, w);
  const fs::path dir = make_temp_dir("png");
  const auto files = viz::write_attention_pngs(cap, dir);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], dir / "layer0_self_head0.png");
  EXPECT_EQ(files[1], dir / "overview.png");

  // The same inputs give the same layout, which says where each cell is.
  const viz::Font font(viz::default_font_path());
  const auto geo = viz::render_heatmap(w.data(), tokens, tokens,
                                       "layer 0 self, head 0 (rows attend to columns)", font);
  const DecodedPng png = decode_png(files[0]);
  ASSERT_EQ(png.width, geo.image.width);
  ASSERT_EQ(png.height, geo.image.height);
  std::vector<double> lum(static_cast<std::size_t>(t * t));
  for (int i = 0; i < t; ++i)
    for (int j = 0; j < t; ++j)
      lum[static_cast<std::size_t>(i * t + j)] = png.luminance(
          geo.grid_x + j * geo.cell + geo.cell / 2, geo.grid_y + i * geo.cell + geo.cell / 2);
  const auto argmax = std::max_element(lum.begin(), lum.end()) - lum.begin();
  const auto argmin = std::min_element(lum.begin(), lum.end()) - lum.begin();
  EXPECT_EQ(argmax, hi);
  EXPECT_EQ(argmin, lo);
  // Every pair: a larger weight is never darker.
  for (int a = 0; a < t * t; ++a)
    for (int b = 0; b < t * t; ++b) {
      const auto ua = static_cast<std::size_t>(a), ub = static_cast<std::size_t>(b);
      if (w[ua] > w[ub] + 0.02f) {
        EXPECT_GE(lum[ua], lum[ub]) << a << " vs " << b;
      }
    }
  // Token labels were drawn: the label margins are not blank.
  double ink = 0;
  for (int y = geo.grid_y; y < geo.grid_y + t * geo.cell; ++y)
    for (int x = 0; x < geo.grid_x - 2; ++x) ink += 255.0 - png.luminance(x, y);
  EXPECT_GT(ink, 1000.0);

  const DecodedPng overview = decode_png(files[1]);
  EXPECT_GT(overview.width, t);
  EXPECT_GT(overview.height, t);
}

TEST(AttentionPng, OneFilePerLayerAndHead) {
  auto cap = make_capture({"a", "b", "c"}, 2, std::vector<float>(18, 1.0f / 3.0f));
  auto second = cap.maps[0];
  second.layer = 1;
  second.name = "layer 1 self";
  cap.maps.push_back(second);
  const fs::path dir = make_temp_dir("png_many");
  const auto files = viz::write_attention_pngs(cap, dir / "sub");
  ASSERT_EQ(files.size(), 5u);
  for (const auto& f : files) EXPECT_GT(decode_png(f).width, 0) << f;
  EXPECT_TRUE(fs::exists(dir / "sub/layer1_self_head1.png"));
}

TEST(AttentionPng, MissingFontIsAClearError) {
  const auto cap = make_capture({"a"}, 1, {1.0f});
  const std::string msg = error_of(
      [&] { viz::write_attention_pngs(cap, make_temp_dir("nofont"), "/no/such/font.ttf"); });
  EXPECT_NE(msg.find("/no/such/font.ttf"), std::string::npos) << msg;
  EXPECT_NE(msg.find("fonts-dejavu-core"), std::string::npos) << msg;
}

}  // namespace
}  // namespace attn::test
