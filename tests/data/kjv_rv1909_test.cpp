// KJV -> RV1909 pairs: cleaning and parsing diatheke output (excerpts copied
// from sword-text-sparv 1.0 as diatheke prints them), pairing by key, each
// kind of realign row on a small hand-made Bible, the errors, and the real
// fetch, which needs Debian's bible-kjv, diatheke and sword-text-sparv
// (installed by `make deps`).
#include "attn/data/kjv_rv1909.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "attn/core/error.h"
#include "attn/data/data_tables.h"
#include "test_util.h"

namespace attn {
namespace {

namespace fs = std::filesystem;

TEST(KjvRv1909Clean, StripsStrongsTagsWithTheirSpace) {
  EXPECT_EQ(clean_diatheke_text("conservados en Jesucristo <G5547>:"),
            "conservados en Jesucristo:");
  EXPECT_EQ(clean_diatheke_text("concebido <G1064> <G2192> de Espíritu"), "concebido de Espíritu");
  EXPECT_EQ(clean_diatheke_text("Jehová <H3068>, Dios"), "Jehová, Dios");
}

TEST(KjvRv1909Clean, StripsMarkupAndCollapsesSpaces) {
  EXPECT_EQ(clean_diatheke_text("  Amén.   "), "Amén.");
  EXPECT_EQ(clean_diatheke_text("a <i>b</i>  c\t d"), "a b c d");
  // A '<' that opens no tag is text.
  EXPECT_EQ(clean_diatheke_text("a < b > c"), "a < b > c");
  EXPECT_EQ(clean_diatheke_text("<G5547>"), "");
}

constexpr std::string_view kDiatheke =
    "Jonah 1:16: Y temieron aquellos hombres á Jehová con gran temor.\n"
    "Jonah 1:17: \n"
    "Jonah 2:1: MAS Jehová había prevenido un gran pez que tragase á Jonás.\n"
    "Revelation of John 22:21: La gracia de nuestro Señor Jesucristo <G5547> sea con todos "
    "vosotros. Amén.   \n"
    "(spaRV1909eb)\n";

TEST(KjvRv1909Parse, ReadsKeysBooksAndEmptyVerses) {
  const std::vector<DiathekeVerse> v = parse_diatheke_output(kDiatheke);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].book, "Jonah");
  EXPECT_EQ(v[0].chapter, 1);
  EXPECT_EQ(v[0].verse, 16);
  EXPECT_EQ(v[1].verse, 17);
  EXPECT_EQ(v[1].text, "");
  EXPECT_EQ(v[2].chapter, 2);
  EXPECT_EQ(v[2].text, "MAS Jehová había prevenido un gran pez que tragase á Jonás.");
  EXPECT_EQ(v[3].book, "Revelation of John");
  EXPECT_EQ(v[3].chapter, 22);
  EXPECT_EQ(v[3].verse, 21);
  EXPECT_EQ(v[3].text, "La gracia de nuestro Señor Jesucristo sea con todos vosotros. Amén.");
}

TEST(KjvRv1909Parse, JoinsContinuationLines) {
  const std::vector<DiathekeVerse> v =
      parse_diatheke_output("I Samuel 24:1: Y como Saúl volvió\nde los Filisteos,\n\n");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].book, "I Samuel");
  EXPECT_EQ(v[0].text, "Y como Saúl volvió de los Filisteos,");
}

TEST(KjvRv1909Parse, TextBeforeTheFirstKeyIsRejected) {
  const std::string msg =
      test::error_of([] { parse_diatheke_output("\nNo such module\nGenesis 1:1: EN\n"); });
  EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("No such module"), std::string::npos) << msg;
}

TEST(KjvRv1909Parse, MalformedKeyIsNotAKey) {
  // "Genesis x:1:" has no chapter number, so it is text before the first key.
  const std::string msg = test::error_of([] { parse_diatheke_output("Genesis x:1: EN\n"); });
  EXPECT_NE(msg.find("line 1"), std::string::npos) << msg;
}

// A hand-made two-book Bible: English as bible-kjv prints it, Spanish as diatheke.
std::vector<BibleVerse> english(const std::vector<std::tuple<std::string, int, int>>& keys) {
  std::vector<BibleVerse> v;
  for (const auto& [book, c, n] : keys) {
    v.push_back({book, c, n, fmt::format("en {} {}:{}", book, c, n)});
  }
  return v;
}

