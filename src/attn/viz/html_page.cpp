#include "attn/viz/html_page.h"

#include "attn/core/error.h"

namespace attn::viz {

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string json_for_script(const nlohmann::json& j) {
  // Replace invalid UTF-8 rather than throw: token strings come from user text.
  const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // These characters only occur inside JSON strings, where \uXXXX means the same.
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {
// Runs before anything else so even a syntax error in the page script is recorded.
constexpr const char* kErrorHook = R"JS(
window.onerror = function (msg, src, line, col) {
  var b = document.body, prev = b.dataset.errors ? b.dataset.errors + ' | ' : '';
  b.dataset.errors = prev + msg + ' (line ' + line + ':' + col + ')';
};
)JS";
}  // namespace

std::string render_page(const HtmlPage& page) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + html_escape(page.title) + "</title>\n";
  out += "<style>\n" + page.css + "\n</style>\n</head>\n<body>\n";
  out += "<script>" + std::string(kErrorHook) + "</script>\n";
  out += page.body;
  for (const auto& [id, json] : page.data)
    out += "\n<script type=\"application/json\" id=\"" + html_escape(id) + "\">" +
           json_for_script(json) + "</script>";
  ATTN_CHECK(page.script.find("</script") == std::string::npos,
             "html page '{}': inline script must not contain </script", page.title);
  out += "\n<script>\n" + page.script + "\n</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace attn::viz
