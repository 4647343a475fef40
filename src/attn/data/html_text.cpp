#include "attn/data/html_text.h"

#include <array>
#include <cctype>
#include <cstdint>

#include "attn/data/charset.h"
#include "attn/data/utf8.h"

namespace attn {
namespace {

// HTML 4 names for U+00A0..U+00FF, in code point order.
constexpr std::array<std::string_view, 96> kLatin1Names = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",
    "copy",   "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn",
    "sup2",   "sup3",   "acute",  "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",
    "raquo",  "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",  "Atilde",
    "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave",
    "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde",
    "Ouml",   "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",
    "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil",
    "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",   "eth",
    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave",
    "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};

struct NamedEntity {
  std::string_view name;
  char32_t cp;
};
constexpr std::array<NamedEntity, 46> kOtherNames = {{
    {"amp", '&'},       {"lt", '<'},        {"gt", '>'},        {"quot", '"'},
    {"apos", '\''},     {"euro", 0x20AC},   {"trade", 0x2122},  {"hellip", 0x2026},
    {"mdash", 0x2014},  {"ndash", 0x2013},  {"lsquo", 0x2018},  {"rsquo", 0x2019},
    {"ldquo", 0x201C},  {"rdquo", 0x201D},  {"sbquo", 0x201A},  {"bdquo", 0x201E},
    {"bull", 0x2022},   {"dagger", 0x2020}, {"Dagger", 0x2021}, {"permil", 0x2030},
    {"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"OElig", 0x0152},  {"oelig", 0x0153},
    {"Scaron", 0x0160}, {"scaron", 0x0161}, {"Yuml", 0x0178},   {"fnof", 0x0192},
    {"circ", 0x02C6},   {"tilde", 0x02DC},  {"ensp", 0x2002},   {"emsp", 0x2003},
    {"thinsp", 0x2009}, {"zwnj", 0x200C},   {"zwj", 0x200D},    {"larr", 0x2190},
    {"rarr", 0x2192},   {"uarr", 0x2191},   {"darr", 0x2193},   {"hearts", 0x2665},
    {"spades", 0x2660}, {"clubs", 0x2663},  {"diams", 0x2666},  {"minus", 0x2212},
    {"infin", 0x221E},  {"prime", 0x2032},
}};

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool name_is(std::string_view name, std::initializer_list<std::string_view> names) {
  for (const std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

bool iequals_prefix(std::string_view s, std::size_t pos, std::string_view prefix) {
  if (s.size() - pos < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[pos + i])) != prefix[i]) return false;
  }
  return true;
}

// Line breaks a tag stands for: 2 = paragraph, 1 = line, 0 = inline (nothing), -1 = a space.
int tag_breaks(std::string_view name) {
  if (name_is(name, {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol",
                     "dl", "hr", "pre"})) {
    return 2;
  }
  if (name_is(name, {"br",     "div",     "tr",      "li",      "dd",     "dt",     "title", "form",
                     "center", "address", "section", "article", "header", "footer", "nav",   "body",
                     "html",   "head",    "option",  "caption", "tbody",  "thead",  "tfoot"})) {
    return 1;
  }
  if (name_is(name,
              {"a",    "abbr", "acronym", "b",     "basefont", "bdi",    "bdo",    "big", "cite",
               "code", "del",  "dfn",     "em",    "font",     "i",      "ins",    "kbd", "mark",
               "q",    "s",    "samp",    "small", "span",     "strike", "strong", "sub", "sup",
               "tt",   "u",    "var",     "wbr",   "nobr",     "blink",  "o:p"})) {
    return 0;
  }
  return -1;
}

// Collects text while collapsing whitespace the way a browser renders it.
class TextSink {
 public:
  void space() { pending_space_ = true; }
  void breaks(int n) {
    if (n > pending_breaks_) pending_breaks_ = n;
  }
  void text(std::string_view s) {
    for (const char c : s) {
      if (is_space(c)) {
        pending_space_ = true;
        continue;
      }
      if (!out_.empty()) {
        if (pending_breaks_ > 0) {
          out_.append(static_cast<std::size_t>(pending_breaks_), '\n');
        } else if (pending_space_) {
          out_.push_back(' ');
        }
      }
      pending_breaks_ = 0;
      pending_space_ = false;
      out_.push_back(c);
    }
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  bool pending_space_ = false;
  int pending_breaks_ = 0;
};

// Skips past the tag, comment or declaration at html[pos] == '<' and reports
// what it was; returns pos unchanged when the '<' is literal text.
struct TagInfo {
  std::size_t end = 0;  // index after the construct
  std::string name;     // lower-case; "" for comments and declarations
  bool closing = false;
};

TagInfo read_tag(std::string_view html, std::size_t pos) {
  TagInfo tag;
  tag.end = pos;
  const std::size_t n = html.size();
  if (pos + 1 >= n) return tag;
  if (html.compare(pos, 4, "<!--") == 0) {
    std::size_t close = html.find("-->", pos + 4);
    if (close != std::string_view::npos) {
      tag.end = close + 3;
    } else {  // unterminated comment: browsers end it at the next '>'
      close = html.find('>', pos + 4);
      tag.end = close == std::string_view::npos ? n : close + 1;
    }
    return tag;
  }
  std::size_t p = pos + 1;
  const char c = html[p];
  const bool declaration = c == '!' || c == '?';
  if (c == '/') {
    tag.closing = true;
    ++p;
  }
  if (!declaration) {
    if (p >= n || !std::isalpha(static_cast<unsigned char>(html[p]))) return tag;  // "a < b"
    while (p < n && (is_alnum(html[p]) || html[p] == ':')) {
      tag.name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(html[p]))));
      ++p;
    }
  }
  const std::size_t close = html.find('>', p);
  if (close == std::string_view::npos) {
    tag.name.clear();
    return tag;  // never closed: keep the '<' as text rather than drop the rest
  }
  tag.end = close + 1;
  return tag;
}

}  // namespace

