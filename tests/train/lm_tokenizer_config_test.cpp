// The decoder LM "tokenizer" section with "type": "sentencepiece": the model
// path is resolved against the config's folder (so the saved config.json still
// names the same file), the section round-trips, and one test per bad field;
// the evaluation start token of a SentencePiece LM is its "\n" piece.
#include <gtest/gtest.h>

#include "attn/data/sentencepiece_trainer.h"
#include "attn/train/lm_config.h"
#include "attn/train/lm_run.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

nlohmann::json lm_config(const nlohmann::json& tokenizer) {
  return {{"tokenizer", tokenizer}, {"model", {{"type", "decoder_lm"}, {"vocab_size", 512}}}};
}

TEST(LmTokenizerConfig, RelativeModelPathIsResolvedAgainstTheConfigFolder) {
  const auto c = train::parse_lm_run_config(
      lm_config({{"type", "sentencepiece"}, {"model", "../tok/kjv_bpe"}}), "/data/cfg/lm.json");
  EXPECT_EQ(c.tokenizer.type, "sentencepiece");
  EXPECT_EQ(c.tokenizer.model, "/data/tok/kjv_bpe");
  // Saved into a run directory and read back from there: still the same path.
  const auto again = train::parse_lm_run_config(train::to_json(c), "/runs/x/config.json");
  EXPECT_EQ(again.tokenizer.model, "/data/tok/kjv_bpe");
  EXPECT_EQ(train::to_json(again), train::to_json(c));
  EXPECT_FALSE(train::to_json(c)["tokenizer"].contains("max_tokens"));
}

TEST(LmTokenizerConfig, RelativeConfigFileGivesAnAbsolutePath) {
  const auto c = train::parse_lm_run_config(
      lm_config({{"type", "sentencepiece"}, {"model", "tok/tokenizer.json"}}), "examples/lm.json");
  EXPECT_TRUE(fs::path(c.tokenizer.model).is_absolute()) << c.tokenizer.model;
  EXPECT_EQ(fs::path(c.tokenizer.model), fs::absolute("examples/tok/tokenizer.json"));
}

TEST(LmTokenizerConfig, CharSectionIsUnchanged) {
  const auto c =
      train::parse_lm_run_config(lm_config({{"type", "char"}, {"max_tokens", 40}}), "lm.json");
  EXPECT_EQ(train::to_json(c)["tokenizer"], (nlohmann::json{{"type", "char"}, {"max_tokens", 40}}));
}

TEST(LmTokenizerConfig, SentencePieceNeedsAModel) {
  const std::string e = error_of([] {
    train::parse_lm_run_config(lm_config({{"type", "sentencepiece"}}), "lm.json");
  });
  EXPECT_NE(e.find("lm.json: tokenizer.model"), std::string::npos) << e;
}

TEST(LmTokenizerConfig, SentencePieceModelMustBeAString) {
  const std::string e = error_of([] {
    train::parse_lm_run_config(lm_config({{"type", "sentencepiece"}, {"model", 3}}), "lm.json");
  });
  EXPECT_NE(e.find("tokenizer.model"), std::string::npos) << e;
  EXPECT_NE(e.find("a string"), std::string::npos) << e;
}

TEST(LmTokenizerConfig, SentencePieceModelMustNotBeEmpty) {
  const std::string e = error_of([] {
    train::parse_lm_run_config(lm_config({{"type", "sentencepiece"}, {"model", ""}}), "lm.json");
  });
  EXPECT_NE(e.find("lm.json: tokenizer.model: expected a path"), std::string::npos) << e;
}

TEST(LmTokenizerConfig, MaxTokensDoesNotApplyToSentencePiece) {
  const std::string e = error_of([] {
    train::parse_lm_run_config(
        lm_config({{"type", "sentencepiece"}, {"model", "tok"}, {"max_tokens", 10}}), "lm.json");
  });
  EXPECT_NE(e.find("max_tokens"), std::string::npos) << e;
}

TEST(LmTokenizerConfig, UnknownTypeListsTheChoices) {
  const std::string e = error_of([] {
    train::parse_lm_run_config(lm_config({{"type", "bpe"}, {"model", "t"}}), "lm.json");
  });
  EXPECT_NE(e.find("sentencepiece"), std::string::npos) << e;
}

TEST(LmStartToken, SentencePieceUsesTheNewlinePiece) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "and the word was light " + std::to_string(i) + "\n";
  SentencePieceTrainOptions o;
  o.vocab_size = 300;
  o.threads = 1;
  const SentencePieceTokenizer tok = train_sentencepiece({text}, o);
  EXPECT_EQ(train::lm_start_token(tok), 2);
  EXPECT_EQ(tok.token(train::lm_start_token(tok)), "\n");
}

}  // namespace
}  // namespace attn::test
