#include "attn/data/mime.h"

#include <array>
#include <cctype>
#include <cstdint>

#include "attn/data/charset.h"

namespace attn {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool blank(std::string_view s) { return trim(s).empty(); }

// The line starting at `pos` (without its '\n') and the start of the next line.
std::pair<std::string_view, std::size_t> line_at(std::string_view text, std::size_t pos) {
  const std::size_t nl = text.find('\n', pos);
  if (nl == std::string_view::npos) return {text.substr(pos), text.size()};
  return {text.substr(pos, nl - pos), nl + 1};
}

// Length of the header name when `line` looks like "Name: value", else 0.
std::size_t header_name_length(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c == ':') return i;
    if (c <= 32 || c >= 127) return 0;
  }
  return 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::array<signed char, 256> make_base64_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  return t;
}
constexpr std::array<signed char, 256> kBase64 = make_base64_table();

// One piece of a header value: literal text, or an encoded-word's decoded bytes.
struct HeaderPiece {
  bool encoded = false;
  std::string charset;
  std::string bytes;
};

// Tries to read "=?charset?X?text?=" at `pos`; on success fills `piece` and returns the end.
std::size_t read_encoded_word(std::string_view s, std::size_t pos, HeaderPiece& piece) {
  if (s.compare(pos, 2, "=?") != 0) return 0;
  const std::size_t q1 = s.find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 == pos + 2 || q1 + 2 >= s.size() || s[q1 + 2] != '?') {
    return 0;
  }
  const std::string_view charset = s.substr(pos + 2, q1 - pos - 2);
  for (const char c : charset) {
    if (is_ws(c)) return 0;
  }
  const char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(s[q1 + 1])));
  if (enc != 'B' && enc != 'Q') return 0;
  const std::size_t text_start = q1 + 3;
  const std::size_t end = s.find("?=", text_start);
  if (end == std::string_view::npos) return 0;
  const std::string_view text = s.substr(text_start, end - text_start);
  piece.encoded = true;
  piece.charset = normalize_charset(charset);
  piece.bytes = enc == 'B' ? decode_base64(text) : decode_quoted_printable(text, true);
  return end + 2;
}

}  // namespace

MimeEntity split_entity(std::string_view text) {
  MimeEntity entity;
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    const auto [line, next] = line_at(text, pos);
    if (blank(line)) {  // the separator; body follows it
      entity.body = text.substr(next);
      return entity;
    }
    const bool continuation = line.front() == ' ' || line.front() == '\t';
    if (continuation && !entity.headers.empty()) {
      std::string& v = entity.headers.back().value;
      if (!v.empty()) v.push_back(' ');
      v.append(trim(line));
    } else if (const std::size_t n = header_name_length(line); n > 0 && !continuation) {
      entity.headers.push_back({lower(line.substr(0, n)), std::string(trim(line.substr(n + 1)))});
    } else if (first && line.starts_with("From ")) {
      // mbox envelope line ("From sender date"): not a header, skip it.
    } else {
      entity.body = text.substr(pos);  // no blank line: body starts at the first non-header
      return entity;
    }
    first = false;
    pos = next;
  }
  entity.body = text.substr(text.size());
  return entity;
}

std::string_view find_header(const std::vector<MimeHeader>& headers, std::string_view name) {
  for (const MimeHeader& h : headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

ContentType parse_content_type(std::string_view value) {
  ContentType ct;
  std::size_t pos = 0;
  const std::size_t type_end = value.find_first_of("; \t", 0);
  const std::string_view full = trim(value.substr(0, type_end));
  const std::size_t slash = full.find('/');
  ct.type = lower(trim(full.substr(0, slash)));
  if (slash != std::string_view::npos) ct.subtype = lower(trim(full.substr(slash + 1)));
  pos = type_end;
  while (pos != std::string_view::npos && pos < value.size()) {
    while (pos < value.size() && (value[pos] == ';' || is_ws(value[pos]))) ++pos;
    const std::size_t eq = value.find('=', pos);
    if (eq == std::string_view::npos) break;
    const std::string name = lower(trim(value.substr(pos, eq - pos)));
    std::size_t p = eq + 1;
    while (p < value.size() && is_ws(value[p])) ++p;
    std::string v;
    if (p < value.size() && value[p] == '"') {
      for (++p; p < value.size() && value[p] != '"'; ++p) {
        if (value[p] == '\\' && p + 1 < value.size()) ++p;
        v.push_back(value[p]);
      }
      if (p < value.size()) ++p;  // closing quote
    } else {
      const std::size_t end = value.find(';', p);
      v = std::string(trim(value.substr(p, end == std::string_view::npos ? end : end - p)));
      p = end == std::string_view::npos ? value.size() : end;
    }
    if (!name.empty() && ct.params.count(name) == 0) ct.params[name] = v;
    pos = value.find(';', p);
  }
  return ct;
}

std::string decode_quoted_printable(std::string_view s, bool underscore_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_' && underscore_is_space) {
      out.push_back(' ');
    } else if (c != '=') {
      out.push_back(c);
    } else if (i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      // Soft line break: '=' then optional trailing blanks then end of line.
      std::size_t j = i + 1;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
      if (j < s.size() && s[j] == '\n') {
        i = j;
      } else if (j == s.size()) {
        i = j - 1;
      } else {
        out.push_back('=');  // stray '=': keep it literally
      }
    }
  }
  return out;
}

