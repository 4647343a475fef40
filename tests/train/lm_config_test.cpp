// The decoder_lm "model" section: strict parsing (one test per bad field), round trip,
// and `attn summary` on the example configs (gpt_10m must report its 10.8 M parameters).
#include "attn/train/lm_config.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace attn::test {
namespace {

nlohmann::json good_model() {
  return {{"type", "decoder_lm"}, {"vocab_size", 11}, {"block_size", 8},        {"d_model", 16},
          {"num_layers", 2},      {"num_heads", 2},   {"positional", "learned"}};
}

models::DecoderLMConfig parse(const nlohmann::json& model) {
  const nlohmann::json root{{"model", model}};
  return train::parse_decoder_lm_config(JsonObjectReader(root, "lm.json").get_object("model"));
}

std::string parse_error(const nlohmann::json& model) {
  return error_of([&] { parse(model); });
}

TEST(DecoderLMConfig, ParsesDefaultsAndRoundTrips) {
  const auto c = parse(good_model());
  EXPECT_EQ(c.vocab_size, 11);
  EXPECT_EQ(c.ff_size(), 64);  // d_ff absent: 4 * d_model
  EXPECT_TRUE(c.tie_embeddings);
  EXPECT_TRUE(c.bias);
  EXPECT_EQ(c.activation, nn::Activation::gelu);
  const auto again = parse(train::to_json(c));
  EXPECT_EQ(train::to_json(again), train::to_json(c));
}

TEST(DecoderLMConfig, DetectsTheModelType) {
  EXPECT_TRUE(train::is_decoder_lm_config({{"model", good_model()}}));
  EXPECT_FALSE(train::is_decoder_lm_config({{"model", {{"d_model", 8}}}}));
  EXPECT_FALSE(train::is_decoder_lm_config({{"model", 3}}));
}

TEST(DecoderLMConfig, RejectsDModelNotDivisibleByHeads) {
  auto m = good_model();
  m["num_heads"] = 3;
  const auto e = parse_error(m);
  EXPECT_NE(e.find("lm.json: model.d_model"), std::string::npos) << e;
  EXPECT_NE(e.find("num_heads (3)"), std::string::npos) << e;
}

TEST(DecoderLMConfig, RejectsBlockSizeBelowOne) {
  auto m = good_model();
  m["block_size"] = 0;
  EXPECT_NE(parse_error(m).find("model.block_size"), std::string::npos);
}

TEST(DecoderLMConfig, RejectsUnknownPositional) {
  auto m = good_model();
  m["positional"] = "rotary";
  const auto e = parse_error(m);
  EXPECT_NE(e.find("model.positional"), std::string::npos) << e;
  EXPECT_NE(e.find("rotary"), std::string::npos) << e;
}

TEST(DecoderLMConfig, RejectsPositionalNone) {
  auto m = good_model();
  m["positional"] = "none";
  EXPECT_NE(parse_error(m).find("model.positional"), std::string::npos);
}

TEST(DecoderLMConfig, RejectsUnknownKey) {
  auto m = good_model();
  m["d_modle"] = 16;
  const auto e = parse_error(m);
  EXPECT_NE(e.find("d_modle"), std::string::npos) << e;
}

TEST(DecoderLMConfig, RequiresVocabSize) {
  auto m = good_model();
  m.erase("vocab_size");
  EXPECT_NE(parse_error(m).find("vocab_size"), std::string::npos);
}

TEST(DecoderLMConfig, RejectsDropoutOfOne) {
  auto m = good_model();
  m["dropout"] = 1.0;
  EXPECT_NE(parse_error(m).find("model.dropout"), std::string::npos);
}

TEST(DecoderLMConfig, RejectsNonBooleanTie) {
  auto m = good_model();
  m["tie_embeddings"] = "yes";
  EXPECT_NE(parse_error(m).find("model.tie_embeddings"), std::string::npos);
}

TEST(DecoderLMConfig, ValidateNamesTheField) {
  models::DecoderLMConfig c;
  c.num_heads = 5;
  EXPECT_NE(error_of([&] { c.validate(); }).find("model.d_model (384)"), std::string::npos);
  c = {};
  c.block_size = 0;
  EXPECT_NE(error_of([&] { c.validate(); }).find("model.block_size"), std::string::npos);
}

// GPT parameter count from the architecture: embedding V·C, positions T·C, per block
// 4 attention projections (C² + C) + FF (C·F + F + F·C + C) + two norms (2·2C), final norm 2C.
std::int64_t gpt_params(std::int64_t v, std::int64_t t, std::int64_t c, std::int64_t layers) {
  const std::int64_t f = 4 * c;
  return v * c + t * c + layers * (4 * (c * c + c) + (c * f + f + f * c + c) + 4 * c) + 2 * c;
}

// 10782720 -> "10,782,720", as the summary prints counts.
std::string with_commas(std::int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

TEST(DecoderLMSummary, Gpt10mReportsItsParameterCount) {
  const auto file = source_dir() / "examples" / "gpt_10m.json";
  const auto r = run_cli("summary --config " + file.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::int64_t n = gpt_params(96, 256, 384, 6);
  EXPECT_GT(n, 10'700'000);  // the "10.8 M GPT"
  EXPECT_LT(n, 10'850'000);
  EXPECT_NE(r.out.find("Total params: " + with_commas(n)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tied to embedding"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("layers.5"), std::string::npos) << r.out;
}

TEST(DecoderLMSummary, KjvCharExampleParses) {
  const auto file = source_dir() / "examples" / "kjv_char_lm.json";
  const auto r = run_cli("summary --config " + file.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string want = "Total params: " + with_commas(gpt_params(96, 128, 192, 4));
  EXPECT_NE(r.out.find(want), std::string::npos) << r.out;
}

TEST(DecoderLMSummary, BadModelSectionExitsTwoNamingTheKey) {
  const auto dir = make_temp_dir("lm_summary");
  nlohmann::json j{{"name", "x"}, {"model", good_model()}};
  j["model"]["num_heads"] = 3;
  write_file(dir / "c.json", j.dump());
  const auto r = run_cli("summary --config " + (dir / "c.json").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("model.d_model"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace attn::test
