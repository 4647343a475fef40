#include "attn/data/parallel_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace attn {
namespace {

namespace fs = std::filesystem;
using test::error_of;
using test::make_temp_dir;
using test::write_file;

// Writes `content` to a fresh file named `name` and returns its path.
fs::path file_with(const std::string& name, const std::string& content) {
  const fs::path p = make_temp_dir("parallel_text") / name;
  write_file(p, content);
  return p;
}

// The error of read_parallel_tsv on `content`, checked to name the file and `line`.
std::string tsv_error(const std::string& content, int line) {
  const fs::path p = file_with("pairs.tsv", content);
  const std::string msg = error_of([&] { read_parallel_tsv(p); });
  EXPECT_NE(msg.find(p.string() + ":" + std::to_string(line) + ":"), std::string::npos) << msg;
  return msg;
}

TEST(ParallelText, ReadsTsvPairs) {
  const fs::path p = file_with("pairs.tsv", "hello world\thallo welt\nyes\tja\n");
  const std::vector<ParallelPair> pairs = read_parallel_tsv(p);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].source, "hello world");
  EXPECT_EQ(pairs[0].target, "hallo welt");
  EXPECT_EQ(pairs[1].source, "yes");
  EXPECT_EQ(pairs[1].target, "ja");
}

TEST(ParallelText, TsvAcceptsCrlfMissingFinalNewlineAndBom) {
  const fs::path p = file_with("pairs.tsv",
                               "\xEF\xBB\xBF"
                               "a\tb\r\nc d\t\xC3\xA9t\xC3\xA9");
  const std::vector<ParallelPair> pairs = read_parallel_tsv(p);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].source, "a");
  EXPECT_EQ(pairs[0].target, "b");
  EXPECT_EQ(pairs[1].source, "c d");
  EXPECT_EQ(pairs[1].target, "\xC3\xA9t\xC3\xA9");
}

TEST(ParallelText, TsvLineWithoutTab) {
  const std::string msg = tsv_error("a\tb\nno tab here\n", 2);
  EXPECT_NE(msg.find("no tab"), std::string::npos) << msg;
}

TEST(ParallelText, TsvLineWithTwoTabs) {
  const std::string msg = tsv_error("a\tb\nc\td\te\n", 2);
  EXPECT_NE(msg.find("more than one tab"), std::string::npos) << msg;
}

TEST(ParallelText, TsvEmptyLine) {
  const std::string msg = tsv_error("a\tb\nc\td\n\ne\tf\n", 3);
  EXPECT_NE(msg.find("empty line"), std::string::npos) << msg;
}

TEST(ParallelText, TsvEmptySource) {
  const std::string msg = tsv_error("a\tb\n\tonly target\n", 2);
  EXPECT_NE(msg.find("empty source"), std::string::npos) << msg;
}

TEST(ParallelText, TsvEmptyTarget) {
  const std::string msg = tsv_error("a\tb\nc\td\nonly source\t\r\n", 3);
  EXPECT_NE(msg.find("empty target"), std::string::npos) << msg;
}

TEST(ParallelText, TsvBlankTarget) {
  const std::string msg = tsv_error("a\tb\nword\t   \n", 2);
  EXPECT_NE(msg.find("empty target"), std::string::npos) << msg;
}

TEST(ParallelText, TsvInvalidUtf8) {
  const std::string msg = tsv_error("a\tb\nc\td\xFF\n", 2);
  EXPECT_NE(msg.find("invalid UTF-8"), std::string::npos) << msg;
  EXPECT_NE(msg.find("column 4"), std::string::npos) << msg;
}

TEST(ParallelText, TsvEmptyFile) {
  const fs::path p = file_with("pairs.tsv", "");
  const std::string msg = error_of([&] { read_parallel_tsv(p); });
  EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("empty file"), std::string::npos) << msg;
}

