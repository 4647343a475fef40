#pragma once
// Text helpers shared by the sequence metrics (BLEU, chrF, WER/PER). They copy
// Python's str semantics, because sacreBLEU is the reference: whitespace is
// what str.isspace() accepts (Unicode, not only ASCII), and characters are code
// points, not bytes. Invalid UTF-8 bytes become U+DC80..U+DCFF, as Python's
// "surrogateescape" error handler maps them, so nothing is dropped or merged.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

// True for the code points Python's str.isspace() accepts: \t\n\v\f\r,
// U+001C..U+001F, space, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
// U+2029, U+202F, U+205F, U+3000.
bool is_unicode_space(char32_t c);

// Decodes one code point at s[i]; `len` gets its byte length (1 for an invalid
// byte, which decodes to U+DC00 + byte).
char32_t decode_utf8_at(std::string_view s, std::size_t i, std::size_t& len);

// The whole string as code points (invalid bytes escaped as above).
std::u32string decode_utf8(std::string_view s);

// Byte offset of the first byte that is not well-formed UTF-8 (overlong forms,
// surrogates and values past U+10FFFF count as invalid, as in Python's strict
// decoder), or std::string_view::npos when the string is valid.
std::size_t first_invalid_utf8(std::string_view s);

// Python's s.split(): fields separated by runs of Unicode whitespace, no empty
// fields. The views point into s.
std::vector<std::string_view> split_whitespace(std::string_view s);

// Python's s.rstrip(): s without its trailing Unicode whitespace.
std::string_view rstrip_whitespace(std::string_view s);

}  // namespace attn
