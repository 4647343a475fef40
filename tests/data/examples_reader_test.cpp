#include "attn/data/examples_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "attn/core/error.h"
#include "test_util.h"

namespace attn {
namespace {

namespace fs = std::filesystem;
using test::make_temp_dir;
using test::write_file;

// Runs fn, which must throw attn::Error, and returns the message.
using test::error_of;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(ExamplesReader, ReadsJsonlWithIdsLinesAndBlankLines) {
  const fs::path dir = make_temp_dir("examples");
  const fs::path p = dir / "train.jsonl";
  write_file(p,
             "{\"text\": \"free money\", \"label\": \"spam\", \"id\": \"m1\"}\r\n"
             "\n"
             "  \n"
             "{\"label\": \"ham\", \"text\": \"see you at 5\"}\n"
             "{\"text\": \"tab\\there\", \"label\": \"ham\", \"id\": 42}");
  const ExampleSet set = read_examples(p);
  ASSERT_EQ(set.examples.size(), 3u);
  EXPECT_EQ(set.source, p.string());
  EXPECT_EQ(set.replaced_utf8, 0u);
  EXPECT_EQ(set.examples[0].text, "free money");
  EXPECT_EQ(set.examples[0].label, "spam");
  EXPECT_EQ(set.examples[0].id, "m1");
  EXPECT_EQ(set.examples[0].line, 1u);
  EXPECT_EQ(set.examples[1].id, "4");  // no id: the line number
  EXPECT_EQ(set.examples[1].line, 4u);
  EXPECT_EQ(set.examples[2].text, "tab\there");
  EXPECT_EQ(set.examples[2].id, "42");
  EXPECT_EQ(sorted_labels(set), (std::vector<std::string>{"ham", "spam"}));
  EXPECT_EQ(encode_labels(set, sorted_labels(set)), (std::vector<int>{1, 0, 0}));
  fs::remove_all(dir);
}

TEST(ExamplesReader, ReadsTsvSplittingAtFirstTab) {
  const fs::path dir = make_temp_dir("examples");
  const fs::path p = dir / "data.tsv";
  write_file(p, "pos\tgreat film\n\nneg\tbad\tvery bad\r\npos\t\n");
  const ExampleSet set = read_examples(p);
  ASSERT_EQ(set.examples.size(), 3u);
  EXPECT_EQ(set.examples[0].label, "pos");
  EXPECT_EQ(set.examples[0].text, "great film");
  EXPECT_EQ(set.examples[1].text, "bad\tvery bad");
  EXPECT_EQ(set.examples[1].line, 3u);
  EXPECT_EQ(set.examples[2].text, "");
  fs::remove_all(dir);
}

TEST(ExamplesReader, ReadsLabelFoldersSortedWithRelativeIds) {
  const fs::path dir = make_temp_dir("examples");
  fs::create_directories(dir / "spam");
  fs::create_directories(dir / "ham" / "sub");
  fs::create_directories(dir / ".git");
  write_file(dir / "spam" / "b.txt", "buy now");
  write_file(dir / "spam" / "a.txt", "win");
  write_file(dir / "spam" / ".hidden", "ignored");
  write_file(dir / "ham" / "sub" / "c.eml", "hello");
  write_file(dir / "README", "not a label");
  const ExampleSet set = read_examples(dir);
  ASSERT_EQ(set.examples.size(), 3u);
  EXPECT_EQ(set.examples[0].id, "ham/sub/c.eml");
  EXPECT_EQ(set.examples[0].label, "ham");
  EXPECT_EQ(set.examples[1].id, "spam/a.txt");
  EXPECT_EQ(set.examples[1].text, "win");
  EXPECT_EQ(set.examples[2].id, "spam/b.txt");
  EXPECT_EQ(set.examples[2].line, 0u);
  fs::remove_all(dir);
}

TEST(ExamplesReader, MissingFileIsAnError) {
  const fs::path p = make_temp_dir("examples") / "nope.jsonl";
  const std::string msg = error_of([&] { read_examples(p); });
  EXPECT_TRUE(contains(msg, p.string() + ": no such file")) << msg;
}

TEST(ExamplesReader, EmptyFileIsAnError) {
  const fs::path dir = make_temp_dir("examples");
  write_file(dir / "empty.jsonl", "\n\n");
  std::string msg = error_of([&] { read_examples(dir / "empty.jsonl"); });
  EXPECT_TRUE(contains(msg, "empty.jsonl: no examples")) << msg;
  write_file(dir / "empty.tsv", "");
  msg = error_of([&] { read_examples(dir / "empty.tsv"); });
  EXPECT_TRUE(contains(msg, "empty.tsv: no examples")) << msg;
  fs::remove_all(dir);
}

TEST(ExamplesReader, MalformedJsonLineNamesLineAndColumn) {
  const fs::path dir = make_temp_dir("examples");
  const fs::path p = dir / "bad.jsonl";
  write_file(p, "{\"text\": \"ok\", \"label\": \"a\"}\n{\"text\": \"ok\", \"label\": }\n");
  const std::string msg = error_of([&] { read_examples(p); });
  // Column 25 is the '}' where a value was expected; nlohmann's reason follows it.
  EXPECT_TRUE(contains(msg, p.string() + ":2: malformed JSON at column 25: syntax error")) << msg;
  EXPECT_TRUE(contains(msg, "unexpected '}'")) << msg;
  fs::remove_all(dir);
}

TEST(ExamplesReader, MissingOrNonStringFieldsAreErrors) {
  const fs::path dir = make_temp_dir("examples");
  const fs::path p = dir / "fields.jsonl";
  write_file(p, "{\"label\": \"a\"}\n");
  std::string msg = error_of([&] { read_examples(p); });
  EXPECT_TRUE(contains(msg, ":1: missing field \"text\"")) << msg;
  write_file(p, "{\"text\": \"x\", \"label\": \"a\"}\n{\"text\": \"x\", \"label\": 3}\n");
  msg = error_of([&] { read_examples(p); });
  EXPECT_TRUE(contains(msg, ":2: field \"label\" is a number, expected a string")) << msg;
  write_file(p, "[\"text\", \"label\"]\n");
  msg = error_of([&] { read_examples(p); });
  EXPECT_TRUE(contains(msg, ":1: got a JSON array")) << msg;
  fs::remove_all(dir);
}

TEST(ExamplesReader, UnknownLabelNamesLineAndKnownLabels) {
  const fs::path dir = make_temp_dir("examples");
  const fs::path p = dir / "val.jsonl";
  write_file(p,
             "{\"text\": \"x\", \"label\": \"ham\"}\n\n{\"text\": \"y\", \"label\": \"eggs\"}\n");
  const ExampleSet set = read_examples(p);
  const std::string msg = error_of([&] { encode_labels(set, {"ham", "spam"}, dir / "val.jsonl"); });
  EXPECT_EQ(msg, p.string() + ":3: unknown label \"eggs\" (known: ham, spam)");
  fs::remove_all(dir);
}

TEST(ExamplesReader, TsvLineWithoutTabIsAnError) {
  const fs::path dir = make_temp_dir("examples");
  const fs::path p = dir / "bad.tsv";
  write_file(p, "a\tfine\nb no tab here\n");
  const std::string msg = error_of([&] { read_examples(p); });
  EXPECT_TRUE(contains(msg, p.string() + ":2: no tab in line (expected label<TAB>text")) << msg;
  fs::remove_all(dir);
}

TEST(ExamplesReader, DirectoryWithoutLabelFoldersIsAnError) {
  const fs::path dir = make_temp_dir("examples");
  write_file(dir / "loose.txt", "text");
  const std::string msg = error_of([&] { read_examples(dir); });
  EXPECT_TRUE(contains(msg, "directory has no label folders")) << msg;
  fs::remove_all(dir);
}

TEST(ExamplesReader, UnsupportedExtensionIsAnError) {
  const fs::path dir = make_temp_dir("examples");
  write_file(dir / "data.csv", "a,b\n");
  const std::string msg = error_of([&] { read_examples(dir / "data.csv"); });
  EXPECT_TRUE(contains(msg, "unsupported file type \".csv\"")) << msg;
  fs::remove_all(dir);
}

TEST(ExamplesReader, InvalidUtf8IsReplacedAndCounted) {
  const fs::path dir = make_temp_dir("examples");
  write_file(dir / "u.jsonl",
             "{\"text\": \"caf\xE9 \xC0\xAF\", \"label\": \"a\"}\n{\"text\": \"ok\", \"label\": "
             "\"b\xFF\"}\n");
  ExampleSet set = read_examples(dir / "u.jsonl");
  EXPECT_EQ(set.replaced_utf8, 4u);
  EXPECT_EQ(set.examples[0].text, "caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(set.examples[1].label, "b\xEF\xBF\xBD");
  write_file(dir / "u.tsv", "a\t\x80\x80ok\n");
  set = read_examples(dir / "u.tsv");
  EXPECT_EQ(set.replaced_utf8, 2u);
  fs::create_directories(dir / "folder" / "x");
  write_file(dir / "folder" / "x" / "1", "\xE2\x82");
  set = read_examples(dir / "folder");
  EXPECT_EQ(set.replaced_utf8, 1u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace attn
