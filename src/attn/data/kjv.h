#pragma once
// The King James Bible as plain-text splits, the decoder LM's default data set
// (DESIGN.md). Source: Debian's bible-kjv package (4.38), whose `bible -f
// "Gen1:1-Rev22:21"` prints all 31,102 verses, one per line, each preceded by
// its reference ("Ge1:1 ", "SSol1:1 ", "1Sm3:4 ", "Rev22:21 "). The verses
// stay in canonical order; the first 90 % (rounded down) are train, the next
// 5 % valid, the rest test: 27,991 / 1,555 / 1,556 verses and 3,761,636 /
// 177,092 / 199,121 characters (counting each verse's newline), 63 symbols
// including '\n'.
#include <array>
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

inline constexpr std::size_t kKjvVerses = 31102;
// The verse range handed to `bible`: the whole book, Genesis 1:1 to Revelation 22:21.
inline constexpr std::string_view kKjvRange = "Gen1:1-Rev22:21";

// One verse of `bible -f` output: its reference split into the book's
// abbreviation as the package prints it ("Ge", "1Sm", "Jonah"), chapter and
// verse, and the verse text.
struct BibleVerse {
  std::string book;
  int chapter = 0;
  int verse = 0;
  std::string text;
};

// Turns the output of `bible -f RANGE` into verse texts, in order. Each line
// that starts with a reference (optional 1-3, letters, chapter:verse, space)
// begins a verse; the reference and the following spaces are dropped, and
// trailing whitespace is trimmed (Mark 10:19 ends in a space in the package
// text). A non-empty line without a reference continues the previous verse,
// joined by one space (what `bible -l N` wrapping produces); blank lines are
// skipped. Spaces inside a verse are kept as they are (Joshua 7:2 and
// Revelation 19:3 hold a double space). Throws attn::Error naming the line
// when text comes before the first reference (e.g. pretty-printed output of
// `bible` without -f) or a reference has no verse text.
std::vector<std::string> parse_bible_output(std::string_view text);
// The same parse, keeping each verse's reference.
std::vector<BibleVerse> parse_bible_verses(std::string_view text);

// {train, valid, test} sizes for n verses: floor(0.9 n), floor(0.05 n) and the rest.
std::array<std::size_t, 3> kjv_split_sizes(std::size_t n);

// Counts of one split as written: `chars` are Unicode code points including
// one '\n' per verse, `bytes` the UTF-8 size of the file.
struct TextSplitStats {
  std::size_t verses = 0;
  std::size_t chars = 0;
  std::size_t bytes = 0;
};

struct KjvStats {
  TextSplitStats train, valid, test;
  std::size_t symbols = 0;  // distinct code points over all splits, '\n' included
};

// Counts for `verses` written one per line.
TextSplitStats text_split_stats(const std::vector<std::string>& verses);

// Splits `verses` in order with kjv_split_sizes and writes train.txt,
// valid.txt and test.txt (one verse per line, UTF-8), stats.json (the counts)
// and README into out_dir; each file is written to "<name>.tmp" and renamed
// into place, so a failed run never leaves a half-written split. Throws
// attn::Error naming the path when out_dir cannot be created or written.
KjvStats write_kjv_splits(const std::vector<std::string>& verses,
                          const std::filesystem::path& out_dir, std::ostream& log);

// Creates out_dir, runs `<program> -f "Gen1:1-Rev22:21"`, parses its output,
// checks that it holds kKjvVerses verses and runs write_kjv_splits. `program`
// is a command name for /bin/sh (tests pass a missing one). Throws
// attn::Error when the program is missing ("install Debian's bible-kjv
// (apt-get install bible-kjv)"), fails, or prints another number of verses.
KjvStats fetch_kjv(const std::filesystem::path& out_dir, std::ostream& log,
                   const std::string& program = "bible");

// "train: 27991 verses, 3761636 chars" etc., one line per split, then the symbols.
void print_kjv_stats(const KjvStats& stats, std::ostream& os);

}  // namespace attn
