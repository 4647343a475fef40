#include "attn/data/kjv_rv1909.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <unordered_map>

#include "attn/core/error.h"
#include "attn/data/fetch_util.h"

namespace attn {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_tag_start(char c) { return c == '/' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A whole run of digits as a positive int, or nullopt.
std::optional<int> parse_int(std::string_view digits) {
  if (digits.empty() || digits.size() > 6) return std::nullopt;
  int n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n <= 0) return std::nullopt;
  return n;
}

// Length of the markup tag at s[pos] ('<' + a letter or '/' + up to 64 bytes
// without '<', '>' or a newline + '>'), or 0 when '<' does not open one.
std::size_t tag_length(std::string_view s, std::size_t pos) {
  if (s[pos] != '<' || pos + 1 >= s.size() || !is_tag_start(s[pos + 1])) return 0;
  for (std::size_t i = pos + 1; i < s.size() && i < pos + 66; ++i) {
    if (s[i] == '>') return i - pos + 1;
    if (s[i] == '<' || s[i] == '\n') return 0;
  }
  return 0;
}

// "<G5547>", "<H1234>": a Strong's number tag.
bool is_strongs(std::string_view tag) {
  if (tag.size() < 4 || (tag[1] != 'G' && tag[1] != 'H')) return false;
  return std::all_of(tag.begin() + 2, tag.end() - 1, [](char c) { return c >= '0' && c <= '9'; });
}

// One end of a range: "Book C:V" -> {"Book", C, V}.
struct Key {
  std::string book;
  int chapter = 0, verse = 0;
};

std::string key_string(std::string_view book, int chapter, int verse) {
  return fmt::format("{} {}:{}", book, chapter, verse);
}

// Parses "Book C:V" / "Book C:V-V2" / "Book C:V-C2:V2" into its first and last key.
std::optional<std::pair<Key, Key>> parse_range(std::string_view range) {
  const std::size_t space = range.rfind(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  Key first;
  first.book = range.substr(0, space);
  std::string_view rest = range.substr(space + 1);
  const std::size_t dash = rest.find('-');
  const std::string_view from = rest.substr(0, dash);
  const std::size_t colon = from.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto c = parse_int(from.substr(0, colon));
  const auto v = parse_int(from.substr(colon + 1));
  if (!c || !v) return std::nullopt;
  first.chapter = *c;
  first.verse = *v;
  Key last = first;
  if (dash != std::string_view::npos) {
    const std::string_view to = rest.substr(dash + 1);
    const std::size_t colon2 = to.find(':');
    if (colon2 == std::string_view::npos) {
      const auto v2 = parse_int(to);
      if (!v2) return std::nullopt;
      last.verse = *v2;
    } else {
      const auto c2 = parse_int(to.substr(0, colon2));
      const auto v2 = parse_int(to.substr(colon2 + 1));
      if (!c2 || !v2) return std::nullopt;
      last.chapter = *c2;
      last.verse = *v2;
    }
  }
  return std::make_pair(first, last);
}

// "2-1" -> {2, 1}.
std::optional<std::pair<std::size_t, std::size_t>> parse_kind(std::string_view kind) {
  const std::size_t dash = kind.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto a = parse_int(kind.substr(0, dash));
  const auto b = parse_int(kind.substr(dash + 1));
  if (!a || !b) return std::nullopt;
  return std::make_pair(static_cast<std::size_t>(*a), static_cast<std::size_t>(*b));
}

// Verse indices [first, last] of `range`, checked against `expected` verses in one book.
std::pair<std::size_t, std::size_t> resolve_range(
    const std::unordered_map<std::string, std::size_t>& index,
    const std::vector<ParallelVerse>& verses, const RealignEntry& e, std::string_view range,
    std::size_t expected, std::string_view side) {
  const auto r = parse_range(range);
  ATTN_CHECK(r.has_value(), "realign table line {}: malformed {} range '{}'", e.line, side, range);
  const auto& [a, b] = *r;
  const auto first = index.find(key_string(a.book, a.chapter, a.verse));
  const auto last = index.find(key_string(b.book, b.chapter, b.verse));
  ATTN_CHECK(first != index.end() && last != index.end(),
             "realign table line {}: {} range '{}' names a verse that does not exist", e.line, side,
             range);
  ATTN_CHECK(
      first->second <= last->second && verses[first->second].book == verses[last->second].book,
      "realign table line {}: {} range '{}' runs backwards or across books", e.line, side, range);
  const std::size_t n = last->second - first->second + 1;
  ATTN_CHECK(n == expected,
             "realign table line {}: {} range '{}' spans {} verses, its kind says {}", e.line, side,
             range, n, expected);
  return {first->second, last->second};
}

std::string join_texts(const std::vector<ParallelVerse>& verses, std::size_t first,
                       std::size_t last, bool english) {
  std::string out;
  for (std::size_t i = first; i <= last; ++i) {
    const std::string& t = english ? verses[i].en : verses[i].es;
    if (t.empty()) continue;
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

std::string ref_of(const std::vector<ParallelVerse>& verses, std::size_t first, std::size_t last) {
  const ParallelVerse& a = verses[first];
  if (first == last) return key_string(a.book, a.chapter, a.verse);
  const ParallelVerse& b = verses[last];
  if (a.chapter == b.chapter)
    return fmt::format("{}-{}", key_string(a.book, a.chapter, a.verse), b.verse);
  return fmt::format("{}-{}:{}", key_string(a.book, a.chapter, a.verse), b.chapter, b.verse);
}

}  // namespace

std::string clean_diatheke_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (const std::size_t n = tag_length(text, i); n > 0) {
      // A Strong's number follows the word it annotates: its leading space goes too.
      if (is_strongs(text.substr(i, n))) {
        while (!out.empty() && out.back() == ' ') out.pop_back();
      }
      i += n;
      continue;
    }
    if (is_space(text[i])) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += text[i];
    }
    ++i;
  }
  return std::string(trim(out));
}

