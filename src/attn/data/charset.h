#pragma once
// Converting a MIME part's bytes to UTF-8, given the charset it declares.
// Real mail (the SpamAssassin corpus dates from 2002) declares wrong or missing
// charsets often, so every path returns valid UTF-8 and never throws on data.
#include <cstddef>
#include <string>
#include <string_view>

namespace attn {

// Lower-cased charset label with quotes, spaces and a trailing RFC 2231
// "*lang" suffix removed: "\"ISO-8859-1\"" -> "iso-8859-1".
std::string normalize_charset(std::string_view label);

// bytes (in `charset`) -> UTF-8. Rules, in order:
//  - "utf-8"/"utf8": invalid sequences become U+FFFD;
//  - empty, "us-ascii" and similar: kept when valid UTF-8, else read as
//    windows-1252 (what 2002-era senders without a label actually meant);
//  - any label glibc iconv knows: converted; bytes it rejects become U+FFFD;
//  - unknown labels: read as latin-1 (through windows-1252, its superset for
//    printable bytes, with the five bytes cp1252 leaves undefined read as latin-1).
// Every U+FFFD written for bad input adds the number of bad bytes to *replaced.
std::string to_utf8(std::string_view bytes, std::string_view charset, std::size_t* replaced);

// Replaces invalid UTF-8 by U+FFFD in place; returns the number of bytes replaced.
std::size_t repair_utf8(std::string& s);

// The code point windows-1252 assigns to byte `b` (latin-1 for b < 0x80 or
// b >= 0xA0 and for the five bytes cp1252 leaves undefined).
char32_t cp1252_to_code_point(unsigned char b);

}  // namespace attn
