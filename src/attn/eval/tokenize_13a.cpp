#include "attn/eval/tokenize_13a.h"

#include "attn/eval/text_split.h"

namespace attn {
namespace {

// Every occurrence of `from` replaced by `to`, scanning left to right over the
// input (text produced by a replacement is not scanned again), as str.replace.
std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (true) {
    const std::size_t j = s.find(from, i);
    if (j == std::string_view::npos) break;
    out.append(s.substr(i, j - i)).append(to);
    i = j + from.size();
  }
  out.append(s.substr(i));
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_period_or_comma(char c) { return c == '.' || c == ','; }

// The symbol class of rule 3a: ranges space..&, (..+, /, :..@, [..`, {..~.
bool is_padded_symbol(char c) {
  return (c >= ' ' && c <= '&') || (c >= '(' && c <= '+') || c == '/' || (c >= ':' && c <= '@') ||
         (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

// Rules 3b-3d match two characters: a left class and a right class. The scan
// emulates re.sub: at each position try the pair; on a match emit the rewrite
// and jump past both characters, else copy one byte. Working on bytes gives the
// same result as on code points because both classes are ASCII or "not an
// ASCII digit", and a UTF-8 continuation byte is never an ASCII character.
template <typename Left, typename Right, typename Emit>
std::string rewrite_pairs(const std::string& s, Left left, Right right, Emit emit) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 1 < s.size() && left(s[i]) && right(s[i + 1])) {
      emit(out, s[i], s[i + 1]);
      i += 2;
    } else {
      out.push_back(s[i]);
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string tokenize_13a(std::string_view line) {
  std::string s = replace_all(line, "<skipped>", "");
  s = replace_all(s, "-\n", "");
  s = replace_all(s, "\n", " ");
  if (s.find('&') != std::string::npos) {
    s = replace_all(s, "&quot;", "\"");
    s = replace_all(s, "&amp;", "&");
    s = replace_all(s, "&lt;", "<");
    s = replace_all(s, "&gt;", ">");
  }

  // 3a: pad symbols (single-character matches, so a plain map).
  std::string padded = " ";
  padded.reserve(s.size() * 2 + 2);
  for (char c : s) {
    if (is_padded_symbol(c)) {
      padded.push_back(' ');
      padded.push_back(c);
      padded.push_back(' ');
    } else {
      padded.push_back(c);
    }
  }
  padded.push_back(' ');

  const auto not_digit = [](char c) { return !is_digit(c); };
  // 3b: "x." -> "x . " for a non-digit x.
  s = rewrite_pairs(padded, not_digit, is_period_or_comma, [](std::string& o, char a, char b) {
    o.push_back(a);
    o.push_back(' ');
    o.push_back(b);
    o.push_back(' ');
  });
  // 3c: ".x" -> " . x" for a non-digit x.
  s = rewrite_pairs(s, is_period_or_comma, not_digit, [](std::string& o, char a, char b) {
    o.push_back(' ');
    o.push_back(a);
    o.push_back(' ');
    o.push_back(b);
  });
  // 3d: "9-" -> "9 - ".
  s = rewrite_pairs(
      s, is_digit, [](char c) { return c == '-'; },
      [](std::string& o, char a, char b) {
        o.push_back(a);
        o.push_back(' ');
        o.push_back(b);
        o.push_back(' ');
      });

  std::string out;
  out.reserve(s.size());
  for (std::string_view tok : split_whitespace(s)) {
    if (!out.empty()) out.push_back(' ');
    out.append(tok);
  }
  return out;
}

}  // namespace attn
