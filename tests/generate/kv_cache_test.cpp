// DecoderLM::forward_step over a KV cache against a full forward() recomputation, at
// every step, for a batch of prompts of different lengths (right-padded prefill, then
// single tokens, a two-token step and a row that sits a step out).
#include <gtest/gtest.h>

#include "attn/models/decoder_lm.h"
#include "test_util.h"

namespace attn::test {
namespace {

models::DecoderLMConfig small_config(nn::Positional pos, bool tied) {
  models::DecoderLMConfig c;
  c.vocab_size = 17;
  c.block_size = 24;
  c.d_model = 16;
  c.num_heads = 2;
  c.num_layers = 2;
  c.dropout = 0.1f;  // must be inactive at inference
  c.positional = pos;
  c.tie_embeddings = tied;
  return c;
}

// Row `tokens` alone through forward(): logits [1, T, V].
Tensor full_logits(const models::DecoderLM& m, const std::vector<std::int32_t>& tokens) {
  Context ctx;
  return m.forward(ctx, tokens, 1, static_cast<std::int64_t>(tokens.size())).value();
}

// Feeds per-row token chunks (right-padded into one call) and checks every real
// position's logits against the full recomputation of that row.
void step_and_check(const models::DecoderLM& m, models::KVCache& cache,
                    std::vector<std::vector<std::int32_t>>& seen,
                    const std::vector<std::vector<std::int32_t>>& chunks) {
  const auto b_n = static_cast<std::int64_t>(chunks.size());
  std::int64_t t = 1;
  std::vector<std::int64_t> counts;
  for (const auto& c : chunks) {
    counts.push_back(static_cast<std::int64_t>(c.size()));
    t = std::max(t, counts.back());
  }
  std::vector<std::int32_t> ids(static_cast<std::size_t>(b_n * t), 3);  // 3: padding
  for (std::int64_t b = 0; b < b_n; ++b)
    std::copy(chunks[b].begin(), chunks[b].end(), ids.begin() + b * t);
  const Tensor got = m.forward_step(ids, b_n, t, cache, counts);
  const std::int64_t v = m.config().vocab_size;
  ASSERT_EQ(got.shape(), (Shape{b_n, t, v}));
  for (std::int64_t b = 0; b < b_n; ++b) {
    const std::size_t before = seen[b].size();
    seen[b].insert(seen[b].end(), chunks[b].begin(), chunks[b].end());
    EXPECT_EQ(cache.length[b], static_cast<std::int64_t>(seen[b].size()));
    if (chunks[b].empty()) continue;
    const Tensor want = full_logits(m, seen[b]);
    for (std::int64_t i = 0; i < counts[b]; ++i) {
      Tensor g = Tensor::from(
          {v}, std::vector<float>(got.data() + (b * t + i) * v, got.data() + (b * t + i + 1) * v));
      const std::int64_t p = static_cast<std::int64_t>(before) + i;
      Tensor w =
          Tensor::from({v}, std::vector<float>(want.data() + p * v, want.data() + (p + 1) * v));
      EXPECT_TRUE(all_close_normwise(g, w, 1e-5f)) << "row " << b << " position " << p;
    }
  }
}

void check_model(nn::Positional pos, bool tied) {
  const models::DecoderLM m(small_config(pos, tied), 7);
  models::KVCache cache = m.new_cache(3);
  std::vector<std::vector<std::int32_t>> seen(3);
  step_and_check(m, cache, seen, {{1, 5, 9, 2, 16}, {4, 0}, {7, 7, 8, 1, 0, 12, 6}});
  for (int s = 0; s < 6; ++s)
    step_and_check(m, cache, seen,
                   {{static_cast<std::int32_t>(s)},
                    {static_cast<std::int32_t>(2 * s + 1)},
                    {static_cast<std::int32_t>(16 - s)}});
  step_and_check(m, cache, seen, {{11, 12}, {}, {13}});  // row 1 sits this step out
  step_and_check(m, cache, seen, {{1}, {2}, {3}});
}

TEST(GenerateKVCache, LogitsEqualFullRecomputationLearnedTied) {
  check_model(nn::Positional::learned, true);
}

TEST(GenerateKVCache, LogitsEqualFullRecomputationSinusoidalUntied) {
  check_model(nn::Positional::sinusoidal, false);
}

TEST(GenerateKVCache, ResetStartsRowsAgain) {
  const models::DecoderLM m(small_config(nn::Positional::learned, true), 3);
  models::KVCache cache = m.new_cache(2);
  std::vector<std::vector<std::int32_t>> seen(2);
  step_and_check(m, cache, seen, {{1, 2, 3}, {4}});
  cache.reset();
  seen.assign(2, {});
  step_and_check(m, cache, seen, {{9}, {8, 7, 6}});
}

TEST(GenerateKVCache, OverflowingTheCapacityThrows) {
  const models::DecoderLM m(small_config(nn::Positional::learned, true), 3);
  models::KVCache cache = m.new_cache(1, 4);
  m.forward_step({1, 2, 3}, 1, 3, cache);
  m.forward_step({4}, 1, 1, cache);
  const std::string e = error_of([&] { m.forward_step({5}, 1, 1, cache); });
  EXPECT_NE(e.find("capacity 4"), std::string::npos) << e;
  EXPECT_EQ(cache.length[0], 4);  // nothing appended by the failed call
}

TEST(GenerateKVCache, CapacityAboveBlockSizeThrows) {
  const models::DecoderLM m(small_config(nn::Positional::learned, true), 3);
  EXPECT_NE(error_of([&] { m.new_cache(1, 25); }).find("block_size = 24"), std::string::npos);
}

TEST(GenerateKVCache, CacheForAnotherBatchThrows) {
  const models::DecoderLM m(small_config(nn::Positional::learned, true), 3);
  models::KVCache cache = m.new_cache(2);
  EXPECT_NE(error_of([&] { m.forward_step({1}, 1, 1, cache); }).find("cache is for 2 rows"),
            std::string::npos);
}

TEST(GenerateKVCache, TokenOutsideVocabularyThrows) {
  const models::DecoderLM m(small_config(nn::Positional::learned, true), 3);
  models::KVCache cache = m.new_cache(1);
  EXPECT_NE(error_of([&] { m.forward_step({17}, 1, 1, cache); }).find("token id 17"),
            std::string::npos);
}

}  // namespace
}  // namespace attn::test