std::string decode_base64(std::string_view s) {
  std::string out;
  out.reserve(s.size() / 4 * 3 + 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : s) {
    if (c == '=') {  // padding closes the quantum; leftover bits are dropped
      acc = 0;
      bits = 0;
      continue;
    }
    const int v = kBase64[static_cast<unsigned char>(c)];
    if (v < 0) continue;  // line breaks and junk
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
      acc &= (1u << bits) - 1;
    }
  }
  return out;
}

std::string decode_transfer_encoding(std::string_view body, std::string_view encoding) {
  const std::string enc = lower(trim(encoding));
  if (enc == "base64") return decode_base64(body);
  if (enc == "quoted-printable") return decode_quoted_printable(body);
  return std::string(body);
}

std::string decode_rfc2047(std::string_view value, std::size_t* replaced) {
  std::vector<HeaderPiece> pieces;
  std::size_t pos = 0;
  std::size_t literal_start = 0;
  while (pos < value.size()) {
    HeaderPiece word;
    const std::size_t end = value[pos] == '=' ? read_encoded_word(value, pos, word) : 0;
    if (end == 0) {
      ++pos;
      continue;
    }
    if (pos > literal_start) {
      pieces.push_back({false, "", std::string(value.substr(literal_start, pos - literal_start))});
    }
    pieces.push_back(std::move(word));
    pos = literal_start = end;
  }
  if (literal_start < value.size())
    pieces.push_back({false, "", std::string(value.substr(literal_start))});

  std::string out;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    HeaderPiece& p = pieces[i];
    if (!p.encoded) {
      const bool between_words = i > 0 && i + 1 < pieces.size() && pieces[i - 1].encoded &&
                                 pieces[i + 1].encoded && blank(p.bytes);
      if (!between_words) out += to_utf8(p.bytes, "", replaced);
      continue;
    }
    // Join adjacent words in one charset before converting: senders split
    // multibyte characters across encoded-words.
    std::string bytes = p.bytes;
    std::size_t j = i + 1;
    while (j < pieces.size()) {
      if (pieces[j].encoded && pieces[j].charset == p.charset) {
        bytes += pieces[j].bytes;
        ++j;
      } else if (!pieces[j].encoded && blank(pieces[j].bytes) && j + 1 < pieces.size() &&
                 pieces[j + 1].encoded && pieces[j + 1].charset == p.charset) {
        ++j;
      } else {
        break;
      }
    }
    out += to_utf8(bytes, p.charset, replaced);
    i = j - 1;
  }
  return out;
}

std::vector<std::string_view> split_multipart(std::string_view body, std::string_view boundary) {
  std::vector<std::string_view> parts;
  if (boundary.empty()) return parts;
  std::size_t pos = 0;
  std::size_t part_start = std::string_view::npos;  // npos: still in the preamble
  while (pos < body.size()) {
    const auto [line, next] = line_at(body, pos);
    if (line.size() >= boundary.size() + 2 && line.starts_with("--") &&
        line.substr(2, boundary.size()) == boundary) {
      std::string_view rest = trim(line.substr(boundary.size() + 2));
      const bool closing = rest == "--";
      if (rest.empty() || closing) {
        if (part_start != std::string_view::npos) {
          // The line break before a delimiter belongs to the delimiter.
          const std::size_t end = pos > part_start ? pos - 1 : part_start;
          parts.push_back(body.substr(part_start, end - part_start));
        }
        if (closing) return parts;
        part_start = next;
      }
    }
    pos = next;
  }
  if (part_start != std::string_view::npos && part_start <= body.size()) {
    parts.push_back(body.substr(part_start));
  }
  return parts;
}

std::string guess_boundary(std::string_view body) {
  std::size_t pos = 0;
  while (pos < body.size()) {
    const auto [line, next] = line_at(body, pos);
    const std::string_view t = trim(line);
    if (t.size() > 2 && t.starts_with("--")) return std::string(t.substr(2));
    pos = next;
  }
  return "";
}

}  // namespace attn
