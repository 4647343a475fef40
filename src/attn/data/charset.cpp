#include "attn/data/charset.h"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>

#include "attn/data/utf8.h"

namespace attn {
namespace {

// windows-1252 0x80..0x9F; 0 marks the five bytes cp1252 leaves undefined.
constexpr std::array<char32_t, 32> kCp1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

bool is_utf8_label(std::string_view cs) {
  return is_one_of(cs, {"utf-8", "utf8", "unicode-1-1-utf-8"});
}

// Labels that carry no real information about 8-bit bytes.
bool is_undeclared_label(std::string_view cs) {
  return is_one_of(cs, {"", "us-ascii", "ascii", "ansi_x3.4-1968", "us", "iso646-us", "default",
                        "default_charset", "unknown-8bit", "x-unknown", "x-user-defined"});
}

// Read as windows-1252 like browsers do: senders labelling latin-1 routinely
// used cp1252's curly quotes and dashes in 0x80..0x9F.
bool is_latin1_label(std::string_view cs) {
  return is_one_of(cs, {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1",
                        "windows-1252", "cp1252", "x-cp1252", "cp819", "ibm819", "iso-ir-100"});
}

// Labels whose senders in practice used a superset (the WHATWG Encoding
// standard maps them the same way); glibc names of those supersets.
std::string superset_charset(const std::string& cs) {
  if (is_one_of(cs, {"gb2312", "gb_2312-80", "x-gbk", "euc-cn", "csgb2312", "chinese"}))
    return "GBK";
  if (is_one_of(cs, {"euc-kr", "ks_c_5601-1987", "ks_c_5601", "korean", "csksc56011987"})) {
    return "CP949";
  }
  if (is_one_of(cs, {"shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji"})) return "CP932";
  if (is_one_of(cs, {"big5", "x-x-big5", "cn-big5", "csbig5"})) return "BIG5-HKSCS";
  if (cs == "iso-8859-8-i") return "ISO-8859-8";
  return cs;
}

std::string decode_cp1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out.push_back(c);
    } else {
      append_utf8(out, cp1252_to_code_point(b));
    }
  }
  return out;
}

void append_replacement(std::string& out, std::size_t bad_bytes, std::size_t* replaced) {
  append_utf8(out, kReplacementChar);
  if (replaced != nullptr) *replaced += bad_bytes;
}

// Converts with glibc iconv; returns false (and leaves `out` alone) when iconv
// does not know `charset`. Bytes iconv rejects become one U+FFFD each.
bool iconv_to_utf8(std::string_view bytes, const std::string& charset, std::string& out,
                   std::size_t* replaced) {
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  std::string result;
  std::string buf(4 * bytes.size() + 16, '\0');
  // iconv's API takes char** but never writes through the input pointer.
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  while (in_left > 0) {
    char* o = buf.data();
    std::size_t o_left = buf.size();
    const std::size_t rc = iconv(cd, &in, &in_left, &o, &o_left);
    result.append(buf.data(), buf.size() - o_left);
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) continue;  // buffer drained into result; go on
    if (errno == EINVAL) {         // truncated multibyte sequence at the end
      append_replacement(result, in_left, replaced);
      break;
    }
    append_replacement(result, 1, replaced);  // EILSEQ (or anything else): skip one byte
    ++in;
    --in_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state after the bad byte
  }
  iconv_close(cd);
  // Defensive: a buggy converter must not leak invalid UTF-8 downstream.
  const std::size_t fixed = repair_utf8(result);
  if (replaced != nullptr) *replaced += fixed;
  out = std::move(result);
  return true;
}

}  // namespace

char32_t cp1252_to_code_point(unsigned char b) {
  if (b >= 0x80 && b < 0xA0 && kCp1252High[b - 0x80] != 0) return kCp1252High[b - 0x80];
  return b;
}

std::string normalize_charset(std::string_view label) {
  std::string cs;
  for (const char c : label) {
    if (c == '"' || c == '\'' || std::isspace(static_cast<unsigned char>(c))) continue;
    cs.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (const auto star = cs.find('*'); star != std::string::npos) cs.resize(star);
  return cs;
}

std::size_t repair_utf8(std::string& s) { return sanitize_utf8_bytes(s); }

std::string to_utf8(std::string_view bytes, std::string_view charset, std::size_t* replaced) {
  const std::string cs = normalize_charset(charset);
  if (is_utf8_label(cs)) {
    std::string out(bytes);
    const std::size_t bad = repair_utf8(out);
    if (replaced != nullptr) *replaced += bad;
    return out;
  }
  if (is_undeclared_label(cs)) {
    if (is_valid_utf8(bytes)) return std::string(bytes);
    return decode_cp1252(bytes);
  }
  if (is_latin1_label(cs)) return decode_cp1252(bytes);
  std::string out;
  if (iconv_to_utf8(bytes, superset_charset(cs), out, replaced)) return out;
  return decode_cp1252(bytes);  // unknown label: latin-1 as the task asks
}

}  // namespace attn
