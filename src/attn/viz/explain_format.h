#pragma once
// Renders an Explanation (explain.h) as plain text for a terminal or as one
// self-contained HTML page (inline CSS, no scripts, no network: it opens from
// disk). Both render the same ExplainDoc, so the page says exactly what the
// text says. Numbers are printed with `precision` decimals; -inf as "-inf".
#include <cstdint>
#include <string>
#include <vector>

#include "attn/viz/explain.h"

namespace attn::viz {

// One matrix to show: row-major values with optional row/column labels.
struct DocMatrix {
  std::string title;  // e.g. "Q = X·W_Q"
  std::int64_t rows = 0, cols = 0;
  std::vector<float> values;                        // [rows, cols]
  std::vector<std::string> row_labels, col_labels;  // empty = none
};

// A paragraph or a matrix, in reading order.
struct DocItem {
  std::string text;  // a paragraph when matrix.title is empty
  DocMatrix matrix;
  bool is_matrix() const { return !matrix.title.empty(); }
};

struct DocSection {
  std::string heading;  // "Step 3. Scores S = Q·Kᵀ"
  std::vector<DocItem> items;
};

struct ExplainDoc {
  std::string title;
  std::vector<DocSection> sections;
};

// Throws attn::Error unless 0 <= precision <= kExplainMaxPrecision.
void check_precision(int precision);

// The steps, sentences and matrices of an explanation (explain_doc.cpp).
// `precision` is used for the numbers quoted inside sentences.
ExplainDoc build_doc(const Explanation& e, int precision);

// A number as printed: fixed with `precision` decimals, "-inf"/"inf"/"nan" spelled out.
std::string format_number(float v, int precision);

std::string format_text(const Explanation& e, int precision = 3);  // explain_text.cpp
std::string format_html(const Explanation& e, int precision = 3);  // explain_html.cpp

}  // namespace attn::viz
