#pragma once
// Pieces for self-contained HTML pages (attention view now, training report
// later): every byte of CSS, JS and data is inline, nothing is fetched, and the
// file opens from disk with no network.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attn::viz {

// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view s);

// JSON text safe inside <script type="application/json">: '<', '>' and '&' become
// \u003c \u003e \u0026 so no string can close the script element or open a comment,
// and U+2028/U+2029 are escaped for old JS parsers. JSON.parse gives back the data.
std::string json_for_script(const nlohmann::json& j);

struct HtmlPage {
  std::string title;  // plain text (escaped here)
  std::string css;    // inline stylesheet
  std::string body;   // HTML markup (already escaped by the caller)
  // Inline data blocks: id -> JSON, emitted as <script type="application/json" id=...>.
  std::vector<std::pair<std::string, nlohmann::json>> data;
  std::string script;  // inline JS, run after the body and the data blocks
};

// The whole document. Installs a window.onerror handler first, which appends every
// error to document.body.dataset.errors, so a headless browser can report them.
std::string render_page(const HtmlPage& page);

}  // namespace attn::viz