std::vector<DiathekeVerse> spanish(const std::vector<std::tuple<std::string, int, int>>& keys) {
  std::vector<DiathekeVerse> v;
  for (const auto& [book, c, n] : keys) {
    v.push_back({book, c, n, fmt::format("es {} {}:{}", book, c, n)});
  }
  return v;
}

TEST(KjvRv1909Align, PairsByPositionWithDiathekeBookNames) {
  const auto en = english({{"Ge", 1, 1}, {"Ge", 1, 2}, {"Ge", 2, 1}, {"Ex", 1, 1}});
  const auto es =
      spanish({{"Genesis", 1, 1}, {"Genesis", 1, 2}, {"Genesis", 2, 1}, {"Exodus", 1, 1}});
  const std::vector<ParallelVerse> v = align_by_key(en, es);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[2].book, "Genesis");
  EXPECT_EQ(v[2].chapter, 2);
  EXPECT_EQ(v[2].en, "en Ge 2:1");
  EXPECT_EQ(v[2].es, "es Genesis 2:1");
  EXPECT_EQ(v[3].book, "Exodus");
}

TEST(KjvRv1909Align, DifferentVerseCountNamesTheChapter) {
  const auto en = english({{"Ge", 1, 1}, {"Ge", 2, 1}, {"Ge", 2, 2}, {"Ex", 1, 1}});
  const auto es = spanish({{"Genesis", 1, 1}, {"Genesis", 2, 1}, {"Exodus", 1, 1}});
  const std::string msg = test::error_of([&] { align_by_key(en, es); });
  EXPECT_NE(msg.find("Genesis 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 verses"), std::string::npos) << msg;
}

TEST(KjvRv1909Align, DifferentVerseNumbersNameTheChapter) {
  const auto en = english({{"Ge", 1, 1}, {"Ge", 1, 2}});
  const auto es = spanish({{"Genesis", 1, 1}, {"Genesis", 1, 3}});
  const std::string msg = test::error_of([&] { align_by_key(en, es); });
  EXPECT_NE(msg.find("Genesis 1"), std::string::npos) << msg;
}

TEST(KjvRv1909Align, DifferentBookCountIsRejected) {
  const auto en = english({{"Ge", 1, 1}, {"Ex", 1, 1}});
  const auto es = spanish({{"Genesis", 1, 1}});
  const std::string msg = test::error_of([&] { align_by_key(en, es); });
  EXPECT_NE(msg.find("2 books"), std::string::npos) << msg;
}

// Jonah in miniature: chapter 1 has 3 verses, chapter 2 has 4. The Spanish
// side keeps the Hebrew numbering: English 1:3 is Spanish 2:1, so Spanish 1:3
// is empty and the chapter's last two English verses share Spanish 2:4.
std::vector<ParallelVerse> mini_jonah() {
  std::vector<ParallelVerse> v;
  const std::vector<std::string> es = {"S1", "S2", "", "S3", "S4", "S5", "S6"};
  const int chapters[] = {1, 1, 1, 2, 2, 2, 2}, verses[] = {1, 2, 3, 1, 2, 3, 4};
  for (std::size_t i = 0; i < es.size(); ++i) {
    v.push_back({"Jonah", chapters[i], verses[i], fmt::format("E{}", i + 1), es[i]});
  }
  return v;
}

constexpr std::string_view kHeader = "kind\tenglish_verses\tspanish_verses\n";

TEST(KjvRv1909Realign, OneToOneAndTwoToOneShiftAChapter) {
  const std::string table = std::string(kHeader) +
                            "1-1\tJonah 1:3\tJonah 2:1\n"
                            "1-1\tJonah 2:1\tJonah 2:2\n"
                            "1-1\tJonah 2:2\tJonah 2:3\n"
                            "2-1\tJonah 2:3-4\tJonah 2:4\n";
  const RealignResult r = realign_verses(mini_jonah(), parse_realign_table(table));
  ASSERT_EQ(r.pairs.size(), 6u);
  EXPECT_EQ(r.absorbed, 1u);  // Spanish 1:3
  EXPECT_EQ(r.realigned, 4u);
  EXPECT_EQ(r.pairs[1].en, "E2");
  EXPECT_EQ(r.pairs[1].es, "S2");
  EXPECT_EQ(r.pairs[2].ref, "Jonah 1:3");
  EXPECT_EQ(r.pairs[2].en, "E3");
  EXPECT_EQ(r.pairs[2].es, "S3");
  EXPECT_EQ(r.pairs[5].ref, "Jonah 2:3-4");
  EXPECT_EQ(r.pairs[5].en, "E6 E7");
  EXPECT_EQ(r.pairs[5].es, "S6");
}