std::vector<DiathekeVerse> parse_diatheke_output(std::string_view text) {
  std::vector<DiathekeVerse> verses;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  std::string raw;  // the current verse's uncleaned text, continuation lines included
  const auto finish = [&] {
    if (!verses.empty()) verses.back().text = clean_diatheke_text(raw);
  };
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    // diatheke ends its output with the module name in parentheses.
    if (line.front() == '(' && line.back() == ')' && line.find(' ') == std::string_view::npos) {
      continue;
    }
    // "Book C:V: text": book names hold no ':', so the first ':' ends the chapter.
    const std::size_t colon = line.find(':');
    const std::size_t space = colon == std::string_view::npos ? colon : line.rfind(' ', colon);
    const std::size_t colon2 = colon == std::string_view::npos ? colon : line.find(':', colon + 1);
    if (space != std::string_view::npos && space > 0 && colon2 != std::string_view::npos &&
        (colon2 + 1 == line.size() || line[colon2 + 1] == ' ')) {
      const auto chapter = parse_int(line.substr(space + 1, colon - space - 1));
      const auto verse = parse_int(line.substr(colon + 1, colon2 - colon - 1));
      if (chapter && verse) {
        finish();
        verses.push_back({std::string(line.substr(0, space)), *chapter, *verse, ""});
        raw = line.substr(colon2 + 1);
        continue;
      }
    }
    ATTN_CHECK(!verses.empty(),
               "diatheke output line {}: expected a key like 'Genesis 1:1: ' but got '{}'", line_no,
               shorten(line));
    raw += ' ';
    raw += line;
  }
  finish();
  return verses;
}

std::vector<ParallelVerse> align_by_key(const std::vector<BibleVerse>& en,
                                        const std::vector<DiathekeVerse>& es) {
  // Book boundaries by position: a book starts where its name changes.
  const auto starts = [](const auto& v) {
    std::vector<std::size_t> s;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i == 0 || v[i].book != v[i - 1].book) s.push_back(i);
    }
    s.push_back(v.size());
    return s;
  };
  const std::vector<std::size_t> en_books = starts(en), es_books = starts(es);
  ATTN_CHECK(en_books.size() == es_books.size(),
             "bible-kjv prints {} books but diatheke {}: cannot pair them by key",
             en_books.size() - 1, es_books.size() - 1);
  std::vector<ParallelVerse> out;
  out.reserve(en.size());
  for (std::size_t b = 0; b + 1 < en_books.size(); ++b) {
    std::size_t i = en_books[b], j = es_books[b];
    const std::size_t i_end = en_books[b + 1], j_end = es_books[b + 1];
    while (i < i_end || j < j_end) {
      // Compare one chapter at a time so that the message can name it.
      const int chapter = i < i_end ? en[i].chapter : es[j].chapter;
      std::size_t ni = 0, nj = 0;
      bool same = true;
      while (i + ni < i_end && en[i + ni].chapter == chapter) ++ni;
      while (j + nj < j_end && es[j + nj].chapter == chapter) ++nj;
      same = ni == nj && ni > 0;
      for (std::size_t k = 0; same && k < ni; ++k) same = en[i + k].verse == es[j + k].verse;
      ATTN_CHECK(same,
                 "verses differ in {} {} (bible-kjv book '{}'): bible-kjv has {} verses, "
                 "diatheke {}",
                 j < j_end ? es[j].book : es[j_end - 1].book, chapter,
                 i < i_end ? en[i].book : en[i_end - 1].book, ni, nj);
      for (std::size_t k = 0; k < ni; ++k) {
        out.push_back({es[j + k].book, chapter, es[j + k].verse, en[i + k].text, es[j + k].text});
      }
      i += ni;
      j += nj;
    }
  }
  return out;
}