TEST(ParallelText, TsvMissingFile) {
  const fs::path p = make_temp_dir("parallel_text") / "absent.tsv";
  const std::string msg = error_of([&] { read_parallel_tsv(p); });
  EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
}

TEST(ParallelText, ReadsAlignedFiles) {
  const fs::path dir = make_temp_dir("parallel_text");
  write_file(dir / "train.en", "one\r\ntwo\nthree");
  write_file(dir / "train.de", "eins\nzwei\ndrei\n");
  const std::vector<ParallelPair> pairs = read_parallel_files(dir / "train.en", dir / "train.de");
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].source, "one");
  EXPECT_EQ(pairs[0].target, "eins");
  EXPECT_EQ(pairs[2].source, "three");
  EXPECT_EQ(pairs[2].target, "drei");
}

TEST(ParallelText, FilesWithDifferentLineCounts) {
  const fs::path dir = make_temp_dir("parallel_text");
  write_file(dir / "a.src", "one\ntwo\nthree\n");
  write_file(dir / "a.tgt", "eins\nzwei\n");
  const std::string msg = error_of([&] { read_parallel_files(dir / "a.src", dir / "a.tgt"); });
  EXPECT_NE(msg.find((dir / "a.src").string() + " has 3 lines"), std::string::npos) << msg;
  EXPECT_NE(msg.find((dir / "a.tgt").string() + " has 2 lines"), std::string::npos) << msg;
}

TEST(ParallelText, FilesEmptySourceLine) {
  const fs::path dir = make_temp_dir("parallel_text");
  write_file(dir / "a.src", "one\n\nthree\n");
  write_file(dir / "a.tgt", "eins\nzwei\ndrei\n");
  const std::string msg = error_of([&] { read_parallel_files(dir / "a.src", dir / "a.tgt"); });
  EXPECT_NE(msg.find((dir / "a.src").string() + ":2:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("empty line"), std::string::npos) << msg;
}

TEST(ParallelText, FilesEmptyTargetLine) {
  const fs::path dir = make_temp_dir("parallel_text");
  write_file(dir / "a.src", "one\ntwo\nthree\n");
  write_file(dir / "a.tgt", "eins\nzwei\n\r\n");
  const std::string msg = error_of([&] { read_parallel_files(dir / "a.src", dir / "a.tgt"); });
  EXPECT_NE(msg.find((dir / "a.tgt").string() + ":3:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("empty line"), std::string::npos) << msg;
}

TEST(ParallelText, FilesInvalidUtf8) {
  const fs::path dir = make_temp_dir("parallel_text");
  write_file(dir / "a.src", "one\ntwo\n");
  write_file(dir / "a.tgt", "eins\nzw\xC3\n");
  const std::string msg = error_of([&] { read_parallel_files(dir / "a.src", dir / "a.tgt"); });
  EXPECT_NE(msg.find((dir / "a.tgt").string() + ":2:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("invalid UTF-8"), std::string::npos) << msg;
}

TEST(ParallelText, FilesBothEmpty) {
  const fs::path dir = make_temp_dir("parallel_text");
  write_file(dir / "a.src", "");
  write_file(dir / "a.tgt", "");
  const std::string msg = error_of([&] { read_parallel_files(dir / "a.src", dir / "a.tgt"); });
  EXPECT_NE(msg.find((dir / "a.src").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("empty files"), std::string::npos) << msg;
}

TEST(ParallelText, ReadLinesKeepsEmptyLinesWhenAllowed) {
  const fs::path p = file_with("lines.txt", "a\n\nb\r\n\n");
  const std::vector<std::string> lines = read_lines(p, /*allow_empty=*/true);
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "", "b", ""}));
  const std::string msg = error_of([&] { read_lines(p, /*allow_empty=*/false); });
  EXPECT_NE(msg.find(p.string() + ":2:"), std::string::npos) << msg;
  EXPECT_TRUE(read_lines(file_with("empty.txt", ""), false).empty());
}

}  // namespace
}  // namespace attn
