// Inputs found by the libFuzzer targets in fuzz/ (`make fuzz`), kept as
// regression tests: each must be rejected with attn::Error and a clear message,
// not escape as another exception (which the CLI reports as an internal error).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "attn/core/error.h"
#include "attn/data/examples_reader.h"
#include "attn/data/tokenizer.h"
#include "attn/io/json_parse.h"
#include "attn/train/run_config.h"
#include "test_util.h"

namespace attn::test {
namespace {

// fuzz_run_config: a number beyond the double range made nlohmann throw
// out_of_range, which parse_json_text did not catch.
TEST(FuzzRegression, JsonNumberOutOfRangeIsAParseErrorWithAPosition) {
  const std::string msg = error_of([] { parse_json_text("3333333e332clt", "config.json"); });
  EXPECT_NE(msg.find("config.json:1:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("number out of range"), std::string::npos) << msg;
  const std::string nested =
      error_of([] { parse_json_text("{\n  \"lr\": 1e999\n}", "config.json"); });
  EXPECT_NE(nested.find("config.json:2:"), std::string::npos) << nested;
}

// fuzz_examples: the same in a JSONL data file.
TEST(FuzzRegression, JsonlNumberOutOfRangeNamesTheLine) {
  const std::string msg = error_of([] {
    parse_examples("{\"text\": \"a\", \"label\": \"b\"}\n{\"text\": 1e999, \"label\": \"b\"}\n",
                   ExampleFormat::jsonl, "data.jsonl");
  });
  EXPECT_NE(msg.find("data.jsonl:2: malformed JSON: number out of range"), std::string::npos)
      << msg;
}

// fuzz_tokenizer: a tokenizer.json holding a huge number.
TEST(FuzzRegression, TokenizerJsonNumberOutOfRangeIsRejected) {
  const std::string msg = error_of([] {
    Tokenizer::from_json(
        parse_json_text("6000000000000000128606031710547553750000e666{\"t{", "tokenizer.json"));
  });
  EXPECT_NE(msg.find("tokenizer.json:1:"), std::string::npos) << msg;
}

// fuzz_tokenizer: a float too large for an int in an integer field was converted
// by nlohmann with static_cast (undefined behaviour, reported by UBSan).
TEST(FuzzRegression, TokenizerIntegerFieldsRejectFloatsAndOutOfRange) {
  const auto load = [](const char* field) {
    return error_of([&] {
      Tokenizer::from_json(nlohmann::json::parse(fmt::format(
          R"({{"type": "char", "lowercase": true, {}, "vocabulary": ["", "[UNK]", "a"]}})",
          field)));
    });
  };
  EXPECT_NE(load(R"("max_size": 17777777777777777777776)").find("\"max_size\" must be an integer"),
            std::string::npos);
  EXPECT_NE(load(R"("max_size": 1.5)").find("must be an integer"), std::string::npos);
  EXPECT_NE(load(R"("min_count": 0)").find("\"min_count\" = 0 is out of range"), std::string::npos);
  EXPECT_NE(load(R"("max_size": 4294967296)").find("out of range"), std::string::npos);
}

// fuzz_folder: a label folder whose name is not UTF-8 made writing config.json
// throw nlohmann's type_error (an internal error) after the data was read.
TEST(FuzzRegression, FolderLabelThatIsNotUtf8IsRejectedAndIdsAreRepaired) {
  const auto dir = make_temp_dir("fuzz_folder");
  std::filesystem::create_directories(dir / "spa\x8f");
  write_file(dir / "spa\x8f" / "1.txt", "cheap pills");
  const std::string msg = error_of([&] { read_examples(dir); });
  EXPECT_NE(msg.find("label folder name is not valid UTF-8"), std::string::npos) << msg;

  const auto ok = make_temp_dir("fuzz_folder_ids");
  std::filesystem::create_directories(ok / "ham");
  write_file(ok / "ham" / "caf\xe9.txt", "lunch");
  const ExampleSet set = read_examples(ok);
  ASSERT_EQ(set.examples.size(), 1u);
  EXPECT_EQ(set.examples[0].id, "ham/caf\xef\xbf\xbd.txt");  // U+FFFD
  EXPECT_NO_THROW(nlohmann::json(set.examples[0].id).dump());
}

}  // namespace
}  // namespace attn::test
