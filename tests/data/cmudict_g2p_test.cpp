// CMUdict G2P: parsing "WORD;PH PH" lines, the hash split (expected values
// computed once with an independent Python FNV-1a over the same file), the
// reference-file layout and the fetch from the built-in table.
#include "attn/data/cmudict_g2p.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "test_util.h"

namespace attn {
namespace {

namespace fs = std::filesystem;

TEST(G2pParse, LowerCasesWordsAndKeepsPhonemes) {
  const std::vector<G2pEntry> e = parse_g2p_csv("HELLO;HH AH L OW\r\n\n'CAUSE;K AH Z\nA;AH");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].word, "hello");
  EXPECT_EQ(e[0].phonemes, "HH AH L OW");
  EXPECT_EQ(e[1].word, "'cause");
  EXPECT_EQ(e[2].phonemes, "AH");
}

TEST(G2pParse, MissingSemicolonNamesTheLine) {
  const std::string msg = test::error_of([] { parse_g2p_csv("A;AH\nHELLO HH AH L OW\n"); });
  EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HELLO HH AH L OW"), std::string::npos) << msg;
}

TEST(G2pParse, StressedVowelIsNotAPhoneme) {
  const std::string msg = test::error_of([] { parse_g2p_csv("A;AH\nB;AH\nHELLO;HH AH0 L OW1\n"); });
  EXPECT_NE(msg.find("line 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'AH0'"), std::string::npos) << msg;
}

TEST(G2pParse, DoubleSpaceIsAnEmptyPhoneme) {
  const std::string msg = test::error_of([] { parse_g2p_csv("HELLO;HH  AH\n"); });
  EXPECT_NE(msg.find("line 1"), std::string::npos) << msg;
}

TEST(G2pParse, EmptyPronunciationIsRejected) {
  const std::string msg = test::error_of([] { parse_g2p_csv("HELLO;\n"); });
  EXPECT_NE(msg.find("line 1: word 'HELLO' has no phonemes"), std::string::npos) << msg;
}

TEST(G2pParse, WordWithADigitIsRejected) {
  const std::string msg = test::error_of([] { parse_g2p_csv("HELLO(1);HH AH L OW\n"); });
  EXPECT_NE(msg.find("line 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HELLO(1)"), std::string::npos) << msg;
}

TEST(G2pParse, EmptyWordIsRejected) {
  const std::string msg = test::error_of([] { parse_g2p_csv(";HH AH\n"); });
  EXPECT_NE(msg.find("line 1"), std::string::npos) << msg;
}

TEST(G2pHash, Fnv1a64KnownValues) {
  // The published FNV-1a 64 test vectors.
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(G2pHash, KnownWordsFallOnTheirSide) {
  for (const char* w : {"abare", "accurately", "acorn", "eventually", "february"}) {
    EXPECT_TRUE(g2p_is_dev(w)) << w;
  }
  for (const char* w : {"hello", "world", "bible", "translation", "abandon", "'cause"}) {
    EXPECT_FALSE(g2p_is_dev(w)) << w;
  }
}

TEST(G2pSplit, GroupsPronunciationsAndDropsDuplicates) {
  const std::vector<G2pEntry> e = parse_g2p_csv(
      "HELLO;HH AH L OW\nFEBRUARY;F EH B Y UW W EH R IY\nHELLO;HH EH L OW\nACORN;EY K AO R N\n"
      "HELLO;HH AH L OW\nFEBRUARY;F EH B R UW W EH R IY\n");
  const G2pSplits s = split_g2p(e);
  EXPECT_EQ(s.duplicates, 1u);
  EXPECT_EQ(s.train.words, std::vector<std::string>{"hello"});
  EXPECT_EQ(s.train.prons[0], (std::vector<std::string>{"HH AH L OW", "HH EH L OW"}));
  EXPECT_EQ(s.dev.words, (std::vector<std::string>{"acorn", "february"}));
  EXPECT_EQ(s.dev.pairs(), 3u);
}

TEST(G2pSplit, ReferenceFilesHaveOneLinePerWord) {
  G2pSplit dev;
  dev.words = {"a", "b", "c"};
  dev.prons = {{"AH"}, {"B IY", "B AH", "B"}, {"S IY", "K"}};
  const std::vector<std::string> refs = g2p_reference_files(dev);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0], "AH\nB IY\nS IY\n");
  EXPECT_EQ(refs[1], "\nB AH\nK\n");
  EXPECT_EQ(refs[2], "\nB\n\n");
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(G2pFetch, BuiltInTableGivesTheDocumentedSplit) {
  const fs::path out = test::make_temp_dir("g2p_fetch") / "cmudict-g2p";
  std::ostringstream log;
  const G2pStats s = fetch_cmudict_g2p(out, log);
  EXPECT_EQ(s.dev_words, 2674u);
  EXPECT_EQ(s.dev_pairs, 2845u);
  EXPECT_EQ(s.train_words, 104163u);
  EXPECT_EQ(s.train_pairs, 110593u);
  EXPECT_EQ(s.refs, 5u);  // "february" has five pronunciations
  EXPECT_EQ(s.duplicates, 0u);

  const std::string train = test::read_file(out / "train.tsv");
  EXPECT_EQ(count_lines(train), 110593u);
  EXPECT_TRUE(train.starts_with("'cause\tK AH Z\n")) << train.substr(0, 40);
  EXPECT_NE(train.find("\nhello\tHH AH L OW\n"), std::string::npos);
  const std::string dev = test::read_file(out / "dev.tsv");
  EXPECT_EQ(count_lines(dev), 2845u);
  EXPECT_EQ(dev.find("\nhello\t"), std::string::npos);
  const std::string words = test::read_file(out / "dev.words.txt");
  EXPECT_EQ(count_lines(words), 2674u);
  EXPECT_TRUE(words.starts_with("abare\naccurately\n"));
  for (int k = 1; k <= 5; ++k) {
    EXPECT_EQ(count_lines(test::read_file(out / fmt::format("dev.ref{}.txt", k))), 2674u) << k;
  }
  EXPECT_FALSE(fs::exists(out / "dev.ref6.txt"));
  EXPECT_TRUE(test::read_file(out / "dev.ref1.txt").starts_with("AA B AA R IY\n"));
  const nlohmann::json j = nlohmann::json::parse(test::read_file(out / "stats.json"));
  EXPECT_EQ(j.at("phonemes"), 39);
  EXPECT_EQ(j.at("dev").at("words"), 2674);
  for (const auto& entry : fs::directory_iterator(out)) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
}

TEST(G2pFetch, MissingGzipNamesThePackage) {
  const fs::path out = test::make_temp_dir("g2p_nogzip") / "out";
  std::ostringstream log;
  const std::string msg = test::error_of([&] { fetch_cmudict_g2p(out, log, "attn-no-such-gzip"); });
  EXPECT_NE(msg.find("apt-get install gzip"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(out / ".train-2007.csv.gz.tmp"));
}

TEST(G2pFetch, CliWritesTheSplit) {
  const fs::path out = test::make_temp_dir("g2p_cli") / "cmudict-g2p";
  const test::CliResult r = test::run_cli("data fetch cmudict-g2p --out '" + out.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dev: 2674 words, 2845 pairs, 5 reference files"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace attn
