// sample_next on hand-made distributions: greedy, top-k and top-p support, repetition
// penalty, reproducibility per (seed, stream, step), and one test per bad option.
#include "attn/generate/sampling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "attn/core/error.h"
#include "test_util.h"

namespace attn::test {
namespace {

using generate::sample_next;
using generate::SamplingOptions;

std::vector<float> log_probs(const std::vector<float>& p) {
  std::vector<float> z;
  for (float v : p) z.push_back(std::log(v));
  return z;
}

// The ids drawn over `draws` steps (stream 0).
std::vector<int> draw_counts(const std::vector<float>& logits, const SamplingOptions& opt,
                             int draws) {
  std::vector<int> counts(logits.size(), 0);
  for (int s = 0; s < draws; ++s)
    ++counts[static_cast<std::size_t>(
        sample_next(logits, opt, {}, 0, static_cast<std::uint64_t>(s)))];
  return counts;
}

std::set<int> support(const std::vector<int>& counts) {
  std::set<int> s;
  for (std::size_t i = 0; i < counts.size(); ++i)
    if (counts[i] > 0) s.insert(static_cast<int>(i));
  return s;
}

TEST(GenerateSampling, TemperatureZeroIsArgmaxWithTiesToLowestId) {
  SamplingOptions o;
  o.temperature = 0.0f;
  EXPECT_EQ(sample_next(std::vector<float>{0.1f, 3.0f, -2.0f, 2.9f}, o, {}, 0, 0), 1);
  EXPECT_EQ(sample_next(std::vector<float>{0.1f, 3.0f, -2.0f, 3.0f}, o, {}, 5, 9), 1);
  // The seed, stream and step do not matter for greedy.
  o.seed = 77;
  EXPECT_EQ(sample_next(std::vector<float>{-5.0f, -4.0f, -4.5f}, o, {}, 3, 1), 1);
}

TEST(GenerateSampling, FullDistributionFrequenciesMatchProbabilities) {
  SamplingOptions o;
  const auto counts = draw_counts(log_probs({0.5f, 0.3f, 0.15f, 0.05f}), o, 8000);
  EXPECT_NEAR(counts[0] / 8000.0, 0.5, 0.03);
  EXPECT_NEAR(counts[1] / 8000.0, 0.3, 0.03);
  EXPECT_NEAR(counts[2] / 8000.0, 0.15, 0.02);
  EXPECT_NEAR(counts[3] / 8000.0, 0.05, 0.015);
}

TEST(GenerateSampling, TopKKeepsExactlyTheKBest) {
  SamplingOptions o;
  o.top_k = 2;
  const auto logits = log_probs({0.1f, 0.4f, 0.2f, 0.3f});
  EXPECT_EQ(support(draw_counts(logits, o, 2000)), (std::set<int>{1, 3}));
  o.top_k = 3;
  EXPECT_EQ(support(draw_counts(logits, o, 2000)), (std::set<int>{1, 2, 3}));
  o.top_k = 1;
  EXPECT_EQ(support(draw_counts(logits, o, 500)), (std::set<int>{1}));
  o.top_k = 10;  // more than the vocabulary: no limit
  EXPECT_EQ(support(draw_counts(logits, o, 2000)), (std::set<int>{0, 1, 2, 3}));
}

TEST(GenerateSampling, TopPKeepsTheSmallestNucleus) {
  SamplingOptions o;
  const auto logits = log_probs({0.5f, 0.3f, 0.15f, 0.05f});
  o.top_p = 0.8f;
  EXPECT_EQ(support(draw_counts(logits, o, 2000)), (std::set<int>{0, 1}));
  o.top_p = 0.81f;
  EXPECT_EQ(support(draw_counts(logits, o, 2000)), (std::set<int>{0, 1, 2}));
  o.top_p = 0.3f;  // below the top token's mass: the top token alone
  EXPECT_EQ(support(draw_counts(logits, o, 500)), (std::set<int>{0}));
  // Order does not matter: the nucleus follows probability, not id.
  o.top_p = 0.8f;
  EXPECT_EQ(support(draw_counts(log_probs({0.05f, 0.3f, 0.15f, 0.5f}), o, 2000)),
            (std::set<int>{1, 3}));
}

TEST(GenerateSampling, TopKThenTopP) {
  SamplingOptions o;
  o.top_k = 3;      // keeps 0.5, 0.3, 0.15 (renormalised: 0.526, 0.316, 0.158)
  o.top_p = 0.85f;  // 0.526 + 0.316 = 0.842 < 0.85: the third stays
  EXPECT_EQ(support(draw_counts(log_probs({0.5f, 0.3f, 0.15f, 0.05f}), o, 3000)),
            (std::set<int>{0, 1, 2}));
}

TEST(GenerateSampling, RepetitionPenaltyDividesPositiveAndMultipliesNegativeLogits) {
  SamplingOptions o;
  o.temperature = 0.0f;
  o.repetition_penalty = 1.5f;
  const std::vector<float> pos{2.0f, 1.9f, -1.0f};
  EXPECT_EQ(sample_next(pos, o, {}, 0, 0), 0);   // nothing seen yet
  EXPECT_EQ(sample_next(pos, o, {0}, 0, 0), 1);  // 2.0 / 1.5 < 1.9
  const std::vector<float> neg{-1.0f, -1.2f};
  EXPECT_EQ(sample_next(neg, o, {0}, 0, 0), 1);  // -1.0 * 1.5 < -1.2
  // Each distinct token is penalised once, however often it occurs.
  o.repetition_penalty = 1.2f;
  EXPECT_EQ(sample_next(std::vector<float>{2.0f, 1.5f}, o, {0, 0, 0}, 0, 0), 0);  // 1.67 > 1.5
  o.repetition_penalty = 1.0f;
  EXPECT_EQ(sample_next(pos, o, {0}, 0, 0), 0);
}

TEST(GenerateSampling, SameSeedStreamAndStepReproduceDifferentSeedsDiffer) {
  const std::vector<float> flat(50, 0.0f);  // uniform over 50 ids
  SamplingOptions a, b;
  a.seed = 1;
  b.seed = 2;
  std::vector<int> xa, xa2, xb, xs;
  for (std::uint64_t s = 0; s < 40; ++s) {
    xa.push_back(sample_next(flat, a, {}, 3, s));
    xa2.push_back(sample_next(flat, a, {}, 3, s));
    xb.push_back(sample_next(flat, b, {}, 3, s));
    xs.push_back(sample_next(flat, a, {}, 4, s));  // another stream (batch row)
  }
  EXPECT_EQ(xa, xa2);
  EXPECT_NE(xa, xb);
  EXPECT_NE(xa, xs);
}

TEST(GenerateSampling, HistoryTokenOutsideVocabularyThrows) {
  SamplingOptions o;
  o.repetition_penalty = 1.3f;
  EXPECT_NE(error_of([&] {
              sample_next(std::vector<float>{1, 2}, o, {2}, 0, 0);
            }).find("history token 2"),
            std::string::npos);
}

// One test per bad option.
SamplingOptions with(void (*set)(SamplingOptions&)) {
  SamplingOptions o;
  set(o);
  return o;
}
std::string bad(const SamplingOptions& o) {
  return error_of([&] { sample_next(std::vector<float>{1, 2, 3}, o, {}, 0, 0); });
}
TEST(GenerateSampling, NegativeTemperatureThrows) {
  EXPECT_NE(bad(with([](SamplingOptions& o) { o.temperature = -0.5f; })).find("temperature"),
            std::string::npos);
}
TEST(GenerateSampling, TopPZeroThrows) {
  EXPECT_NE(bad(with([](SamplingOptions& o) { o.top_p = 0.0f; })).find("top_p"), std::string::npos);
}
TEST(GenerateSampling, TopPAboveOneThrows) {
  EXPECT_NE(bad(with([](SamplingOptions& o) { o.top_p = 1.5f; })).find("top_p"), std::string::npos);
}
TEST(GenerateSampling, NegativeTopKThrows) {
  EXPECT_NE(bad(with([](SamplingOptions& o) { o.top_k = -1; })).find("top_k"), std::string::npos);
}
TEST(GenerateSampling, ZeroRepetitionPenaltyThrows) {
  EXPECT_NE(
      bad(with([](SamplingOptions& o) { o.repetition_penalty = 0.0f; })).find("repetition_penalty"),
      std::string::npos);
}
TEST(GenerateSampling, NegativeRepetitionPenaltyThrows) {
  EXPECT_NE(bad(with([](SamplingOptions& o) {
              o.repetition_penalty = -1.0f;
            })).find("repetition_penalty"),
            std::string::npos);
}

}  // namespace
}  // namespace attn::test
