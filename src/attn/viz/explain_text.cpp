// Plain-text rendering of the worked example: headings underlined, paragraphs
// wrapped, matrices as bracketed rows with token labels, e.g.
//   S = Q·Kᵀ  [3 × 3]
//              the     cat     sat
//       the [  0.123  -0.456   1.000 ]
#include <algorithm>
#include <cmath>

#include "attn/viz/explain_format.h"

namespace attn::viz {
namespace {

constexpr std::size_t kWrap = 88;

// Terminal columns of a UTF-8 string (code points; the text has no wide glyphs).
std::size_t columns_of(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string pad_left(const std::string& s, std::size_t w) {
  const std::size_t n = columns_of(s);
  return n >= w ? s : std::string(w - n, ' ') + s;
}

std::string pad_right(const std::string& s, std::size_t w) {
  const std::size_t n = columns_of(s);
  return n >= w ? s : s + std::string(w - n, ' ');
}

// Greedy word wrap at kWrap columns.
std::string wrap(const std::string& text) {
  std::string out, line;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && columns_of(line) + 1 + columns_of(word) > kWrap) {
      out += line + "\n";
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
    start = end + 1;
  }
  return out + line + "\n";
}

std::string render_matrix(const DocMatrix& m, int precision) {
  std::vector<std::string> cells(m.values.size());
  std::size_t w = 1;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    cells[i] = format_number(m.values[i], precision);
    w = std::max(w, columns_of(cells[i]));
  }
  for (const auto& l : m.col_labels) w = std::max(w, columns_of(l));
  std::size_t lw = 0;
  for (const auto& l : m.row_labels) lw = std::max(lw, columns_of(l));

  std::string out = fmt::format("  {}  [{} × {}]\n", m.title, m.rows, m.cols);
  const std::string indent = "    " + std::string(lw, ' ');
  if (!m.col_labels.empty()) {
    out += indent + "   ";
    for (std::size_t j = 0; j < m.col_labels.size(); ++j) {
      if (j) out += "  ";
      out += pad_left(m.col_labels[j], w);
    }
    out += "\n";
  }
  for (std::int64_t r = 0; r < m.rows; ++r) {
    const auto label = m.row_labels.empty() ? std::string() : m.row_labels[std::size_t(r)];
    out += "    " + pad_right(label, lw) + " [ ";
    for (std::int64_t c = 0; c < m.cols; ++c) {
      if (c) out += "  ";
      out += pad_left(cells[std::size_t(r * m.cols + c)], w);
    }
    out += " ]\n";
  }
  return out;
}

}  // namespace

void check_precision(int precision) {
  ATTN_CHECK(precision >= 0 && precision <= kExplainMaxPrecision,
             "explain: precision (--precision) must be 0 to {} decimals, got {}",
             kExplainMaxPrecision, precision);
}

std::string format_number(float v, int precision) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  return fmt::format("{:.{}f}", v, precision);
}

std::string format_text(const Explanation& e, int precision) {
  const ExplainDoc doc = build_doc(e, precision);
  std::string out = doc.title + "\n" + std::string(columns_of(doc.title), '=') + "\n";
  for (const auto& s : doc.sections) {
    out += "\n" + s.heading + "\n" + std::string(columns_of(s.heading), '-') + "\n";
    for (std::size_t i = 0; i < s.items.size(); ++i) {
      const auto& it = s.items[i];
      if (i) out += "\n";
      out += it.is_matrix() ? render_matrix(it.matrix, precision) : wrap(it.text);
    }
  }
  return out;
}

}  // namespace attn::viz