std::vector<RealignEntry> parse_realign_table(std::string_view tsv) {
  std::vector<RealignEntry> table;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < tsv.size()) {
    std::size_t end = tsv.find('\n', pos);
    if (end == std::string_view::npos) end = tsv.size();
    std::string_view line = tsv.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    ++line_no;
    if (line_no == 1) {
      ATTN_CHECK(line == "kind\tenglish_verses\tspanish_verses",
                 "realign table line 1: expected the header "
                 "'kind<TAB>english_verses<TAB>spanish_verses' but got '{}'",
                 shorten(line));
      continue;
    }
    if (line.empty()) continue;
    const std::size_t t1 = line.find('\t');
    const std::size_t t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    ATTN_CHECK(t2 != std::string_view::npos && line.find('\t', t2 + 1) == std::string_view::npos,
               "realign table line {}: expected 3 tab-separated fields but got '{}'", line_no,
               shorten(line));
    const auto kind = parse_kind(line.substr(0, t1));
    ATTN_CHECK(kind.has_value(), "realign table line {}: kind '{}' is not like '2-1'", line_no,
               line.substr(0, t1));
    RealignEntry e;
    e.line = line_no;
    e.en_verses = kind->first;
    e.es_verses = kind->second;
    e.en_range = line.substr(t1 + 1, t2 - t1 - 1);
    e.es_range = line.substr(t2 + 1);
    ATTN_CHECK(parse_range(e.en_range) && parse_range(e.es_range),
               "realign table line {}: ranges '{}' and '{}' must look like 'Book C:V', "
               "'Book C:V-V2' or 'Book C:V-C2:V2'",
               line_no, e.en_range, e.es_range);
    table.push_back(std::move(e));
  }
  return table;
}

RealignResult realign_verses(const std::vector<ParallelVerse>& verses,
                             const std::vector<RealignEntry>& table) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < verses.size(); ++i) {
    index.emplace(key_string(verses[i].book, verses[i].chapter, verses[i].verse), i);
  }
  // For each verse, the index of the table row that lists it (kNone: none), per side.
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> en_row(verses.size(), kNone), es_row(verses.size(), kNone);
  struct Span {
    std::size_t en_first, en_last, es_first, es_last;
  };
  std::vector<Span> spans;
  for (std::size_t r = 0; r < table.size(); ++r) {
    const RealignEntry& e = table[r];
    const auto [ea, eb] = resolve_range(index, verses, e, e.en_range, e.en_verses, "English");
    const auto [sa, sb] = resolve_range(index, verses, e, e.es_range, e.es_verses, "Spanish");
    for (std::size_t i = ea; i <= eb; ++i) {
      ATTN_CHECK(en_row[i] == kNone,
                 "realign table line {}: English {} is already listed on line {}", e.line,
                 ref_of(verses, i, i), en_row[i] == kNone ? 0 : table[en_row[i]].line);
      en_row[i] = r;
    }
    for (std::size_t i = sa; i <= sb; ++i) {
      ATTN_CHECK(es_row[i] == kNone,
                 "realign table line {}: Spanish {} is already listed on line {}", e.line,
                 ref_of(verses, i, i), es_row[i] == kNone ? 0 : table[es_row[i]].line);
      es_row[i] = r;
    }
    spans.push_back({ea, eb, sa, sb});
  }

  RealignResult result;
  result.realigned = table.size();
  std::vector<bool> es_used(verses.size(), false);
  for (std::size_t i = 0; i < verses.size(); ++i) {
    if (en_row[i] == kNone) {
      const std::string ref = ref_of(verses, i, i);
      ATTN_CHECK(es_row[i] == kNone,
                 "Spanish {} is paired on realign table line {}, but English {} has no row", ref,
                 es_row[i] == kNone ? 0 : table[es_row[i]].line, ref);
      ATTN_CHECK(!verses[i].es.empty(),
                 "Spanish {} is empty and English {} has no realign table row", ref, ref);
      es_used[i] = true;
      result.pairs.push_back({verses[i].book, ref, verses[i].en, verses[i].es});
      continue;
    }
    const Span& s = spans[en_row[i]];
    if (i != s.en_first) continue;  // the row was written at its first English verse
    VersePair p{verses[i].book, ref_of(verses, s.en_first, s.en_last),
                join_texts(verses, s.en_first, s.en_last, true),
                join_texts(verses, s.es_first, s.es_last, false)};
    ATTN_CHECK(!p.es.empty(), "realign table line {}: Spanish {} is empty", table[en_row[i]].line,
               table[en_row[i]].es_range);
    for (std::size_t k = s.es_first; k <= s.es_last; ++k) es_used[k] = true;
    result.pairs.push_back(std::move(p));
  }
  // What is left are Spanish keys whose English verse moved elsewhere: their
  // text must already sit in a neighbouring pair.
  for (std::size_t i = 0; i < verses.size(); ++i) {
    if (es_used[i]) continue;
    ATTN_CHECK(verses[i].es.empty(),
               "Spanish {} holds text ('{}') but no pair uses it: the realign table must list it",
               ref_of(verses, i, i), shorten(verses[i].es));
    ++result.absorbed;
  }
  return result;
}

Split kjv_rv1909_split_for_book(std::string_view book) {
  if (book == "Mark" || book == "Jonah" || book == "Jude") return Split::kTest;
  if (book == "Ruth" || book == "Titus" || book == "Philemon") return Split::kValid;
  return Split::kTrain;
}

}  // namespace attn
