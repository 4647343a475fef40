#include "attn/core/tensor.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "attn/core/arena.h"
#include "test_util.h"

namespace attn {
namespace {

TEST(Tensor, ShapeNumelAndReshapeShareStorage) {
  Tensor t = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.dim(-1), 3);
  Tensor r = t.reshape({3, -1});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  r.data()[0] = 42;
  EXPECT_EQ(t.data()[0], 42);
}

TEST(Tensor, BadReshapeAndAxisThrowWithShapes) {
  Tensor t = Tensor::zeros({2, 3});
  try {
    t.reshape({4, 2});
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(t.dim(2), Error);
  EXPECT_THROW(t.data_as<int>() && (Tensor::zeros({1}, DType::i32).data(), true), Error);
}

TEST(Tensor, CloneIsDeep) {
  Tensor t = Tensor::full({4}, 1.5f);
  Tensor c = t.clone();
  c.data()[0] = 0;
  EXPECT_EQ(t.data()[0], 1.5f);
}

// A step's working set is parked whole even when it is larger than the minimum (the
// global arena's 1 GiB), so the next step reuses every buffer instead of handing part of
// them back to the system and page-faulting them in again.
TEST(Arena, ParksUpToThePeakInUseAboveItsMinimum) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  Arena arena(kMiB);
  for (int step = 0; step < 3; ++step) {
    std::vector<std::shared_ptr<std::byte>> working_set;
    for (int i = 0; i < 4; ++i) working_set.push_back(arena.acquire(kMiB));
    EXPECT_EQ(arena.stats().bytes_in_use, 4 * kMiB);
  }
  const ArenaStats s = arena.stats();
  EXPECT_EQ(s.system_allocations, 4u);  // step 0 only
  EXPECT_EQ(s.reuses, 8u);
  EXPECT_EQ(s.bytes_held, 4 * kMiB);
  EXPECT_EQ(s.peak_in_use, 4 * kMiB);
  EXPECT_EQ(s.bytes_in_use, 0u);
  // A buffer of another size, needed while the working set is parked, would take the
  // bytes in use plus parked past the peak: three parked 1 MiB buffers go back to the
  // system to make room, and the 3 MiB buffer is parked in their place.
  { const auto other = arena.acquire(3 * kMiB); }
  EXPECT_EQ(arena.stats().system_allocations, 5u);
  EXPECT_EQ(arena.stats().evictions, 3u);
  EXPECT_EQ(arena.stats().bytes_held, 4 * kMiB);
}

// Steps of varying shapes (token-count batches) need buffers of sizes the pool has
// none of: parked buffers of other sizes make room, so the bytes in use and parked
// together never pass the peak in use, instead of growing toward twice it.
TEST(Arena, BuffersOfNewSizesEvictParkedOnesAboveThePeak) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  Arena arena(kMiB);
  std::size_t most = 0;
  const std::size_t sizes[] = {kMiB, 2 * kMiB + 512 * 1024, kMiB, 3 * kMiB, kMiB};
  for (const std::size_t size : sizes) {
    std::vector<std::shared_ptr<std::byte>> step;
    for (int i = 0; i < 4; ++i) {
      step.push_back(arena.acquire(size));
      const ArenaStats s = arena.stats();
      most = std::max(most, s.bytes_in_use + s.bytes_held);
    }
  }
  const ArenaStats s = arena.stats();
  EXPECT_EQ(s.peak_in_use, 12 * kMiB);  // the 3 MiB step
  EXPECT_LE(most, s.peak_in_use);
  EXPECT_GT(s.evictions, 0u);
  // The last step's four 1 MiB buffers stay parked beside two of the 3 MiB ones, so
  // further steps of that size are served from the pool alone.
  EXPECT_EQ(s.bytes_held, 10 * kMiB);
  for (int step = 0; step < 2; ++step) {
    std::vector<std::shared_ptr<std::byte>> again;
    for (int i = 0; i < 4; ++i) again.push_back(arena.acquire(kMiB));
  }
  EXPECT_EQ(arena.stats().system_allocations, s.system_allocations);
  EXPECT_EQ(arena.stats().evictions, s.evictions);
}

// A request the system cannot meet throws std::bad_alloc and leaves the arena's
// counts as they were: before, bytes in use and the peak kept the failed size, so
// the pool's cap rose to it and parked buffers were never evicted again.
TEST(Arena, FailedSystemAllocationLeavesTheCountsAsTheyWere) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  Arena arena(kMiB);
  { auto held = arena.acquire(kMiB); }
  const ArenaStats before = arena.stats();
  EXPECT_THROW(arena.acquire(std::size_t{1} << 62), std::bad_alloc);
  const ArenaStats after = arena.stats();
  EXPECT_EQ(after.bytes_in_use, before.bytes_in_use);
  EXPECT_EQ(after.peak_in_use, before.peak_in_use);
  EXPECT_EQ(after.system_allocations, before.system_allocations);
  // Room is made before the system is asked, so the parked buffer went back to it.
  EXPECT_EQ(after.bytes_held, 0u);
  EXPECT_EQ(after.evictions, before.evictions + 1);
  // The arena goes on working: a buffer of the old size is allocated, parked, reused.
  { auto again = arena.acquire(kMiB); }
  { auto reused = arena.acquire(kMiB); }
  EXPECT_EQ(arena.stats().reuses, before.reuses + 1);
  EXPECT_EQ(arena.stats().bytes_in_use, 0u);
}

TEST(Arena, ReusesReleasedBuffers) {
  const auto before = Arena::global().stats();
  { Tensor a = Tensor::empty({1234567}); }
  { Tensor b = Tensor::empty({1234567}); }
  const auto after = Arena::global().stats();
  EXPECT_GE(after.reuses, before.reuses + 1);
}

}  // namespace
}  // namespace attn

namespace attn {
namespace {

// Variable-length batches must not grow the pool without bound: nearby sizes
// share a size class, so a sweep of lengths reuses a handful of buffers.
TEST(Arena, NearbySizesShareBuffers) {
  Arena::global().trim();
  const auto before = Arena::global().stats();
  for (int t = 200; t < 256; ++t) Tensor a = Tensor::empty({32, t, 64});
  const auto after = Arena::global().stats();
  EXPECT_LE(after.system_allocations - before.system_allocations, 3u);
  EXPECT_LE(after.bytes_held, std::size_t{64} << 20);
}

}  // namespace
}  // namespace attn
