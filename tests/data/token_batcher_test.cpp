#include "attn/data/token_batcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "attn/core/rng.h"
#include "test_util.h"

namespace attn {
namespace {

using test::error_of;

constexpr std::int32_t kPad = 0, kBos = 1, kEos = 2;

TokenBatcherOptions base_options(std::int64_t max_tokens) {
  TokenBatcherOptions o;
  o.max_tokens = max_tokens;
  o.pad_id = kPad;
  o.bos_id = kBos;
  o.eos_id = kEos;
  return o;
}

// n pairs. Target lengths are drawn log-uniformly from [1, max_len] (a wide,
// skewed spread like real sentences); the source is ~1.1x the target +- 2, as
// for translations. Token t of pair i is 1000*i + t + 3 (source) or
// 1000*i + t + 500 (target), so a test can tell where every token came from.
PairSet make_set(std::size_t n, std::int64_t max_len, std::uint64_t seed) {
  Rng rng(seed);
  PairSet set;
  for (std::size_t i = 0; i < n; ++i) {
    const auto t_len = static_cast<std::int64_t>(std::exp(rng.uniform() * std::log(max_len)));
    const std::int64_t jitter = static_cast<std::int64_t>(rng.below(5)) - 2;
    const std::int64_t s_len = std::max<std::int64_t>(1, t_len + t_len / 10 + jitter);
    std::vector<std::int32_t> src, tgt;
    for (std::int64_t t = 0; t < s_len; ++t)
      src.push_back(static_cast<std::int32_t>(1000 * i + static_cast<std::size_t>(t) + 3));
    for (std::int64_t t = 0; t < t_len; ++t)
      tgt.push_back(static_cast<std::int32_t>(1000 * i + static_cast<std::size_t>(t) + 500));
    set.source.push_back(src);
    set.target.push_back(tgt);
  }
  return set;
}

// Everything an epoch yields from the cursor on, flattened for comparisons.
struct Seen {
  std::vector<std::size_t> indices;
  std::vector<std::int32_t> ids;
  std::vector<std::int64_t> shapes;
  bool operator==(const Seen&) const = default;
};

Seen drain(TokenBatcher& b) {
  Seen s;
  PairBatch batch;
  while (b.next(batch)) {
    s.indices.insert(s.indices.end(), batch.indices.begin(), batch.indices.end());
    s.ids.insert(s.ids.end(), batch.src.begin(), batch.src.end());
    s.ids.insert(s.ids.end(), batch.tgt_in.begin(), batch.tgt_in.end());
    s.ids.insert(s.ids.end(), batch.tgt_out.begin(), batch.tgt_out.end());
    s.shapes.insert(s.shapes.end(), {batch.batch, batch.src_time, batch.tgt_time});
  }
  return s;
}

TEST(TokenBatcher, EveryPairExactlyOncePerEpoch) {
  const PairSet set = make_set(500, 60, 1);
  for (bool shuffle : {false, true}) {
    for (bool sort : {false, true}) {
      TokenBatcherOptions o = base_options(256);
      o.shuffle = shuffle;
      o.sort_by_length = sort;
      TokenBatcher b(&set, o);
      for (std::uint64_t epoch = 0; epoch < 3; ++epoch) {
        b.start_epoch(epoch, 7);
        std::vector<int> hits(set.source.size(), 0);
        std::size_t batches = 0;
        PairBatch batch;
        while (b.next(batch)) {
          ++batches;
          ASSERT_EQ(batch.indices.size(), static_cast<std::size_t>(batch.batch));
          for (std::size_t i : batch.indices) ++hits[i];
        }
        EXPECT_EQ(batches, b.num_batches());
        for (std::size_t i = 0; i < hits.size(); ++i)
          ASSERT_EQ(hits[i], 1) << "pair " << i << " shuffle " << shuffle << " sort " << sort;
      }
    }
  }
}

TEST(TokenBatcher, NoBatchExceedsMaxTokensExceptSingletons) {
  PairSet set = make_set(400, 80, 2);
  // Two pairs longer than the budget on their own.
  set.source.push_back(std::vector<std::int32_t>(300, 5));
  set.target.push_back(std::vector<std::int32_t>(10, 6));
  set.source.push_back(std::vector<std::int32_t>(4, 5));
  set.target.push_back(std::vector<std::int32_t>(200, 6));
  TokenBatcher b(&set, base_options(150));
  b.start_epoch(3, 11);
  std::size_t singletons = 0;
  PairBatch batch;
  while (b.next(batch)) {
    const std::int64_t padded = batch.batch * std::max(batch.src_time, batch.tgt_time);
    if (batch.batch == 1 && padded > 150) {
      ++singletons;
      continue;
    }
    EXPECT_LE(padded, 150) << batch.batch << " x " << batch.src_time << "/" << batch.tgt_time;
  }
  EXPECT_EQ(singletons, 2u);
  EXPECT_EQ(b.stats().oversized_batches, 2u);
}

TEST(TokenBatcher, TargetShiftAndPadding) {
  PairSet set;
  set.source = {{10, 11, 12}, {20}};
  set.target = {{30, 31}, {40, 41, 42, 43}};
  TokenBatcherOptions o = base_options(1000);
  o.ignore_index = -7;
  TokenBatcher b(&set, o);
  PairBatch batch;
  ASSERT_TRUE(b.next(batch));
  ASSERT_EQ(batch.batch, 2);
  ASSERT_EQ(batch.src_time, 3);
  ASSERT_EQ(batch.tgt_time, 5);
  // Sorted by target length: pair 0 (T=3) comes before pair 1 (T=5).
  ASSERT_EQ(batch.indices, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(batch.src, (std::vector<std::int32_t>{10, 11, 12, 20, kPad, kPad}));
  EXPECT_EQ(batch.tgt_in,
            (std::vector<std::int32_t>{kBos, 30, 31, kPad, kPad, kBos, 40, 41, 42, 43}));
  EXPECT_EQ(batch.tgt_out, (std::vector<std::int32_t>{30, 31, kEos, -7, -7, 40, 41, 42, 43, kEos}));
  const auto* sv = batch.src_valid.data_as<std::uint8_t>();
  EXPECT_EQ(std::vector<std::uint8_t>(sv, sv + 6), (std::vector<std::uint8_t>{1, 1, 1, 1, 0, 0}));
  const auto* tv = batch.tgt_valid.data_as<std::uint8_t>();
  EXPECT_EQ(std::vector<std::uint8_t>(tv, tv + 10),
            (std::vector<std::uint8_t>{1, 1, 1, 0, 0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(batch.src_valid.shape(), (Shape{2, 3}));
  EXPECT_EQ(batch.tgt_valid.shape(), (Shape{2, 5}));
  EXPECT_EQ(batch.src_tokens, 4);
  EXPECT_EQ(batch.tgt_tokens, 8);
  EXPECT_FALSE(b.next(batch));
}

TEST(TokenBatcher, ShiftHoldsOnEveryRowOfARealEpoch) {
  const PairSet set = make_set(300, 50, 3);
  TokenBatcher b(&set, base_options(200));
  b.start_epoch(1, 5);
  PairBatch batch;
  while (b.next(batch)) {
    const std::int64_t t_max = batch.tgt_time;
    for (std::int64_t r = 0; r < batch.batch; ++r) {
      const auto& tgt = set.target[batch.indices[static_cast<std::size_t>(r)]];
      const auto n = static_cast<std::int64_t>(tgt.size());
      const std::int32_t* in = batch.tgt_in.data() + r * t_max;
      const std::int32_t* out = batch.tgt_out.data() + r * t_max;
      ASSERT_EQ(in[0], kBos);
      ASSERT_EQ(out[n], kEos);
      // The label at step j is the decoder input at step j + 1.
      for (std::int64_t j = 0; j < n; ++j) ASSERT_EQ(out[j], in[j + 1]);
      for (std::int64_t j = n + 1; j < t_max; ++j) {
        ASSERT_EQ(in[j], kPad);
        ASSERT_EQ(out[j], -100);
      }
    }
  }
}

TEST(TokenBatcher, SameSeedAndEpochGiveSameBatches) {
  const PairSet set = make_set(400, 60, 4);
  TokenBatcher a(&set, base_options(300));
  TokenBatcher b(&set, base_options(300));
  a.start_epoch(2, 99);
  b.start_epoch(2, 99);
  const Seen sa = drain(a);
  EXPECT_FALSE(sa.indices.empty());
  EXPECT_EQ(sa, drain(b));
}

TEST(TokenBatcher, DifferentEpochOrSeedGivesDifferentOrder) {
  const PairSet set = make_set(400, 60, 4);
  TokenBatcher b(&set, base_options(300));
  b.start_epoch(0, 99);
  const Seen e0 = drain(b);
  b.start_epoch(1, 99);
  const Seen e1 = drain(b);
  b.start_epoch(0, 100);
  const Seen s100 = drain(b);
  EXPECT_NE(e0.indices, e1.indices);
  EXPECT_NE(e0.shapes, e1.shapes);  // the batch order itself changes, not only ties
  EXPECT_NE(e0.indices, s100.indices);
  // Sorting fixes where the cuts fall, so every epoch has the same batch count.
  EXPECT_EQ(e0.shapes.size(), e1.shapes.size());
}

TEST(TokenBatcher, ResumeViaSeekEqualsUninterrupted) {
  const PairSet set = make_set(350, 70, 5);
  TokenBatcher full(&set, base_options(256));
  full.start_epoch(4, 123);
  const std::size_t n = full.num_batches();
  ASSERT_GT(n, 10u);
  const std::size_t cut = n / 3;
  PairBatch skip;
  for (std::size_t k = 0; k < cut; ++k) ASSERT_TRUE(full.next(skip));
  EXPECT_EQ(full.cursor(), cut);
  const Seen rest = drain(full);
  // A fresh batcher, as after a restart from a checkpoint saving (epoch, cursor).
  TokenBatcher resumed(&set, base_options(256));
  resumed.start_epoch(4, 123);
  resumed.seek(cut);
  EXPECT_EQ(drain(resumed), rest);
  resumed.seek(n);
  PairBatch batch;
  EXPECT_FALSE(resumed.next(batch));
  const std::string msg = error_of([&] { resumed.seek(n + 1); });
  EXPECT_NE(msg.find("past the end"), std::string::npos) << msg;
}

TEST(TokenBatcher, UnshuffledIsSortedDeterministicAndRestorable) {
  const PairSet set = make_set(250, 40, 6);
  TokenBatcherOptions o = base_options(128);
  o.shuffle = false;
  TokenBatcher b(&set, o);
  b.start_epoch(0, 1);
  const Seen first = drain(b);
  b.start_epoch(5, 2);
  EXPECT_EQ(drain(b), first);  // evaluation order ignores seed and epoch

  b.start_epoch(0, 1);
  std::vector<std::size_t> tlen_seen;
  std::vector<std::vector<std::int32_t>> restored(b.size());
  PairBatch batch;
  while (b.next(batch)) {
    std::vector<std::vector<std::int32_t>> rows;
    for (std::size_t i : batch.indices) {
      tlen_seen.push_back(set.target[i].size());
      rows.push_back(set.source[i]);  // stands in for a per-row decode result
    }
    scatter_to_input_order(batch, rows, restored);
  }
  EXPECT_TRUE(std::is_sorted(tlen_seen.begin(), tlen_seen.end()));
  EXPECT_EQ(restored, set.source);
}

TEST(TokenBatcher, ScatterRejectsWrongRowCount) {
  PairBatch batch;
  batch.indices = {0, 1};
  std::vector<int> rows = {1};
  std::vector<int> out(2);
  const std::string msg = error_of([&] { scatter_to_input_order(batch, rows, out); });
  EXPECT_NE(msg.find("1 results for a batch of 2 rows"), std::string::npos) << msg;
}

TEST(TokenBatcher, SortingKeepsPaddingLow) {
  const PairSet set = make_set(5000, 200, 7);
  TokenBatcher sorted(&set, base_options(4096));
  TokenBatcherOptions o = base_options(4096);
  o.sort_by_length = false;
  TokenBatcher unsorted(&set, o);
  sorted.start_epoch(0, 3);
  unsorted.start_epoch(0, 3);
  const double eff_sorted = sorted.stats().padding_efficiency();
  const double eff_unsorted = unsorted.stats().padding_efficiency();
  EXPECT_GT(eff_sorted, 0.9);
  EXPECT_LT(eff_unsorted, 0.6);
  // Sorted batches pack more pairs per batch, so there are fewer of them.
  EXPECT_LT(sorted.num_batches(), unsorted.num_batches());

  // The stats agree with what the batches actually hold.
  std::int64_t real = 0, padded = 0;
  PairBatch batch;
  while (sorted.next(batch)) {
    real += batch.src_tokens + batch.tgt_tokens;
    padded += batch.batch * (batch.src_time + batch.tgt_time);
  }
  EXPECT_EQ(real, sorted.stats().src_tokens + sorted.stats().tgt_tokens);
  EXPECT_DOUBLE_EQ(eff_sorted, static_cast<double>(real) / static_cast<double>(padded));
}

TEST(TokenBatcher, TruncatesLongPairsAndCountsThem) {
  PairSet set;
  set.source = {{10, 11, 12, 13, 14}, {20, 21}};
  set.target = {{30, 31}, {40, 41, 42, 43, 44, 45}};
  TokenBatcherOptions o = base_options(1000);
  o.max_source_len = 3;
  o.max_target_len = 4;  // decoder length: 3 target tokens + eos
  o.shuffle = false;
  TokenBatcher b(&set, o);
  EXPECT_EQ(b.stats().truncated_sources, 1u);
  EXPECT_EQ(b.stats().truncated_targets, 1u);
  PairBatch batch;
  ASSERT_TRUE(b.next(batch));
  ASSERT_EQ(batch.indices, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(batch.src_time, 3);
  EXPECT_EQ(batch.tgt_time, 4);
  EXPECT_EQ(batch.src, (std::vector<std::int32_t>{10, 11, 12, 20, 21, kPad}));
  EXPECT_EQ(batch.tgt_in, (std::vector<std::int32_t>{kBos, 30, 31, kPad, kBos, 40, 41, 42}));
  EXPECT_EQ(batch.tgt_out, (std::vector<std::int32_t>{30, 31, kEos, -100, 40, 41, 42, kEos}));
  EXPECT_EQ(batch.tgt_tokens, 7);
}

TEST(TokenBatcher, RejectsZeroMaxTokens) {
  const PairSet set = make_set(3, 5, 8);
  const std::string msg = error_of([&] { TokenBatcher(&set, base_options(0)); });
  EXPECT_NE(msg.find("max_tokens must be >= 1, got 0"), std::string::npos) << msg;
}

TEST(TokenBatcher, RejectsUnsetBos) {
  const PairSet set = make_set(3, 5, 8);
  TokenBatcherOptions o = base_options(64);
  o.bos_id = -1;
  const std::string msg = error_of([&] { TokenBatcher(&set, o); });
  EXPECT_NE(msg.find("bos_id"), std::string::npos) << msg;
}

TEST(TokenBatcher, RejectsEqualSpecialIds) {
  const PairSet set = make_set(3, 5, 8);
  TokenBatcherOptions o = base_options(64);
  o.eos_id = kPad;
  const std::string msg = error_of([&] { TokenBatcher(&set, o); });
  EXPECT_NE(msg.find("must be distinct, got 0, 1, 0"), std::string::npos) << msg;
}

TEST(TokenBatcher, RejectsIgnoreIndexEqualToEos) {
  const PairSet set = make_set(3, 5, 8);
  TokenBatcherOptions o = base_options(64);
  o.ignore_index = kEos;
  const std::string msg = error_of([&] { TokenBatcher(&set, o); });
  EXPECT_NE(msg.find("ignore_index must differ from eos_id"), std::string::npos) << msg;
}

TEST(TokenBatcher, RejectsNegativeMaxSourceLen) {
  const PairSet set = make_set(3, 5, 8);
  TokenBatcherOptions o = base_options(64);
  o.max_source_len = -1;
  const std::string msg = error_of([&] { TokenBatcher(&set, o); });
  EXPECT_NE(msg.find("max_source_len must be >= 0"), std::string::npos) << msg;
}

TEST(TokenBatcher, RejectsEmptySet) {
  const PairSet set;
  const std::string msg = error_of([&] { TokenBatcher(&set, base_options(64)); });
  EXPECT_NE(msg.find("empty PairSet"), std::string::npos) << msg;
}

TEST(TokenBatcher, RejectsMismatchedCounts) {
  PairSet set = make_set(3, 5, 8);
  set.target.pop_back();
  const std::string msg = error_of([&] { TokenBatcher(&set, base_options(64)); });
  EXPECT_NE(msg.find("3 sources but 2 targets"), std::string::npos) << msg;
}

TEST(TokenBatcher, RejectsEmptySource) {
  PairSet set = make_set(3, 5, 8);
  set.source[1].clear();
  const std::string msg = error_of([&] { TokenBatcher(&set, base_options(64)); });
  EXPECT_NE(msg.find("pair 1 has an empty source"), std::string::npos) << msg;
}

TEST(TokenBatcher, RejectsNegativeTokenId) {
  PairSet set = make_set(3, 5, 8);
  set.target[2] = {4, -3};
  const std::string msg = error_of([&] { TokenBatcher(&set, base_options(64)); });
  EXPECT_NE(msg.find("pair 2 target token 1 has negative id -3"), std::string::npos) << msg;
}

}  // namespace
}  // namespace attn
