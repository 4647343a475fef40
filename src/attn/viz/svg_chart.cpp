#include "attn/viz/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "attn/viz/html_page.h"

namespace attn::viz {

namespace {

// Room around the plot box for the tick labels, axis labels, title and legend.
constexpr double kLeft = 58, kRight = 14, kTop = 30, kBottom = 44;

bool finite(double x, double y) { return std::isfinite(x) && std::isfinite(y); }

// Two decimals are enough for a screen position and keep the markup small.
std::string num(double v) { return fmt::format("{:.2f}", v); }

}  // namespace

double ChartLayout::px(double x) const {
  return left + (x - x_lo) / (x_hi - x_lo) * (right - left);
}
double ChartLayout::py(double y) const {
  return bottom - (y - y_lo) / (y_hi - y_lo) * (bottom - top);
}

ChartLayout layout_chart(const LineChart& chart) {
  ChartLayout l;
  l.left = kLeft;
  l.top = kTop;
  l.right = std::max(kLeft + 10, chart.width - kRight);
  l.bottom = std::max(kTop + 10, chart.height - kBottom);
  constexpr double inf = std::numeric_limits<double>::infinity();
  double xl = inf, xh = -inf, yl = inf, yh = -inf;
  for (const auto& s : chart.series)
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!finite(s.x[i], s.y[i])) continue;
      xl = std::min(xl, s.x[i]);
      xh = std::max(xh, s.x[i]);
      yl = std::min(yl, s.y[i]);
      yh = std::max(yh, s.y[i]);
    }
  if (xl > xh) xl = 0, xh = 1, yl = 0, yh = 1;  // no data
  // A flat line (or one point) still needs a range to divide by.
  auto widen = [](double& lo, double& hi) {
    if (hi > lo) return;
    const double d = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= d;
    hi += d;
  };
  widen(xl, xh);
  widen(yl, yh);
  l.x_lo = xl, l.x_hi = xh, l.y_lo = yl, l.y_hi = yh;
  return l;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> out;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi) || target < 1) return out;
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  // Index-based so 0.1 + 0.2 rounding does not drift; -0 printed as 0 below.
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1)
    out.push_back(std::abs(k * step) < step * 1e-9 ? 0.0 : k * step);
  return out;
}

std::string tick_label(double v) {
  const double a = std::abs(v);
  if (a == 0) return "0";
  if (a >= 1e6) return fmt::format("{:g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:g}k", v / 1e3);
  if (a < 1e-3) return fmt::format("{:.0e}", v);
  return fmt::format("{:.4g}", v);
}

std::string svg_line_chart(const LineChart& chart) {
  const ChartLayout l = layout_chart(chart);
  std::string out = fmt::format(
      "<svg class=\"chart\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"{2}\">\n",
      num(chart.width), num(chart.height), html_escape(chart.title));
  out += fmt::format("<text class=\"title\" x=\"{}\" y=\"18\">{}</text>\n", num(l.left),
                     html_escape(chart.title));
  out += fmt::format(
      "<rect class=\"box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fff\" "
      "stroke=\"#bbb\"/>\n",
      num(l.left), num(l.top), num(l.right - l.left), num(l.bottom - l.top));
  for (double t : nice_ticks(l.x_lo, l.x_hi)) {
    const double x = l.px(t);
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#eee\"/>"
        "<text class=\"tick\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
        num(x), num(l.top), num(l.bottom), num(l.bottom + 14), tick_label(t));
  }
  for (double t : nice_ticks(l.y_lo, l.y_hi)) {
    const double y = l.py(t);
    out += fmt::format(
        "<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\" stroke=\"#eee\"/>"
        "<text class=\"tick\" x=\"{3}\" y=\"{0}\" text-anchor=\"end\" "
        "dominant-baseline=\"middle\">{4}</text>\n",
        num(y), num(l.left), num(l.right), num(l.left - 5), tick_label(t));
  }
  out +=
      fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                  num((l.left + l.right) / 2), num(chart.height - 6), html_escape(chart.x_label));
  out += fmt::format(
      "<text class=\"axis\" transform=\"translate(14 {}) rotate(-90)\" "
      "text-anchor=\"middle\">{}</text>\n",
      num((l.top + l.bottom) / 2), html_escape(chart.y_label));
  bool any = false;
  // Legend entries right-aligned above the box, in series order.
  auto legend_width = [](const ChartSeries& s) {
    return 7.0 * static_cast<double>(s.name.size()) + 22;
  };
  double legend_x = l.right;
  for (const auto& s : chart.series) legend_x -= legend_width(s);
  for (auto s = chart.series.begin(); s != chart.series.end(); ++s) {
    std::string points, dots;
    for (std::size_t i = 0; i < std::min(s->x.size(), s->y.size()); ++i) {
      if (!finite(s->x[i], s->y[i])) continue;
      const std::string p = num(l.px(s->x[i])) + "," + num(l.py(s->y[i]));
      points += (points.empty() ? "" : " ") + p;
      if (s->markers)
        dots += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>", num(l.px(s->x[i])),
                            num(l.py(s->y[i])), html_escape(s->color));
    }
    const double entry_x = legend_x;
    legend_x += legend_width(*s);
    if (points.empty()) continue;
    any = true;
    out += fmt::format(
        "<polyline class=\"series\" data-series=\"{}\" fill=\"none\" stroke=\"{}\" "
        "stroke-width=\"1.6\" points=\"{}\"/>{}\n",
        html_escape(s->name), html_escape(s->color), points, dots);
    out += fmt::format(
        "<rect x=\"{}\" y=\"12\" width=\"12\" height=\"4\" fill=\"{}\"/>"
        "<text class=\"legend\" x=\"{}\" y=\"18\">{}</text>\n",
        num(entry_x), html_escape(s->color), num(entry_x + 16), html_escape(s->name));
  }
  if (!any)
    out += fmt::format(
        "<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no data</text>\n",
        num((l.left + l.right) / 2), num((l.top + l.bottom) / 2));
  out += "</svg>\n";
  return out;
}

}  // namespace attn::viz
