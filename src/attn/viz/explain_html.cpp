// One self-contained HTML page for the worked example: inline CSS, no
// scripts, fonts or links, so it opens from disk anywhere. Matrices are
// <table>s with token labels; masked (-inf) cells are greyed.
#include <cmath>

#include "attn/viz/explain_format.h"
#include "attn/viz/html_page.h"

namespace attn::viz {
namespace {

constexpr const char* kStyle = R"(body{font-family:system-ui,sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;line-height:1.45;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
figure{display:inline-block;margin:.5rem 1.5rem .5rem 0;vertical-align:top}
figcaption{font-weight:600;margin-bottom:.25rem}
table{border-collapse:collapse;font-family:ui-monospace,monospace;font-size:.9rem}
td,th{padding:.15rem .5rem;text-align:right}
td{border:1px solid #ddd}th{color:#555;font-weight:normal}
td.masked{color:#aaa;background:#f3f3f3})";

std::string render_table(const DocMatrix& m, int precision) {
  std::string out = fmt::format("<figure><figcaption>{} <small>[{} × {}]</small></figcaption>\n",
                                html_escape(m.title), m.rows, m.cols);
  out += "<table>\n";
  if (!m.col_labels.empty()) {
    out += "<tr>" + std::string(m.row_labels.empty() ? "" : "<th></th>");
    for (const auto& l : m.col_labels) out += "<th>" + html_escape(l) + "</th>";
    out += "</tr>\n";
  }
  for (std::int64_t r = 0; r < m.rows; ++r) {
    out += "<tr>";
    if (!m.row_labels.empty()) out += "<th>" + html_escape(m.row_labels[std::size_t(r)]) + "</th>";
    for (std::int64_t c = 0; c < m.cols; ++c) {
      const float v = m.values[std::size_t(r * m.cols + c)];
      out += std::isinf(v) ? "<td class=\"masked\">" : "<td>";
      out += format_number(v, precision) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</table></figure>\n";
}

}  // namespace

std::string format_html(const Explanation& e, int precision) {
  const ExplainDoc doc = build_doc(e, precision);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<title>" + html_escape(doc.title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n";
  out += "<body>\n<h1>" + html_escape(doc.title) + "</h1>\n";
  for (const auto& s : doc.sections) {
    out += "<section>\n<h2>" + html_escape(s.heading) + "</h2>\n";
    for (const auto& it : s.items)
      out += it.is_matrix() ? render_table(it.matrix, precision)
                            : "<p>" + html_escape(it.text) + "</p>\n";
    out += "</section>\n";
  }
  return out + "</body>\n</html>\n";
}

}  // namespace attn::viz