TEST(KjvRv1909Realign, OneToTwoJoinsSpanishVerses) {
  std::vector<ParallelVerse> v = mini_jonah();
  v[2].es = "S2b";  // no empty key in this variant
  // English 1:2 takes Spanish 1:2-3; English 1:3 then has no Spanish of its own.
  const std::string table = std::string(kHeader) +
                            "1-2\tJonah 1:2\tJonah 1:2-3\n"
                            "2-1\tJonah 1:3-2:1\tJonah 2:1\n";
  const RealignResult r = realign_verses(v, parse_realign_table(table));
  ASSERT_EQ(r.pairs.size(), 6u);
  EXPECT_EQ(r.absorbed, 0u);
  EXPECT_EQ(r.pairs[1].en, "E2");
  EXPECT_EQ(r.pairs[1].es, "S2 S2b");
  EXPECT_EQ(r.pairs[2].ref, "Jonah 1:3-2:1");
  EXPECT_EQ(r.pairs[2].en, "E3 E4");
  EXPECT_EQ(r.pairs[2].es, "S3");
}

TEST(KjvRv1909Realign, ManyToOneAcrossChapters) {
  // Like Job 39:27-40:5 -> Job 39:30: a range over a chapter break whose
  // Spanish text sits in one verse; the other two Spanish keys are empty.
  std::vector<ParallelVerse> v = mini_jonah();
  v[4].es = "";
  const std::string table = std::string(kHeader) + "3-1\tJonah 1:3-2:2\tJonah 2:1\n";
  const RealignResult r = realign_verses(v, parse_realign_table(table));
  ASSERT_EQ(r.pairs.size(), 5u);
  EXPECT_EQ(r.absorbed, 2u);  // Spanish 1:3 and 2:2
  EXPECT_EQ(r.pairs[2].ref, "Jonah 1:3-2:2");
  EXPECT_EQ(r.pairs[2].en, "E3 E4 E5");
  EXPECT_EQ(r.pairs[2].es, "S3");
  EXPECT_EQ(r.pairs[3].en, "E6");
  EXPECT_EQ(r.pairs[3].es, "S5");
}

TEST(KjvRv1909Realign, UnlistedVersesPairByKey) {
  const RealignResult r = realign_verses(
      [] {
        std::vector<ParallelVerse> v = mini_jonah();
        v[2].es = "S2b";
        return v;
      }(),
      parse_realign_table(kHeader));
  ASSERT_EQ(r.pairs.size(), 7u);
  EXPECT_EQ(r.pairs[6].ref, "Jonah 2:4");
  EXPECT_EQ(r.pairs[6].es, "S6");
}

TEST(KjvRv1909Realign, EmptyKeyWithoutARowIsRejected) {
  const std::string msg =
      test::error_of([] { realign_verses(mini_jonah(), parse_realign_table(kHeader)); });
  EXPECT_NE(msg.find("Spanish Jonah 1:3 is empty"), std::string::npos) << msg;
}

TEST(KjvRv1909Realign, UnusedSpanishTextIsRejected) {
  // English 1:2 takes Spanish 2:1, but nothing takes Spanish 1:2 ("S2").
  std::vector<ParallelVerse> v = mini_jonah();
  v[2].es = "S2b";
  const std::string table =
      std::string(kHeader) + "1-1\tJonah 1:2\tJonah 2:1\n" + "1-1\tJonah 2:1\tJonah 1:2\n";
  EXPECT_NO_THROW(realign_verses(v, parse_realign_table(table)));
  const std::string bad =
      std::string(kHeader) + "1-1\tJonah 1:2\tJonah 2:1\n" + "2-1\tJonah 2:1-2\tJonah 2:2\n";
  const std::string msg = test::error_of([&] { realign_verses(v, parse_realign_table(bad)); });
  EXPECT_NE(msg.find("Spanish Jonah 1:2 holds text"), std::string::npos) << msg;
}

