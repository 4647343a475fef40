// generate() on a random 2-layer DecoderLM: cache vs no cache, batch vs alone,
// reproducible sampling, empty prompts, streaming, stop sequences, context overflow
// (error and sliding window) and bad options.
#include "attn/generate/generator.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace attn::test {
namespace {

using generate::ContextOverflow;
using generate::GenerateOptions;
using Ids = std::vector<std::vector<std::int32_t>>;

models::DecoderLMConfig config() {
  models::DecoderLMConfig c;
  c.vocab_size = 23;
  c.block_size = 32;
  c.d_model = 32;
  c.num_heads = 4;
  c.num_layers = 2;
  return c;
}

const models::DecoderLM& model() {
  static const models::DecoderLM m(config(), 11);
  return m;
}

const Ids kPrompts{{1, 2, 3, 4, 5}, {7, 8}, {20, 19, 18, 17, 16, 15, 14, 13}};

GenerateOptions greedy(std::int64_t n) {
  GenerateOptions o;
  o.max_new_tokens = n;
  o.sampling.temperature = 0.0f;
  return o;
}

TEST(GenerateGenerator, GreedyIsIdenticalWithAndWithoutCache) {
  GenerateOptions o = greedy(12);
  const Ids cached = generate::generate(model(), kPrompts, o);
  o.use_kv_cache = false;
  const Ids plain = generate::generate(model(), kPrompts, o);
  EXPECT_EQ(cached, plain);
  for (const auto& r : cached) EXPECT_EQ(r.size(), 12u);
}

TEST(GenerateGenerator, BatchRowEqualsDecodingTheRowAlone) {
  const GenerateOptions o = greedy(10);
  const Ids batch = generate::generate(model(), kPrompts, o);
  for (std::size_t r = 0; r < kPrompts.size(); ++r)
    EXPECT_EQ(generate::generate(model(), {kPrompts[r]}, o)[0], batch[r]) << "row " << r;
}

TEST(GenerateGenerator, SamplingIsReproducibleAndSeedDependent) {
  GenerateOptions o;
  o.max_new_tokens = 10;
  o.sampling.seed = 5;
  const Ids a = generate::generate(model(), kPrompts, o);
  EXPECT_EQ(generate::generate(model(), kPrompts, o), a);
  // Row 0 draws from stream 0 whether or not other rows share its batch.
  EXPECT_EQ(generate::generate(model(), {kPrompts[0]}, o)[0], a[0]);
  o.use_kv_cache = false;  // the draws do not depend on the cache either
  EXPECT_EQ(generate::generate(model(), kPrompts, o), a);
  o.use_kv_cache = true;
  o.sampling.seed = 6;
  EXPECT_NE(generate::generate(model(), kPrompts, o), a);
}

TEST(GenerateGenerator, EmptyPromptStartsFromBos) {
  GenerateOptions o = greedy(6);
  o.bos_id = 9;
  const Ids got = generate::generate(model(), {{}, {1, 2}}, o);
  EXPECT_EQ(got[0], generate::generate(model(), {{9}}, o)[0]);
  EXPECT_EQ(got[1], generate::generate(model(), {{1, 2}}, o)[0]);
}

TEST(GenerateGenerator, StreamsEveryTokenInOrder) {
  GenerateOptions o = greedy(7);
  Ids streamed(kPrompts.size());
  o.on_token = [&](std::size_t row, std::int32_t tok) { streamed.at(row).push_back(tok); };
  EXPECT_EQ(generate::generate(model(), kPrompts, o), streamed);
}

TEST(GenerateGenerator, StopSequencesEndARow) {
  const Ids full = generate::generate(model(), kPrompts, greedy(12));
  GenerateOptions o = greedy(12);
  // Row 0 stops at the first occurrence of its 4th token; a two-token sequence taken
  // from row 2 stops that row right after it.
  const std::int32_t stop_id = full[0][3];
  o.stop_sequences = {{stop_id}, {full[2][4], full[2][5]}};
  const Ids got = generate::generate(model(), kPrompts, o);
  for (std::size_t r = 0; r < full.size(); ++r) {
    std::size_t end = full[r].size();
    for (std::size_t i = 0; i < full[r].size(); ++i) {
      const bool one = full[r][i] == stop_id;
      const bool two = i >= 1 && full[r][i - 1] == full[2][4] && full[r][i] == full[2][5];
      if (one || two) {
        end = i + 1;
        break;
      }
    }
    EXPECT_EQ(got[r], std::vector<std::int32_t>(full[r].begin(), full[r].begin() + end))
        << "row " << r;
  }
  EXPECT_LE(got[0].size(), 4u);
  EXPECT_LE(got[2].size(), 6u);
}

TEST(GenerateGenerator, ZeroNewTokensGivesEmptyRows) {
  const Ids got = generate::generate(model(), kPrompts, greedy(0));
  EXPECT_EQ(got, Ids(3));
}

TEST(GenerateGenerator, ContextOverflowIsAClearError) {
  // 28 prompt tokens + 5 new need 32 slots (the last token is not fed back): fits.
  const Ids fits{std::vector<std::int32_t>(28, 1)};
  EXPECT_EQ(generate::generate(model(), fits, greedy(5))[0].size(), 5u);
  const Ids too_long{std::vector<std::int32_t>(29, 1)};
  const std::string e = error_of([&] { generate::generate(model(), too_long, greedy(5)); });
  EXPECT_NE(e.find("29 tokens"), std::string::npos) << e;
  EXPECT_NE(e.find("block_size 32"), std::string::npos) << e;
}

TEST(GenerateGenerator, SlidingWindowMatchesRecomputationPastTheBlock) {
  GenerateOptions o = greedy(20);
  o.overflow = ContextOverflow::slide;
  // 40 tokens: longer than the block before the first step; 25: crosses it midway.
  std::vector<std::int32_t> long_prompt, mid_prompt;
  for (int i = 0; i < 40; ++i) long_prompt.push_back(i % 23);
  for (int i = 0; i < 25; ++i) mid_prompt.push_back((7 * i) % 23);
  const Ids prompts{long_prompt, mid_prompt, {3}};
  const Ids cached = generate::generate(model(), prompts, o);
  o.use_kv_cache = false;
  EXPECT_EQ(generate::generate(model(), prompts, o), cached);
  for (const auto& r : cached) EXPECT_EQ(r.size(), 20u);
  // The window really is the last block_size tokens: dropping what falls outside it
  // does not change the first token.
  GenerateOptions one = greedy(1);
  EXPECT_EQ(generate::generate(model(), {{long_prompt.end() - 32, long_prompt.end()}}, one)[0][0],
            cached[0][0]);
}

TEST(GenerateGenerator, NegativeMaxNewTokensThrows) {
  EXPECT_NE(
      error_of([&] { generate::generate(model(), kPrompts, greedy(-1)); }).find("max_new_tokens"),
      std::string::npos);
}

TEST(GenerateGenerator, EmptyStopSequenceThrows) {
  GenerateOptions o = greedy(3);
  o.stop_sequences = {{}};
  EXPECT_NE(error_of([&] { generate::generate(model(), kPrompts, o); }).find("stop sequence 0"),
            std::string::npos);
}

TEST(GenerateGenerator, BosOutsideVocabularyThrows) {
  GenerateOptions o = greedy(3);
  o.bos_id = 23;
  EXPECT_NE(error_of([&] { generate::generate(model(), {{}}, o); }).find("bos id 23"),
            std::string::npos);
}

TEST(GenerateGenerator, BadSamplingOptionThrows) {
  GenerateOptions o = greedy(3);
  o.sampling.top_p = 0.0f;
  EXPECT_NE(error_of([&] { generate::generate(model(), kPrompts, o); }).find("top_p"),
            std::string::npos);
}

TEST(GenerateGenerator, PromptTokenOutsideVocabularyThrows) {
  EXPECT_NE(error_of([&] {
              generate::generate(model(), {{1, 99}}, greedy(2));
            }).find("99"),
            std::string::npos);
}

}  // namespace
}  // namespace attn::test
