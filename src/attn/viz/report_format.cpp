#include "attn/viz/report_format.h"

#include <fmt/format.h>

#include <cmath>

namespace attn::viz {

std::string fixed(double v, int digits) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "&ndash;";
}

std::string duration(double s) {
  if (!std::isfinite(s)) return "&ndash;";
  if (s < 60) return fmt::format("{:.1f} s", s);
  if (s < 3600) return fmt::format("{:.1f} min", s / 60);
  return fmt::format("{:.2f} h", s / 3600);
}

}  // namespace attn::viz
