#pragma once
// Line charts as inline SVG markup, drawn in C++ so the training report needs
// no script for them: a plot box with x/y ticks and labels, one polyline per
// series (circles too for sparse series), and a legend.
#include <string>
#include <vector>

namespace attn::viz {

struct ChartSeries {
  std::string name;
  std::vector<double> x, y;  // same length; points with a non-finite x or y are left out
  std::string color = "#3b528b";
  bool markers = false;  // draw a circle on every point (per-epoch series)
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<ChartSeries> series;
  double width = 520, height = 280;  // the whole SVG, in px
};

// Where the data goes: the plot box inside the SVG and the data ranges mapped
// onto it (x_lo -> left, x_hi -> right, y_lo -> bottom, y_hi -> top). The ranges
// are the data's own min and max (widened when all values are equal).
struct ChartLayout {
  double left = 0, top = 0, right = 0, bottom = 0;
  double x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
  double px(double x) const;
  double py(double y) const;
};
ChartLayout layout_chart(const LineChart& chart);

// About `target` round tick values (1, 2 or 5 x 10^k steps) within [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

// Short tick text: 0.25, 1.5k, 2e-05 ...
std::string tick_label(double v);

// <svg class="chart" ...> with one <polyline class="series" data-series=NAME
// points="x,y ..."> per series that has a point; "no data" when none has.
std::string svg_line_chart(const LineChart& chart);

}  // namespace attn::viz