std::size_t decode_html_entity(std::string_view html, std::size_t pos, std::string& out) {
  const std::size_t n = html.size();
  std::size_t p = pos + 1;
  if (p < n && html[p] == '#') {
    ++p;
    const bool hex = p < n && (html[p] == 'x' || html[p] == 'X');
    if (hex) ++p;
    const std::size_t digits_start = p;
    std::uint32_t value = 0;
    while (p < n && p - digits_start < 8 &&
           (hex ? std::isxdigit(static_cast<unsigned char>(html[p]))
                : std::isdigit(static_cast<unsigned char>(html[p])))) {
      const char d = static_cast<char>(std::tolower(static_cast<unsigned char>(html[p])));
      value =
          value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d <= '9' ? d - '0' : d - 'a' + 10);
      ++p;
    }
    if (p == digits_start) return 0;
    if (p < n && html[p] == ';') ++p;
    char32_t cp = value;
    if (value >= 0x80 && value < 0xA0) cp = cp1252_to_code_point(static_cast<unsigned char>(value));
    if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
      cp = kReplacementChar;
    append_utf8(out, cp);
    return p - pos;
  }
  while (p < n && p - pos <= 8 && is_alnum(html[p])) ++p;
  const std::string_view name = html.substr(pos + 1, p - pos - 1);
  if (name.empty()) return 0;
  char32_t cp = 0;
  for (std::size_t i = 0; i < kLatin1Names.size() && cp == 0; ++i) {
    if (kLatin1Names[i] == name) cp = static_cast<char32_t>(0xA0 + i);
  }
  for (std::size_t i = 0; i < kOtherNames.size() && cp == 0; ++i) {
    if (kOtherNames[i].name == name) cp = kOtherNames[i].cp;
  }
  if (cp == 0) return 0;
  if (p < n && html[p] == ';') ++p;
  append_utf8(out, cp);
  return p - pos;
}

std::string html_to_text(std::string_view html) {
  TextSink sink;
  const std::size_t n = html.size();
  std::size_t pos = 0;
  std::string entity;
  while (pos < n) {
    const std::size_t special = html.find_first_of("<&", pos);
    const std::size_t stop = special == std::string_view::npos ? n : special;
    sink.text(html.substr(pos, stop - pos));
    pos = stop;
    if (pos >= n) break;
    if (html[pos] == '&') {
      entity.clear();
      const std::size_t used = decode_html_entity(html, pos, entity);
      if (used == 0) {
        sink.text("&");
        ++pos;
      } else {
        if (entity == "\u00A0") {
          sink.space();  // &nbsp; separates words like a space does
        } else {
          sink.text(entity);
        }
        pos += used;
      }
      continue;
    }
    const TagInfo tag = read_tag(html, pos);
    if (tag.end == pos) {
      sink.text("<");
      ++pos;
      continue;
    }
    pos = tag.end;
    if (tag.name.empty()) continue;  // comment or declaration
    if (!tag.closing && (tag.name == "script" || tag.name == "style")) {
      // Raw text element: skip to its end tag (or the end of the document).
      std::size_t close = pos;
      const std::string end_tag = "</" + tag.name;
      while (close < n && !iequals_prefix(html, close, end_tag)) {
        close = html.find('<', close + 1);
        if (close == std::string_view::npos) close = n;
      }
      const std::size_t gt = close < n ? html.find('>', close) : std::string_view::npos;
      pos = gt == std::string_view::npos ? n : gt + 1;
      sink.space();
      continue;
    }
    const int breaks = tag_breaks(tag.name);
    if (breaks > 0) {
      sink.breaks(breaks);
    } else if (breaks < 0) {
      sink.space();
    }
  }
  return sink.take();
}

}  // namespace attn