TEST(KjvRv1909Realign, KeyPairedSpanishListedElsewhereIsRejected) {
  std::vector<ParallelVerse> v = mini_jonah();
  v[2].es = "S2b";
  const std::string table = std::string(kHeader) + "1-2\tJonah 1:1\tJonah 1:1-2\n";
  const std::string msg = test::error_of([&] { realign_verses(v, parse_realign_table(table)); });
  EXPECT_NE(msg.find("Spanish Jonah 1:2 is paired on realign table line 2"), std::string::npos)
      << msg;
}

TEST(KjvRv1909Realign, UnknownVerseIsRejected) {
  const std::string table = std::string(kHeader) + "1-1\tJonah 1:3\tJonah 3:1\n";
  const std::string msg =
      test::error_of([&] { realign_verses(mini_jonah(), parse_realign_table(table)); });
  EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'Jonah 3:1'"), std::string::npos) << msg;
}

TEST(KjvRv1909Realign, RangeLongerThanItsKindIsRejected) {
  const std::string table = std::string(kHeader) + "2-1\tJonah 2:2-4\tJonah 2:4\n";
  const std::string msg =
      test::error_of([&] { realign_verses(mini_jonah(), parse_realign_table(table)); });
  EXPECT_NE(msg.find("spans 3 verses, its kind says 2"), std::string::npos) << msg;
}

TEST(KjvRv1909Realign, VerseListedTwiceIsRejected) {
  const std::string table = std::string(kHeader) +
                            "1-1\tJonah 1:3\tJonah 2:1\n"
                            "1-1\tJonah 1:3\tJonah 2:2\n";
  const std::string msg =
      test::error_of([&] { realign_verses(mini_jonah(), parse_realign_table(table)); });
  EXPECT_NE(msg.find("English Jonah 1:3 is already listed on line 2"), std::string::npos) << msg;
}

TEST(KjvRv1909Table, BadHeaderIsRejected) {
  const std::string msg = test::error_of([] { parse_realign_table("kind\ten\tes\n"); });
  EXPECT_NE(msg.find("line 1"), std::string::npos) << msg;
}

TEST(KjvRv1909Table, MissingFieldIsRejected) {
  const std::string msg =
      test::error_of([] { parse_realign_table(std::string(kHeader) + "1-1\tJonah 1:3\n"); });
  EXPECT_NE(msg.find("line 2: expected 3 tab-separated fields"), std::string::npos) << msg;
}

TEST(KjvRv1909Table, BadKindIsRejected) {
  const std::string msg = test::error_of(
      [] { parse_realign_table(std::string(kHeader) + "2:1\tJonah 1:3\tJonah 2:1\n"); });
  EXPECT_NE(msg.find("kind '2:1'"), std::string::npos) << msg;
}

TEST(KjvRv1909Table, BadRangeIsRejected) {
  const std::string msg = test::error_of(
      [] { parse_realign_table(std::string(kHeader) + "1-1\tJonah 1\tJonah 2:1\n"); });
  EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'Jonah 1'"), std::string::npos) << msg;
}

TEST(KjvRv1909Table, BuiltInTableHasTheDocumentedRows) {
  const std::vector<RealignEntry> t = parse_realign_table(kjv_rv1909_realign_table());
  ASSERT_EQ(t.size(), 193u);
  std::map<std::string, int> kinds;
  for (const RealignEntry& e : t) ++kinds[fmt::format("{}-{}", e.en_verses, e.es_verses)];
  EXPECT_EQ(kinds["1-1"], 174);
  EXPECT_EQ(kinds["2-1"], 14);
  EXPECT_EQ(kinds["1-2"], 4);
  EXPECT_EQ(kinds["9-1"], 1);
  EXPECT_EQ(t.front().en_range, "Numbers 12:16");
  EXPECT_EQ(t.front().es_range, "Numbers 13:1");
}

TEST(KjvRv1909Split, WholeBooks) {
  for (const char* b : {"Mark", "Jonah", "Jude"})
    EXPECT_EQ(kjv_rv1909_split_for_book(b), Split::kTest);
  for (const char* b : {"Ruth", "Titus", "Philemon"}) {
    EXPECT_EQ(kjv_rv1909_split_for_book(b), Split::kValid);
  }
  for (const char* b : {"Genesis", "I Samuel", "Revelation of John", "Matthew"}) {
    EXPECT_EQ(kjv_rv1909_split_for_book(b), Split::kTrain);
  }
}

