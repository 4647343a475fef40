#pragma once
// UTF-8 decoding, encoding and repair. Readers call sanitize_utf8 once on raw
// bytes so that everything downstream (tokenizers, JSON output, HTML views) can
// assume valid UTF-8. Invalid input is replaced following the Unicode
// "maximal subpart" practice (Unicode 15, section 3.9, U+FFFD substitution):
// each maximal prefix of a would-be valid sequence becomes one U+FFFD, so the
// count matches what Python's bytes.decode(errors="replace") produces.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// One decoded code point: `cp` is U+FFFD and `valid` false for an invalid
// sequence, whose maximal subpart is `length` bytes (>= 1).
struct DecodedChar {
  char32_t cp = 0;
  std::size_t length = 0;
  bool valid = false;
};

// Decodes the code point starting at byte `pos` (pos < s.size()).
DecodedChar decode_utf8_at(std::string_view s, std::size_t pos);

// Appends the UTF-8 encoding of `cp`; surrogates and values above U+10FFFF are
// written as U+FFFD so the output is always valid.
void append_utf8(std::string& out, char32_t cp);
std::string encode_utf8(char32_t cp);

// Replaces each invalid sequence by U+FFFD in place; returns how many were replaced.
std::size_t sanitize_utf8(std::string& s);
// Same replacement; returns the number of invalid input BYTES instead of sequences.
std::size_t sanitize_utf8_bytes(std::string& s);
bool is_valid_utf8(std::string_view s);

// All code points of `s` (invalid sequences decode to U+FFFD).
std::vector<char32_t> to_code_points(std::string_view s);
std::string from_code_points(const std::vector<char32_t>& cps);

// Calls fn(char32_t cp, std::string_view bytes) for each code point in order;
// `bytes` is the original (possibly invalid) byte range of that code point.
template <typename Fn>
void for_each_code_point(std::string_view s, Fn&& fn) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    const DecodedChar d = decode_utf8_at(s, pos);
    fn(d.cp, s.substr(pos, d.length));
    pos += d.length;
  }
}

}  // namespace attn
