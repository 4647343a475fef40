#include "attn/data/batcher.h"

#include <gtest/gtest.h>

#include <vector>

#include "attn/core/error.h"
#include "attn/core/rng.h"

namespace attn {
namespace {

// n examples; example i has length (i * 7) % 23 and tokens 100*i + t, target i.
EncodedSet make_set(std::size_t n) {
  EncodedSet set;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::int32_t> ids;
    for (std::size_t t = 0; t < (i * 7) % 23; ++t)
      ids.push_back(static_cast<std::int32_t>(100 * i + t));
    set.ids.push_back(ids);
    set.targets.push_back(static_cast<float>(i));
  }
  return set;
}

struct Seen {
  std::vector<std::size_t> indices;
  std::vector<std::int32_t> ids;
  std::vector<std::int64_t> shapes;
};

// Drains the rest of the current epoch.
Seen drain(Batcher& b) {
  Seen s;
  Batch batch;
  while (b.next(batch)) {
    s.indices.insert(s.indices.end(), batch.indices.begin(), batch.indices.end());
    s.ids.insert(s.ids.end(), batch.ids.begin(), batch.ids.end());
    s.shapes.push_back(batch.batch);
    s.shapes.push_back(batch.time);
  }
  return s;
}

TEST(Batcher, EveryExampleExactlyOncePerEpoch) {
  const EncodedSet set = make_set(103);
  for (bool shuffle : {false, true}) {
    for (bool bucket : {false, true}) {
      Batcher b(&set, 8, 64, shuffle, bucket);
      EXPECT_EQ(b.batches_per_epoch(), 13u);
      for (std::uint64_t epoch = 0; epoch < 3; ++epoch) {
        b.start_epoch(epoch, 42);
        std::vector<int> hits(set.ids.size(), 0);
        std::size_t batches = 0;
        Batch batch;
        while (b.next(batch)) {
          ++batches;
          ASSERT_EQ(batch.indices.size(), static_cast<std::size_t>(batch.batch));
          ASSERT_EQ(batch.targets.size(), static_cast<std::size_t>(batch.batch));
          for (std::size_t r = 0; r < batch.indices.size(); ++r) {
            ++hits[batch.indices[r]];
            EXPECT_EQ(batch.targets[r], set.targets[batch.indices[r]]);
          }
        }
        EXPECT_EQ(batches, 13u);
        EXPECT_EQ(b.cursor(), 13u);
        for (int h : hits) EXPECT_EQ(h, 1) << "shuffle=" << shuffle << " bucket=" << bucket;
      }
    }
  }
}

TEST(Batcher, OrderIsAFunctionOfSeedAndEpoch) {
  const EncodedSet set = make_set(200);
  Batcher a(&set, 16, 64, true, false), b(&set, 16, 64, true, false);
  a.start_epoch(3, 7);
  b.start_epoch(3, 7);
  const Seen sa = drain(a);
  EXPECT_EQ(sa.ids, drain(b).ids);
  b.start_epoch(4, 7);
  EXPECT_NE(sa.indices, drain(b).indices);
  b.start_epoch(3, 8);
  EXPECT_NE(sa.indices, drain(b).indices);
  Batcher plain(&set, 16, 64, false, false);
  plain.start_epoch(9, 1);
  const Seen sp = drain(plain);
  for (std::size_t i = 0; i < sp.indices.size(); ++i) EXPECT_EQ(sp.indices[i], i);
}

TEST(Batcher, ResumeFromCursorEqualsUninterruptedRun) {
  const EncodedSet set = make_set(157);
  for (bool bucket : {false, true}) {
    Batcher full(&set, 4, 16, true, bucket);
    full.start_epoch(2, 1234);
    std::vector<Batch> all;
    Batch batch;
    while (full.next(batch)) all.push_back(batch);
    ASSERT_EQ(all.size(), full.batches_per_epoch());
    for (std::size_t cursor : {std::size_t{0}, std::size_t{5}, all.size() - 1, all.size()}) {
      Batcher resumed(&set, 4, 16, true, bucket);
      resumed.set_cursor(2, cursor, 1234);
      EXPECT_EQ(resumed.cursor(), cursor);
      std::size_t k = cursor;
      while (resumed.next(batch)) {
        ASSERT_LT(k, all.size());
        EXPECT_EQ(batch.indices, all[k].indices);
        EXPECT_EQ(batch.ids, all[k].ids);
        EXPECT_EQ(batch.time, all[k].time);
        ++k;
      }
      EXPECT_EQ(k, all.size());
    }
    Batcher bad(&set, 4, 16, true, bucket);
    EXPECT_THROW(bad.set_cursor(2, all.size() + 1, 1234), Error);
  }
}

TEST(Batcher, TruncatesPadsAndMasks) {
  EncodedSet set;
  set.ids = {{5, 6, 7, 8, 9, 10}, {3}, {}, {4, 4}};
  set.targets = {1, 0, 1, 0};
  Batcher b(&set, 3, 4, false, false);
  Batch batch;
  ASSERT_TRUE(b.next(batch));
  EXPECT_EQ(batch.batch, 3);
  EXPECT_EQ(batch.time, 4);  // the 6-token row is cut to max_len = 4
  EXPECT_EQ(batch.ids, (std::vector<std::int32_t>{5, 6, 7, 8, 3, 0, 0, 0, 0, 0, 0, 0}));
  ASSERT_EQ(batch.valid.shape(), (Shape{3, 4}));
  ASSERT_EQ(batch.valid.dtype(), DType::u8);
  const std::uint8_t* v = batch.valid.data_as<std::uint8_t>();
  EXPECT_EQ(std::vector<std::uint8_t>(v, v + 12),
            (std::vector<std::uint8_t>{1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(batch.targets, (std::vector<float>{1, 0, 1}));
  ASSERT_TRUE(b.next(batch));  // the short last batch pads only to its own longest row
  EXPECT_EQ(batch.batch, 1);
  EXPECT_EQ(batch.time, 2);
  EXPECT_EQ(batch.ids, (std::vector<std::int32_t>{4, 4}));
  EXPECT_FALSE(b.next(batch));
  EXPECT_EQ(batch.batch, 1);  // untouched at epoch end
}

TEST(Batcher, AllEmptyRowsGiveOnePaddedColumn) {
  EncodedSet set;
  set.ids = {{}, {}};
  Batcher b(&set, 2, 8, true, true);
  Batch batch;
  ASSERT_TRUE(b.next(batch));
  EXPECT_EQ(batch.time, 1);
  EXPECT_EQ(batch.ids, (std::vector<std::int32_t>{0, 0}));
  EXPECT_EQ(batch.valid.data_as<std::uint8_t>()[0] + batch.valid.data_as<std::uint8_t>()[1], 0);
  EXPECT_TRUE(batch.targets.empty());
}

TEST(Batcher, BucketingReducesPadding) {
  EncodedSet set;
  Rng rng(3);
  for (int i = 0; i < 2000; ++i) {
    set.ids.emplace_back(1 + rng.below(200), 7);
  }
  auto padding = [&](bool bucket) {
    Batcher b(&set, 32, 512, true, bucket);
    b.start_epoch(0, 5);
    std::int64_t pad = 0;
    Batch batch;
    while (b.next(batch)) {
      const std::uint8_t* v = batch.valid.data_as<std::uint8_t>();
      for (std::int64_t k = 0; k < batch.batch * batch.time; ++k) pad += v[k] == 0;
    }
    return pad;
  };
  const std::int64_t plain = padding(false), bucketed = padding(true);
  EXPECT_LT(bucketed * 10, plain) << "bucketed " << bucketed << " plain " << plain;
}

TEST(Batcher, RejectsBadArguments) {
  EncodedSet set = make_set(4);
  EXPECT_THROW(Batcher(&set, 0, 8, false, false), Error);
  EXPECT_THROW(Batcher(&set, 2, 0, false, false), Error);
  set.targets.pop_back();
  EXPECT_THROW(Batcher(&set, 2, 8, false, false), Error);
  EncodedSet empty;
  Batcher b(&empty, 2, 8, true, true);
  EXPECT_EQ(b.batches_per_epoch(), 0u);
  Batch batch;
  EXPECT_FALSE(b.next(batch));
}

}  // namespace
}  // namespace attn