TEST(KjvRv1909Write, WritesSplitsAndPerBookFiles) {
  RealignResult r;
  r.pairs = {{"Genesis", "Genesis 1:1", "In the beginning", "EN el principio"},
             {"Ruth", "Ruth 1:1", "Now it came to pass", "Y ACONTECIÓ"},
             {"Jonah", "Jonah 1:17", "Now the LORD", "MAS Jehová"},
             {"Mark", "Mark 1:1", "The beginning", "PRINCIPIO"},
             {"Mark", "Mark 1:2", "As it is", "Como está"}};
  const fs::path out = test::make_temp_dir("kjv_rv1909_write") / "out";
  std::ostringstream log;
  const KjvRv1909Stats s = write_kjv_rv1909(r, out, log);
  EXPECT_EQ(s.train, 1u);
  EXPECT_EQ(s.valid, 1u);
  EXPECT_EQ(s.test, 3u);
  EXPECT_EQ(s.test_books.at("Mark"), 2u);
  EXPECT_EQ(test::read_file(out / "train.tsv"), "In the beginning\tEN el principio\n");
  EXPECT_EQ(test::read_file(out / "test.tsv"),
            "Now the LORD\tMAS Jehová\nThe beginning\tPRINCIPIO\nAs it is\tComo está\n");
  EXPECT_EQ(test::read_file(out / "test.en.txt"), "Now the LORD\nThe beginning\nAs it is\n");
  EXPECT_EQ(test::read_file(out / "test.Mark.es.txt"), "PRINCIPIO\nComo está\n");
  EXPECT_EQ(test::read_file(out / "test.Jonah.en.txt"), "Now the LORD\n");
  EXPECT_EQ(test::read_file(out / "valid.es.txt"), "Y ACONTECIÓ\n");
  EXPECT_FALSE(fs::exists(out / "test.Jude.en.txt"));  // no Jude pairs here
  const nlohmann::json j = nlohmann::json::parse(test::read_file(out / "stats.json"));
  EXPECT_EQ(j.at("test"), 3);
  EXPECT_EQ(j.at("test_books").at("Mark"), 2);
  for (const auto& entry : fs::directory_iterator(out)) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
  EXPECT_NE(log.str().find("test: 3 pairs (Jonah 1, Mark 2, Jude 0)"), std::string::npos)
      << log.str();
}

