#pragma once
// KJV English -> Reina-Valera 1909 Spanish verse pairs, the encoder-decoder's
// translation data set (DESIGN.md). English: Debian's bible-kjv (`bible -f
// "Gen1:1-Rev22:21"`); Spanish: Debian's sword-text-sparv read with
// `diatheke -b spaRV1909eb -f plain -k "Gen 1:1-Rev 22:21"`. Both print 31,102
// verses under the same book/chapter/verse keys, but in 15 places the Spanish
// module keeps the Hebrew numbering under KJV keys (Spanish "Jonah 2:1" is KJV
// Jonah 1:17). data_tables/kjv-rv1909/realign.tsv lists the 193 hand-checked
// pairs that differ from pairing by key; applying it gives 31,080 pairs, split
// by whole books: test = Mark, Jonah, Jude (750), valid = Ruth, Titus,
// Philemon (156), train = the other 60 books (30,174).
//
// This header's first half is pure functions over strings (parsing, cleaning,
// alignment), testable without the packages; the second half runs them.
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "attn/data/kjv.h"
#include "attn/data/spamassassin.h"

namespace attn {

inline constexpr std::size_t kKjvRv1909Pairs = 31080;
inline constexpr std::string_view kRv1909Module = "spaRV1909eb";
// diatheke's spelling of the whole-Bible range.
inline constexpr std::string_view kDiathekeRange = "Gen 1:1-Rev 22:21";

// One verse of `diatheke -f plain` output, the book named as diatheke prints
// it ("I Samuel", "Revelation of John").
struct DiathekeVerse {
  std::string book;
  int chapter = 0;
  int verse = 0;
  std::string text;  // cleaned by clean_diatheke_text; empty for an empty key
};

// Removes markup left in diatheke's plain output: Strong's numbers ("<G5547>",
// "<H1234>") together with the spaces before them (so "Jesucristo <G5547>, y"
// becomes "Jesucristo, y"), and any other <...> tag; then turns each run of
// whitespace into one space and trims both ends.
std::string clean_diatheke_text(std::string_view text);

// Parses `diatheke -f plain` output: each line "Book C:V: text" starts a verse
// (the text may be empty); a line "(module)" (diatheke's last line) is
// skipped; any other non-empty line continues the previous verse. Texts are
// cleaned with clean_diatheke_text. Throws attn::Error naming the line when
// text comes before the first key or a key's numbers are malformed.
std::vector<DiathekeVerse> parse_diatheke_output(std::string_view text);

// One key with both texts, named with diatheke's book names.
struct ParallelVerse {
  std::string book;
  int chapter = 0;
  int verse = 0;
  std::string en, es;
};

// Pairs the two sides by key. Books are matched by order (bible-kjv prints
// "Ge", diatheke "Genesis"); every book must have the same chapters with the
// same verse numbers on both sides. Throws attn::Error naming the first book
// and chapter whose verses differ, or the book counts when they differ.
std::vector<ParallelVerse> align_by_key(const std::vector<BibleVerse>& en,
                                        const std::vector<DiathekeVerse>& es);

// One row of realign.tsv: `en_verses` English verses pair with `es_verses`
// Spanish ones; the ranges are "Book C:V", "Book C:V-V2" or "Book C:V-C2:V2".
struct RealignEntry {
  std::size_t line = 0;  // 1-based line in the table, for messages
  std::size_t en_verses = 0, es_verses = 0;
  std::string en_range, es_range;
};

// Parses the table (header "kind<TAB>english_verses<TAB>spanish_verses", then
// rows "N-M<TAB>range<TAB>range"). Throws attn::Error with the line number on a
// malformed row.
std::vector<RealignEntry> parse_realign_table(std::string_view tsv);

// One training pair; `ref` is the English reference ("Jonah 1:17",
// "Job 39:27-40:5"), `book` its book.
struct VersePair {
  std::string book;
  std::string ref;
  std::string en, es;
};

struct RealignResult {
  std::vector<VersePair> pairs;  // in canonical English order
  std::size_t absorbed = 0;      // empty Spanish keys whose text a listed pair holds
  std::size_t realigned = 0;     // table rows applied
};

// Applies the table: a listed entry's English verses (joined by spaces) pair
// with its Spanish verses; every other English verse pairs with the Spanish
// verse of the same key. Throws attn::Error (naming the table line or the
// verse) when a range names an unknown key or spans another number of verses
// than its kind says, a verse is listed twice, a key-paired Spanish verse is
// listed elsewhere or empty, or a Spanish verse with text ends up in no pair.
RealignResult realign_verses(const std::vector<ParallelVerse>& verses,
                             const std::vector<RealignEntry>& table);

// Test = Mark, Jonah, Jude; valid = Ruth, Titus, Philemon; train = the rest.
Split kjv_rv1909_split_for_book(std::string_view book);
// The test books in canonical order, for the per-book test files.
inline constexpr std::string_view kKjvRv1909TestBooks[] = {"Jonah", "Mark", "Jude"};

struct KjvRv1909Stats {
  std::size_t train = 0, valid = 0, test = 0;
  std::map<std::string, std::size_t> test_books;  // pairs per test book
  std::size_t realigned = 0;                      // table rows applied
  std::size_t absorbed = 0;
};

// Writes into out_dir: train.tsv, valid.tsv, test.tsv ("english<TAB>spanish"
// per line), valid.en.txt/valid.es.txt, test.en.txt/test.es.txt,
// test.BOOK.en.txt/test.BOOK.es.txt per test book, stats.json and README, each
// through "<name>.tmp" and a rename. Throws attn::Error when a text holds a
// tab or newline, or a file cannot be written.
KjvRv1909Stats write_kjv_rv1909(const RealignResult& aligned, const std::filesystem::path& out_dir,
                                std::ostream& log);

// Runs `<bible> -f "Gen1:1-Rev22:21"` and `<diatheke> -b spaRV1909eb -f plain
// -k "Gen 1:1-Rev 22:21"`, aligns them, applies the built-in realign table and
// writes the splits. The programs are command names for /bin/sh (tests pass
// missing ones). Throws attn::Error naming the Debian package to install when
// a program or the module is missing, and when the counts differ from 31,102
// verses or 31,080 pairs.
KjvRv1909Stats fetch_kjv_rv1909(const std::filesystem::path& out_dir, std::ostream& log,
                                const std::string& bible = "bible",
                                const std::string& diatheke = "diatheke");

// "train: 30174 pairs" etc., one line per split, then the test books.
void print_kjv_rv1909_stats(const KjvRv1909Stats& stats, std::ostream& os);

}  // namespace attn
