#include "attn/data/utf8.h"

#include <utility>

namespace attn {
namespace {

bool is_cont(unsigned char b) { return (b & 0xC0) == 0x80; }

}  // namespace

DecodedChar decode_utf8_at(std::string_view s, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) return {b0, 1, true};
  // Lead byte -> number of continuation bytes and the allowed range of the
  // first one; the narrowed ranges exclude overlongs (E0, F0), surrogates (ED)
  // and code points above U+10FFFF (F4).
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {kReplacementChar, 1, false};  // stray continuation, C0, C1, F5..FF
  }
  for (std::size_t k = 1; k <= need; ++k) {
    if (pos + k >= s.size()) return {kReplacementChar, k, false};  // truncated
    const auto b = static_cast<unsigned char>(s[pos + k]);
    const bool ok = k == 1 ? (b >= lo && b <= hi) : is_cont(b);
    if (!ok) return {kReplacementChar, k, false};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, need + 1, true};
}

void append_utf8(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementChar;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encode_utf8(char32_t cp) {
  std::string out;
  append_utf8(out, cp);
  return out;
}

namespace {
// Replaces each invalid sequence with U+FFFD; returns {sequences, bytes} replaced.
std::pair<std::size_t, std::size_t> replace_invalid(std::string& s) {
  // Fast path: most input is valid, so scan first and only rebuild on need.
  std::size_t pos = 0;
  while (pos < s.size()) {
    const DecodedChar d = decode_utf8_at(s, pos);
    if (!d.valid) break;
    pos += d.length;
  }
  if (pos == s.size()) return {0, 0};
  std::string out(s, 0, pos);
  out.reserve(s.size() + 16);
  std::size_t sequences = 0, bytes = 0;
  while (pos < s.size()) {
    const DecodedChar d = decode_utf8_at(s, pos);
    if (d.valid) {
      out.append(s, pos, d.length);
    } else {
      append_utf8(out, kReplacementChar);
      ++sequences;
      bytes += d.length;
    }
    pos += d.length;
  }
  s = std::move(out);
  return {sequences, bytes};
}
}  // namespace

std::size_t sanitize_utf8(std::string& s) { return replace_invalid(s).first; }
std::size_t sanitize_utf8_bytes(std::string& s) { return replace_invalid(s).second; }

bool is_valid_utf8(std::string_view s) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    const DecodedChar d = decode_utf8_at(s, pos);
    if (!d.valid) return false;
    pos += d.length;
  }
  return true;
}

std::vector<char32_t> to_code_points(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for_each_code_point(s, [&](char32_t cp, std::string_view) { out.push_back(cp); });
  return out;
}

std::string from_code_points(const std::vector<char32_t>& cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t cp : cps) append_utf8(out, cp);
  return out;
}

}  // namespace attn
