#include "attn/data/kjv.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>

#include "attn/core/error.h"
#include "attn/data/fetch_util.h"
#include "attn/data/spamassassin.h"
#include "attn/data/utf8.h"

namespace attn {
namespace {

namespace fs = std::filesystem;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Length of the reference at the start of `line` ("1Sm3:4", "SSol1:1"), or 0
// when the line does not start with one. Book names are an optional leading
// digit and letters; only a digit run, ':' and a digit run complete it.
std::size_t reference_length(std::string_view line) {
  std::size_t i = 0;
  if (i < line.size() && line[i] >= '1' && line[i] <= '3') ++i;
  const std::size_t book = i;
  while (i < line.size() && is_letter(line[i])) ++i;
  if (i == book) return 0;
  const std::size_t chapter = i;
  while (i < line.size() && is_digit(line[i])) ++i;
  if (i == chapter || i == line.size() || line[i] != ':') return 0;
  const std::size_t verse = ++i;
  while (i < line.size() && is_digit(line[i])) ++i;
  if (i == verse) return 0;
  // The reference must end the line or be followed by a space; "Ge1:1x" is text.
  if (i < line.size() && !is_space(line[i])) return 0;
  return i;
}

int parse_number(std::string_view digits, std::string_view ref) {
  int n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  ATTN_CHECK(ec == std::errc() && end == digits.data() + digits.size(),
             "bible output: number '{}' in reference '{}' is out of range", digits, ref);
  return n;
}

// "1Sm3:4" (as accepted by reference_length) -> book "1Sm", chapter 3, verse 4.
BibleVerse split_reference(std::string_view ref) {
  const std::size_t colon = ref.find(':');
  std::size_t digits = colon;
  while (digits > 0 && is_digit(ref[digits - 1])) --digits;
  BibleVerse v;
  v.book = ref.substr(0, digits);
  v.chapter = parse_number(ref.substr(digits, colon - digits), ref);
  v.verse = parse_number(ref.substr(colon + 1), ref);
  return v;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

std::string join_lines(const std::vector<std::string>& verses) {
  std::string text;
  for (const std::string& v : verses) {
    // A newline inside a verse would silently shift every later line.
    ATTN_CHECK(v.find('\n') == std::string::npos, "verse '{}' contains a newline", shorten(v));
    text += v;
    text.push_back('\n');
  }
  return text;
}

nlohmann::ordered_json stats_json(const TextSplitStats& s) {
  nlohmann::ordered_json j;
  j["verses"] = s.verses;
  j["chars"] = s.chars;
  j["bytes"] = s.bytes;
  return j;
}

std::string readme_text(const KjvStats& stats) {
  std::ostringstream os;
  os << "The King James Bible (Authorized Version), from Debian's bible-kjv package:\n"
     << "`bible -f \"" << kKjvRange << "\"`, verse references stripped, one verse per line.\n"
     << "Canonical order; the first 90 % of verses (rounded down) are train.txt, the next\n"
     << "5 % valid.txt, the rest test.txt. Written by `attn data fetch kjv`.\n\n";
  print_kjv_stats(stats, os);
  os << "(chars count one newline per verse; stats.json has the same numbers)\n";
  return os.str();
}

// The output of `program -f "Gen1:1-Rev22:21"`.
std::string run_bible(const std::string& program, const fs::path& stderr_file) {
  const std::string command = shell_quote(program) + " -f " + shell_quote(kKjvRange);
  return capture_output({command, program, "bible-kjv"}, stderr_file);
}

}  // namespace

std::vector<BibleVerse> parse_bible_verses(std::string_view text) {
  std::vector<BibleVerse> verses;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim_right(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    const std::size_t ref = reference_length(line);
    if (ref > 0) {
      const std::string_view body = trim_left(line.substr(ref));
      ATTN_CHECK(!body.empty(), "bible output line {}: reference '{}' has no verse text", line_no,
                 line.substr(0, ref));
      verses.push_back(split_reference(line.substr(0, ref)));
      verses.back().text = body;
      continue;
    }
    ATTN_CHECK(!verses.empty(),
               "bible output line {}: expected a verse reference like 'Ge1:1 ' but got '{}' "
               "(was `bible` run without -f?)",
               line_no, shorten(line));
    // A wrapped continuation of the previous verse.
    verses.back().text += ' ';
    verses.back().text += trim_left(line);
  }
  return verses;
}

std::vector<std::string> parse_bible_output(std::string_view text) {
  std::vector<std::string> texts;
  for (BibleVerse& v : parse_bible_verses(text)) texts.push_back(std::move(v.text));
  return texts;
}

std::array<std::size_t, 3> kjv_split_sizes(std::size_t n) {
  const std::size_t train = n / 10 * 9 + n % 10 * 9 / 10;  // floor(0.9 n) without overflow
  const std::size_t valid = n / 20;                        // floor(0.05 n)
  return {train, valid, n - train - valid};
}

TextSplitStats text_split_stats(const std::vector<std::string>& verses) {
  TextSplitStats s;
  s.verses = verses.size();
  for (const std::string& v : verses) {
    for_each_code_point(v, [&](char32_t, std::string_view) { ++s.chars; });
    s.bytes += v.size() + 1;
  }
  s.chars += verses.size();  // the newlines
  return s;
}

KjvStats write_kjv_splits(const std::vector<std::string>& verses, const fs::path& out_dir,
                          std::ostream& log) {
  ATTN_CHECK(!verses.empty(), "no verses to write into {}", out_dir.string());
  make_dirs(out_dir);
  const std::array<std::size_t, 3> sizes = kjv_split_sizes(verses.size());
  const std::array<std::size_t, 4> bounds = {0, sizes[0], sizes[0] + sizes[1], verses.size()};

  KjvStats stats;
  std::set<char32_t> symbols;
  for (const Split split : {Split::kTrain, Split::kValid, Split::kTest}) {
    const auto k = static_cast<std::size_t>(split);
    const std::vector<std::string> part(
        verses.begin() + static_cast<std::ptrdiff_t>(bounds[k]),
        verses.begin() + static_cast<std::ptrdiff_t>(bounds[k + 1]));
    const std::string text = join_lines(part);
    for_each_code_point(text, [&](char32_t cp, std::string_view) { symbols.insert(cp); });
    TextSplitStats& s = split == Split::kTrain   ? stats.train
                        : split == Split::kValid ? stats.valid
                                                 : stats.test;
    s = text_split_stats(part);
    write_atomically(out_dir / (std::string(split_name(split)) + ".txt"), text);
  }
  stats.symbols = symbols.size();

  nlohmann::ordered_json j;
  j["source"] = fmt::format("bible-kjv: bible -f \"{}\"", kKjvRange);
  j["train"] = stats_json(stats.train);
  j["valid"] = stats_json(stats.valid);
  j["test"] = stats_json(stats.test);
  j["symbols"] = stats.symbols;
  write_atomically(out_dir / "stats.json", j.dump(2) + "\n");
  write_atomically(out_dir / "README", readme_text(stats));
  log << "wrote " << verses.size() << " verses to " << out_dir.string() << "\n";
  print_kjv_stats(stats, log);
  return stats;
}

KjvStats fetch_kjv(const fs::path& out_dir, std::ostream& log, const std::string& program) {
  try {
    // Created first, so an unwritable --out is reported before the program runs.
    make_dirs(out_dir);
    std::string text = run_bible(program, out_dir / ".bible-stderr.tmp");
    const std::size_t replaced = sanitize_utf8(text);
    if (replaced > 0) log << "replaced " << replaced << " invalid UTF-8 sequences by U+FFFD\n";
    const std::vector<std::string> verses = parse_bible_output(text);
    ATTN_CHECK(verses.size() == kKjvVerses,
               "`{} -f \"{}\"` printed {} verses, expected {} (another bible-kjv version?)",
               program, kKjvRange, verses.size(), kKjvVerses);
    return write_kjv_splits(verses, out_dir, log);
  } catch (const fs::filesystem_error& e) {
    fail("fetching the King James Bible into {}: {}", out_dir.string(), e.what());
  }
}

void print_kjv_stats(const KjvStats& stats, std::ostream& os) {
  for (const Split split : {Split::kTrain, Split::kValid, Split::kTest}) {
    const TextSplitStats& s = split == Split::kTrain   ? stats.train
                              : split == Split::kValid ? stats.valid
                                                       : stats.test;
    os << split_name(split) << ": " << s.verses << " verses, " << s.chars << " chars\n";
  }
  os << "symbols: " << stats.symbols << " (including newline)\n";
}

}  // namespace attn
