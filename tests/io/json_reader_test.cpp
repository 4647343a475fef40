// Config-file reading: line:col of syntax errors, duplicate keys, and the
// strict object reader's messages (context, key, expected, found) and
// unknown-key detection with suggestions.
#include "attn/io/json_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "attn/core/error.h"
#include "attn/io/json_parse.h"
#include "test_util.h"

namespace attn {
namespace {

using test::error_of;

JsonObjectReader reader(const std::string& text, const std::string& context = "c.json: model") {
  return JsonObjectReader(nlohmann::json::parse(text), context);
}

TEST(ReadJsonFile, ParsesValidFile) {
  const auto dir = test::make_temp_dir("json");
  test::write_file(dir / "ok.json", R"({"a": [1, 2], "b": {"c": "d"}})");
  const auto j = read_json_file(dir / "ok.json");
  EXPECT_EQ(j["a"][1], 2);
  EXPECT_EQ(j["b"]["c"], "d");
  std::filesystem::remove_all(dir);
}

TEST(ReadJsonFile, SyntaxErrorReportsLineAndColumn) {
  const auto dir = test::make_temp_dir("json");
  const auto p = dir / "bad.json";
  test::write_file(p, "{\n  \"model\": {\n    \"d_model\": 64,\n    \"heads\": x\n  }\n}\n");
  const std::string msg = error_of([&] { read_json_file(p); });
  EXPECT_EQ(msg.rfind(p.string() + ":4:14: invalid JSON: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("invalid literal"), std::string::npos) << msg;
  std::filesystem::remove_all(dir);
}

TEST(ReadJsonFile, MissingCommaAndEarlyEnd) {
  // The position is where the parser noticed: the end of the unexpected "b".
  EXPECT_EQ(error_of([] { parse_json_text("{\"a\": 1\n \"b\": 2}", "f.json"); }),
            "f.json:2:4: invalid JSON: syntax error while parsing object - unexpected string "
            "literal; expected '}'");
  const std::string msg = error_of([] { parse_json_text("{\"a\": [1,\n2", "f.json"); });
  EXPECT_EQ(msg.rfind("f.json:2:2: invalid JSON: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("unexpected end of input"), std::string::npos) << msg;
}

TEST(ReadJsonFile, DuplicateKeyIsAnErrorWithPosition) {
  const std::string msg =
      error_of([] { parse_json_text("{\"model\": {\"lr\": 1,\n   \"lr\": 2}}", "d.json"); });
  EXPECT_EQ(msg, "d.json:2:4: invalid JSON: duplicate key \"lr\"");
  // The same key in sibling objects is fine.
  EXPECT_NO_THROW(
      parse_json_text(R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]})", "ok.json"));
}

TEST(ReadJsonFile, MissingFileNamesIt) {
  const std::string msg = error_of([] { read_json_file("/nonexistent_dir/cfg.json"); });
  EXPECT_EQ(msg, "cannot read /nonexistent_dir/cfg.json: No such file or directory");
}

TEST(TextPosition, CountsLinesAndColumns) {
  const std::string t = "ab\ncd\n\nx";
  EXPECT_EQ(text_position(t, 0).line, 1u);
  EXPECT_EQ(text_position(t, 1).column, 2u);
  EXPECT_EQ(text_position(t, 3).line, 2u);
  EXPECT_EQ(text_position(t, 3).column, 1u);
  EXPECT_EQ(text_position(t, 7).line, 4u);
}

TEST(JsonObjectReader, ReadsTypedValuesAndDefaults) {
  auto r = reader(
      R"({"d_model": 64, "dropout": 0.1, "causal": true, "act": "gelu", "dims": [1, 2, 3],
          "steps": 1e4, "names": ["a", "b"], "pos": {"kind": "sinusoidal"}, "maybe": null})");
  EXPECT_EQ(r.get_int("d_model", 0, 1), 64);
  EXPECT_EQ(r.get_int("missing", 7), 7);
  EXPECT_EQ(r.get_int_required("steps"), 10000);
  EXPECT_DOUBLE_EQ(r.get_float("dropout", 0.0, 0.0, 1.0), 0.1);
  EXPECT_DOUBLE_EQ(r.get_float("d_model", 0.0), 64.0);  // integers are numbers too
  EXPECT_TRUE(r.get_bool("causal", false));
  EXPECT_EQ(r.get_string_enum("act", "relu", {"relu", "gelu"}), "gelu");
  EXPECT_EQ(r.get_int_list("dims", {}), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(r.get_string_list("names", {}), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(r.get_int_optional("maybe").has_value());
  auto pos = r.get_object("pos");
  EXPECT_EQ(pos.get_string("kind", ""), "sinusoidal");
  pos.finish();
  EXPECT_TRUE(r.has("causal"));
  EXPECT_NO_THROW(r.finish());
}

TEST(JsonObjectReader, NegativeSizeNamesContextKeyRangeAndValue) {
  auto r = reader(R"({"d_model": -4})", "examples/c.json: model");
  EXPECT_EQ(error_of([&] { r.get_int("d_model", 64, 1); }),
            "examples/c.json: model.d_model: expected an integer >= 1, got -4");
  EXPECT_EQ(error_of([&] { r.get_int_required("d_model", 0, 10); }),
            "examples/c.json: model.d_model: expected an integer in [0, 10], got -4");
}

TEST(JsonObjectReader, WrongTypes) {
  auto r = reader(R"({"dropout": "x", "layers": 2.5, "flag": 1, "name": 3, "dims": [1, "2"],
                      "act": "swish", "sub": [], "big": 18446744073709551615})");
  EXPECT_EQ(error_of([&] { r.get_float("dropout", 0.0); }),
            "c.json: model.dropout: expected a number, got \"x\"");
  EXPECT_EQ(error_of([&] { r.get_float("dropout", 0.0, 0.0, 1.0); }),
            "c.json: model.dropout: expected a number in [0, 1], got \"x\"");
  EXPECT_EQ(error_of([&] { r.get_int("layers", 1); }),
            "c.json: model.layers: expected an integer, got 2.5");
  EXPECT_EQ(error_of([&] { r.get_bool("flag", false); }),
            "c.json: model.flag: expected true or false, got 1");
  EXPECT_EQ(error_of([&] { r.get_string("name", ""); }),
            "c.json: model.name: expected a string, got 3");
  EXPECT_EQ(error_of([&] { r.get_int_list("dims", {}, 1); }),
            "c.json: model.dims[1]: expected an integer >= 1, got \"2\"");
  EXPECT_EQ(error_of([&] { r.get_int_list("act", {}, 1); }),
            "c.json: model.act: expected a list of integers >= 1, got \"swish\"");
  EXPECT_EQ(error_of([&] {
              r.get_string_enum("act", "relu", {"relu", "gelu"});
            }),
            "c.json: model.act: expected one of \"relu\", \"gelu\", got \"swish\"");
  EXPECT_EQ(error_of([&] { r.get_object("sub"); }),
            "c.json: model.sub: expected an object, got []");
  EXPECT_EQ(error_of([&] { r.get_int("big", 0); }),
            "c.json: model.big: expected an integer, got 18446744073709551615");
  EXPECT_DOUBLE_EQ(r.get_float("absent", 0.25, 0.0, 1.0), 0.25);  // defaults are not checked
}

TEST(JsonObjectReader, RangeOnFloats) {
  auto r = reader(R"({"dropout": 1.5})");
  EXPECT_EQ(error_of([&] { r.get_float("dropout", 0.0, 0.0, 1.0); }),
            "c.json: model.dropout: expected a number in [0, 1], got 1.5");
}

TEST(JsonObjectReader, MissingRequiredKey) {
  auto r = reader(R"({})");
  EXPECT_EQ(error_of([&] { r.get_int_required("vocab_size"); }),
            "c.json: model.vocab_size: missing required key");
  EXPECT_EQ(error_of([&] { r.get_object("encoder"); }),
            "c.json: model.encoder: missing required key");
}

TEST(JsonObjectReader, NotAnObject) {
  EXPECT_EQ(error_of([] { JsonObjectReader(nlohmann::json::parse("[1]"), "c.json: model"); }),
            "c.json: model: expected an object, got [1]");
}

TEST(JsonObjectReader, UnknownKeySuggestsClosest) {
  auto r = reader(R"({"d_modle": 64, "num_heads": 2})");
  r.get_int("d_model", 32);
  r.get_int("num_heads", 1);
  r.get_float("dropout", 0.0);
  EXPECT_EQ(error_of([&] { r.finish(); }),
            "c.json: model: unknown key \"d_modle\" (did you mean \"d_model\"?); "
            "known keys: d_model, dropout, num_heads");
}

TEST(JsonObjectReader, SeveralUnknownKeysAndNoSuggestionForFarKeys) {
  auto r = reader(R"({"NUM_HEADS": 2, "zzzzzzzz": 1})", "top.json");
  r.get_int("num_heads", 1);
  const std::string msg = error_of([&] { r.finish(); });
  EXPECT_EQ(msg,
            "top.json: unknown keys \"NUM_HEADS\" (did you mean \"num_heads\"?), \"zzzzzzzz\"; "
            "known keys: num_heads");
}

TEST(JsonObjectReader, NestedContextsCompose) {
  auto top = reader(R"({"model": {"encoder": {"layers": 0}}})", "x.json");
  auto enc = top.get_object("model").get_object("encoder");
  EXPECT_EQ(error_of([&] { enc.get_int("layers", 1, 1, 48); }),
            "x.json: model.encoder.layers: expected an integer in [1, 48], got 0");
  EXPECT_EQ(top.where("model"), "x.json: model");
  auto empty = top.get_object_or_empty("training");
  EXPECT_EQ(empty.get_int("epochs", 3), 3);
  EXPECT_NO_THROW(empty.finish());
}

TEST(EditDistance, Basics) {
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("d_modle", "d_model"), 2u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

}  // namespace
}  // namespace attn
