#pragma once
// Strict JSON parsing shared by config files and safetensors headers.
// nlohmann silently keeps the last of two equal keys; a config or tensor
// header with a duplicate key is almost always a mistake, so it is an error.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace attn {

struct JsonParseResult {
  nlohmann::json value;  // valid only when ok
  bool ok = false;
  std::size_t offset = 0;  // 0-based byte offset of the problem in the text
  std::string reason;      // e.g. "syntax error while parsing value - invalid literal"
};

// Never throws for bad input: the caller decides how to name the location
// (line:col for config files, byte offsets for binary headers).
JsonParseResult parse_json_strict(std::string_view text);

struct TextPosition {
  std::size_t line = 1;    // 1-based
  std::size_t column = 1;  // 1-based, in bytes
};
TextPosition text_position(std::string_view text, std::size_t offset);

// Parses or throws attn::Error "SOURCE:LINE:COL: invalid JSON: reason".
nlohmann::json parse_json_text(std::string_view text, const std::string& source);

// A short, single-line rendering of a JSON value for error messages.
std::string json_preview(const nlohmann::json& v, std::size_t max_len = 60);

}  // namespace attn
