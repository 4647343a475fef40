#include "attn/eval/text_split.h"

namespace attn {
namespace {

constexpr char32_t kEscapeBase = 0xDC00;

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Strict decode of one code point at s[i]: the code point and its byte length,
// or length 0 when the bytes there are not well-formed UTF-8.
char32_t decode_strict(std::string_view s, std::size_t i, std::size_t& len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  len = 0;
  if (b0 < 0x80) {
    len = 1;
    return b0;
  }
  std::size_t n = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (!is_continuation(b)) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  len = n;
  return cp;
}

}  // namespace

bool is_unicode_space(char32_t c) {
  if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  if (c < 0x85) return false;
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

char32_t decode_utf8_at(std::string_view s, std::size_t i, std::size_t& len) {
  const char32_t cp = decode_strict(s, i, len);
  if (len > 0) return cp;
  len = 1;
  return kEscapeBase + static_cast<unsigned char>(s[i]);
}

std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  std::size_t len = 0;
  for (std::size_t i = 0; i < s.size(); i += len) out.push_back(decode_utf8_at(s, i, len));
  return out;
}

std::size_t first_invalid_utf8(std::string_view s) {
  std::size_t len = 0;
  for (std::size_t i = 0; i < s.size(); i += len) {
    decode_strict(s, i, len);
    if (len == 0) return i;
  }
  return std::string_view::npos;
}

std::vector<std::string_view> split_whitespace(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = std::string_view::npos;
  std::size_t len = 0;
  for (std::size_t i = 0; i < s.size(); i += len) {
    const bool space = is_unicode_space(decode_utf8_at(s, i, len));
    if (space && start != std::string_view::npos) {
      out.push_back(s.substr(start, i - start));
      start = std::string_view::npos;
    } else if (!space && start == std::string_view::npos) {
      start = i;
    }
  }
  if (start != std::string_view::npos) out.push_back(s.substr(start));
  return out;
}

std::string_view rstrip_whitespace(std::string_view s) {
  std::size_t end = 0;  // one past the last non-space code point
  std::size_t len = 0;
  for (std::size_t i = 0; i < s.size(); i += len) {
    if (!is_unicode_space(decode_utf8_at(s, i, len))) end = i + len;
  }
  return s.substr(0, end);
}

}  // namespace attn