TEST(KjvRv1909Write, TabInsideATextIsRejected) {
  RealignResult r;
  r.pairs = {{"Genesis", "Genesis 1:1", "In the\tbeginning", "EN el principio"}};
  const fs::path out = test::make_temp_dir("kjv_rv1909_tab") / "out";
  std::ostringstream log;
  const std::string msg = test::error_of([&] { write_kjv_rv1909(r, out, log); });
  EXPECT_NE(msg.find("Genesis 1:1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("tab or newline"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(out / "train.tsv"));
}

// The first line of `text` that starts with `prefix`, or "".
std::string line_starting(const std::string& text, std::string_view prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(prefix)) return line;
  }
  return "";
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(KjvRv1909Fetch, RealPackagesGiveTheDocumentedSplits) {
  const fs::path out = test::make_temp_dir("kjv_rv1909_fetch") / "kjv-rv1909";
  std::ostringstream log;
  const KjvRv1909Stats s = fetch_kjv_rv1909(out, log);
  EXPECT_EQ(s.train, 30174u);
  EXPECT_EQ(s.valid, 156u);
  EXPECT_EQ(s.test, 750u);
  EXPECT_EQ(s.realigned, 193u);
  EXPECT_EQ(s.absorbed, 18u);
  EXPECT_EQ(s.test_books.at("Mark"), 678u);
  EXPECT_EQ(s.test_books.at("Jonah"), 47u);
  EXPECT_EQ(s.test_books.at("Jude"), 25u);

  const std::string train = test::read_file(out / "train.tsv");
  const std::string test_tsv = test::read_file(out / "test.tsv");
  EXPECT_EQ(count_lines(train), 30174u);
  EXPECT_EQ(count_lines(test::read_file(out / "valid.tsv")), 156u);
  EXPECT_EQ(count_lines(test_tsv), 750u);
  EXPECT_EQ(count_lines(test::read_file(out / "test.es.txt")), 750u);
  EXPECT_EQ(count_lines(test::read_file(out / "test.Mark.en.txt")), 678u);
  for (const std::string* t : {&train, &test_tsv}) {
    EXPECT_EQ(t->find('<'), std::string::npos) << "a Strong's tag survived";
  }
  // Spaces are collapsed on the Spanish side (the English keeps bible-kjv's text).
  EXPECT_EQ(test::read_file(out / "test.es.txt").find("  "), std::string::npos);
  EXPECT_TRUE(train.starts_with(
      "In the beginning God created the heaven and the earth.\tEN el principio crió Dios los "
      "cielos y la tierra.\n"));
  // Jonah 1:17 in English is Jonah 2:1 in the Spanish module.
  EXPECT_EQ(line_starting(test_tsv, "Now the LORD had prepared a great fish"),
            "Now the LORD had prepared a great fish to swallow up Jonah. And Jonah was in the "
            "belly of the fish three days and three nights.\tMAS Jehová había prevenido un gran "
            "pez que tragase á Jonás: y estuvo Jonás en el vientre del pez tres días y tres "
            "noches.");
  // The last test pair is Jude 1:25, paired by key.
  EXPECT_TRUE(
      test_tsv.ends_with("\tAl Dios solo sabio, nuestro Salvador, sea gloria y "
                         "magnificencia, imperio y potencia, ahora y en todos los "
                         "siglos. Amén.\n"))
      << test_tsv.substr(test_tsv.size() - 200);
  // Revelation 22:21 loses its Strong's tag and trailing spaces.
  EXPECT_TRUE(
      train.ends_with("\tLa gracia de nuestro Señor Jesucristo sea con todos "
                      "vosotros. Amén.\n"));
  const nlohmann::json j = nlohmann::json::parse(test::read_file(out / "stats.json"));
  EXPECT_EQ(j.at("pairs"), 31080);
  EXPECT_EQ(j.at("absorbed_empty_spanish"), 18);
  EXPECT_FALSE(fs::exists(out / ".diatheke-stderr.tmp"));
}

TEST(KjvRv1909Fetch, MissingDiathekeNamesThePackage) {
  const fs::path out = test::make_temp_dir("kjv_rv1909_missing") / "out";
  std::ostringstream log;
  const std::string msg =
      test::error_of([&] { fetch_kjv_rv1909(out, log, "bible", "attn-no-such-diatheke"); });
  EXPECT_NE(msg.find("attn-no-such-diatheke"), std::string::npos) << msg;
  EXPECT_NE(msg.find("apt-get install diatheke"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(out / "train.tsv"));
}

TEST(KjvRv1909Fetch, MissingBibleNamesThePackage) {
  const fs::path out = test::make_temp_dir("kjv_rv1909_nobible") / "out";
  std::ostringstream log;
  const std::string msg =
      test::error_of([&] { fetch_kjv_rv1909(out, log, "attn-no-such-bible", "diatheke"); });
  EXPECT_NE(msg.find("apt-get install bible-kjv"), std::string::npos) << msg;
}

TEST(KjvRv1909Fetch, MissingModuleNamesThePackage) {
  // diatheke prints nothing and exits 0 for a module it does not have.
  const fs::path dir = test::make_temp_dir("kjv_rv1909_nomodule");
  const fs::path fake = dir / "fake-diatheke";
  test::write_file(fake, "#!/bin/sh\nexit 0\n");
  fs::permissions(fake, fs::perms::owner_all);
  std::ostringstream log;
  const std::string msg =
      test::error_of([&] { fetch_kjv_rv1909(dir / "out", log, "bible", fake.string()); });
  EXPECT_NE(msg.find("apt-get install sword-text-sparv"), std::string::npos) << msg;
}

TEST(KjvRv1909Fetch, CliWritesTheSplits) {
  const fs::path out = test::make_temp_dir("kjv_rv1909_cli") / "kjv-rv1909";
  const test::CliResult r = test::run_cli("data fetch kjv-rv1909 --out '" + out.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("test: 750 pairs (Jonah 47, Mark 678, Jude 25)"), std::string::npos)
      << r.out;
  EXPECT_TRUE(fs::exists(out / "test.Jude.es.txt"));
}

}  // namespace
}  // namespace attn
