// The report's SVG line charts: data min/max land on the plot box edges, every
// finite point becomes a polyline point, ticks are round and inside the range.
#include <regex>
#include <sstream>

#include "attn/viz/svg_chart.h"
#include "test_util.h"

namespace attn::test {
namespace {

using viz::ChartSeries;
using viz::LineChart;

struct Pt {
  double x, y;
};

// The points of the polyline with data-series="name".
std::vector<Pt> polyline(const std::string& svg, const std::string& name) {
  std::smatch m;
  std::vector<Pt> out;
  if (!std::regex_search(
          svg, m, std::regex("<polyline[^>]*data-series=\"" + name + "\"[^>]*points=\"([^\"]*)\"")))
    return out;
  std::istringstream in(m[1].str());
  std::string pair;
  while (in >> pair) {
    const auto comma = pair.find(',');
    out.push_back({std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1))});
  }
  return out;
}

LineChart two_series() {
  LineChart c;
  c.title = "Loss";
  c.series.push_back({"train", {10, 20, 30, 40}, {2.0, 1.0, 0.5, 0.25}, "#000", false});
  c.series.push_back({"valid", {20, 40}, {1.5, std::nan("")}, "#f00", true});
  return c;
}

TEST(SvgChart, DataExtremesMapToThePlotBox) {
  const LineChart c = two_series();
  const auto l = viz::layout_chart(c);
  EXPECT_EQ(l.x_lo, 10);
  EXPECT_EQ(l.x_hi, 40);
  EXPECT_EQ(l.y_lo, 0.25);
  EXPECT_EQ(l.y_hi, 2.0);
  const auto pts = polyline(viz::svg_line_chart(c), "train");
  ASSERT_EQ(pts.size(), 4u);
  EXPECT_NEAR(pts[0].x, l.left, 0.01);    // x min
  EXPECT_NEAR(pts[3].x, l.right, 0.01);   // x max
  EXPECT_NEAR(pts[0].y, l.top, 0.01);     // y max is at the top
  EXPECT_NEAR(pts[3].y, l.bottom, 0.01);  // y min at the bottom
  // An inner point is placed linearly: x = 20 is a third of the way across.
  EXPECT_NEAR(pts[1].x, l.left + (l.right - l.left) / 3, 0.01);
  EXPECT_NEAR(pts[1].y, l.bottom - (1.0 - 0.25) / 1.75 * (l.bottom - l.top), 0.01);
  EXPECT_LT(l.left, l.right);
  EXPECT_LT(l.top, l.bottom);
  EXPECT_LE(l.right, c.width);
  EXPECT_LE(l.bottom, c.height);
}

TEST(SvgChart, NonFinitePointsAreLeftOut) {
  const std::string svg = viz::svg_line_chart(two_series());
  EXPECT_EQ(polyline(svg, "valid").size(), 1u);
  for (const char* bad : {"nan,", ",nan", "inf,", ",inf", "-nan"})
    EXPECT_EQ(svg.find(bad), std::string::npos) << bad;
}

TEST(SvgChart, FlatSeriesAndNoDataStillDraw) {
  LineChart c;
  c.series.push_back({"flat", {5}, {3}, "#000", true});
  const auto l = viz::layout_chart(c);
  EXPECT_LT(l.x_lo, 5);
  EXPECT_GT(l.x_hi, 5);
  const auto pts = polyline(viz::svg_line_chart(c), "flat");
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_NEAR(pts[0].x, (l.left + l.right) / 2, 0.01);
  LineChart empty;
  empty.series.push_back({"none", {}, {}, "#000", false});
  const std::string svg = viz::svg_line_chart(empty);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_EQ(svg.find("<polyline"), std::string::npos);
}

TEST(SvgChart, TitlesAndNamesAreEscaped) {
  LineChart c;
  c.title = "a<b & \"c\"";
  c.series.push_back({"<x>", {1, 2}, {1, 2}, "#000", false});
  const std::string svg = viz::svg_line_chart(c);
  EXPECT_NE(svg.find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_EQ(svg.find("<x>"), std::string::npos);
}

TEST(SvgChart, NiceTicksAreRoundAndInside) {
  const auto unit = viz::nice_ticks(0, 1);
  ASSERT_EQ(unit.size(), 6u);
  for (std::size_t i = 0; i < unit.size(); ++i) EXPECT_NEAR(unit[i], 0.2 * i, 1e-12);
  const auto t = viz::nice_ticks(3, 97);
  EXPECT_EQ(t, (std::vector<double>{20, 40, 60, 80}));
  for (double v : viz::nice_ticks(0.00013, 0.00071)) {
    EXPECT_GE(v, 0.00013);
    EXPECT_LE(v, 0.00071);
  }
  EXPECT_TRUE(viz::nice_ticks(1, 1).empty());
  EXPECT_EQ(viz::tick_label(250000), "250k");
  EXPECT_EQ(viz::tick_label(0.25), "0.25");
  EXPECT_EQ(viz::tick_label(0), "0");
}

}  // namespace
}  // namespace attn::test
